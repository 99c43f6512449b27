/*
Copyright 2026 The scimbridge Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package controller_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// Synced says only what the cycle verified: these specs drive the states in
// which it used to claim more.
var _ = Describe("Synced tells the truth", func() {
	It("keeps Synced False while a failed user waits out its backoff, and retries it when a person asks", func() {
		By("creating two users, a target refusing one create, and the integration")
		f := newFixture()
		f.user("ok@example.com")
		f.user("refused@example.com")
		// One create is refused (400, not retried).
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Times: 1, Status: 400,
			Contains: "refused@example.com"})
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"ok@example.com", "refused@example.com"}
		})
		By("waiting for Synced False/ObjectsFailing with a retry scheduled")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("False/ObjectsFailing"))
		Expect(f.scim.UserCount()).To(Equal(1))
		Expect(getDI(f.ns, "okta").Status.UsersSummary).To(Equal("1/2"))
		Expect(diCondition(f.ns, "okta", identityv1alpha1.ConditionReconciling)()).To(Equal("True/RetryScheduled"))

		By("an automatic cycle within the backoff defers the user and stays out of sync")
		f.group("Empty")
		f.provisionedGroup("empty", "okta", "Empty", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		Eventually(pgCondition(f.ns, "empty", ready)).Should(Equal("True/AssignedOnly"))
		Eventually(func() int32 { return getDI(f.ns, "okta").Status.Users.Deferred }).Should(BeEquivalentTo(1))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("False/ObjectsFailing"))
		// Either create may have been the refused one.
		missing := "ok@example.com"
		if _, ok := f.scim.UserIDByName(missing); ok {
			missing = "refused@example.com"
		}
		Expect(getDI(f.ns, "okta").Status.OutOfSync).To(ContainElement(HaveField("Name", missing)))
		Expect(events(f.ns, "okta", "SyncRecovered")).To(BeEmpty())
		Expect(f.scim.UserCount()).To(Equal(1))

		By("a requested cycle retries the deferred user at once")
		requestReconcile(f.ns, "okta")
		Expect(f.scim.UserCount()).To(Equal(2))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("True/Synced"))
		Expect(getDI(f.ns, "okta").Status.UsersSummary).To(Equal("2/2"))
		Eventually(func() []string { return events(f.ns, "okta", "SyncRecovered") }).Should(ContainElement(ContainSubstring("Normal: ")))
	})

	It("reports the group cap on the integration", func() {
		By("creating two groups and an integration whose target takes one")
		f := newFixture()
		a := f.user("cap@example.com")
		f.group("Alpha", a)
		f.group("Beta", a)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Target.MaxGroups = ptr.To[int32](1) })
		f.provisionedGroup("alpha", "okta", "Alpha", nil)
		f.provisionedGroup("beta", "okta", "Beta", nil)
		By("waiting for the cap on the integration and on the group that does not fit")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("False/GroupCapReached"))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("False/GroupCapReached"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(Equal("True/GroupCapReached"))
		Expect(getDI(f.ns, "okta").Status.GroupsSummary).To(Equal("1/2"))
		Expect(getDI(f.ns, "okta").Status.Groups.Capped).To(BeEquivalentTo(1))
		Eventually(pgCondition(f.ns, "beta", stalled)).Should(Equal("True/GroupCapReached"))
		Expect(tableRow(f.ns, "directoryintegrations", "okta")).To(HaveKeyWithValue("Status", "GroupCapReached"))
	})

	It("never takes a target listing cut short as complete, and loses no update after it", func() {
		By("creating the integration for two users")
		f := newFixture()
		alice := f.user("alice@example.com")
		f.user("bob@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"alice@example.com", "bob@example.com"}
		})
		By("waiting for it to be Synced and the cycles to settle")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		settle(f)

		// The credential check reads /Users too: cut its answer and the listing's.
		By("cutting the target's /Users answers short and requesting a full sync")
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultTruncatedPage, Method: http.MethodGet, Path: "/Users", Times: 2})
		annotate(f.ns, "okta", identityv1alpha1.FullSyncRequestedAtAnnotation, "truncated")
		By("waiting for Synced False/TargetIncomplete")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("False/TargetIncomplete"))
		Expect(getDI(f.ns, "okta").Status.LastHandledFullSyncAt).To(Equal("truncated"))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("False/TargetIncomplete"))

		By("changing a profile in Okta and requesting a reconcile")
		Expect(f.okta.UpdateProfile(alice, map[string]any{"displayName": "Alice After"})).To(Succeed())
		requestReconcile(f.ns, "okta")
		By("checking the update reached the target")
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("True/Synced"))
		id, _ := f.scim.UserIDByName("alice@example.com")
		u, _ := f.scim.User(id)
		Expect(u["displayName"]).To(Equal("Alice After"))
	})

	It("repairs hand-made drift when a full cycle is requested", func() {
		By("creating the integration for one user")
		f := newFixture()
		f.user("drift@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"drift@example.com"}
		})
		By("waiting for it to be Synced and the cycles to settle")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		settle(f)
		By("editing the user in the target by hand")
		id, _ := f.scim.UserIDByName("drift@example.com")
		Expect(f.scim.SetUserAttributes(id, map[string]any{"displayName": "Edited In The Console"})).To(Succeed())

		By("requesting a reconcile: an incremental cycle leaves the drift")
		requestReconcile(f.ns, "okta")
		u, _ := f.scim.User(id)
		Expect(u["displayName"]).To(Equal("Edited In The Console"), "an incremental cycle does not read the target")
		Expect(getDI(f.ns, "okta").Status.LastSync.Mode).To(Equal(identityv1alpha1.SyncModeIncremental))

		By("requesting a full sync")
		annotate(f.ns, "okta", identityv1alpha1.FullSyncRequestedAtAnnotation, "repair")
		By("waiting for the full cycle to repair the drift")
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastHandledFullSyncAt }).Should(Equal("repair"))
		u, _ = f.scim.User(id)
		Expect(u["displayName"]).NotTo(Equal("Edited In The Console"))
		Expect(getDI(f.ns, "okta").Status.LastSync.Mode).To(Equal(identityv1alpha1.SyncModeFull))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("True/Synced"))
	})

	It("provisions a direct assignment created in Okta after the full cycle in the next incremental one", func() {
		By("creating an integration assigning one user that exists and one that does not yet")
		f := newFixture()
		f.user("early@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"early@example.com", "late@example.com"}
		})
		By("waiting for it to be Synced with one user")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(f.scim.UserCount()).To(Equal(1))
		settle(f)

		By("creating the late user in Okta and requesting a reconcile")
		f.user("late@example.com")
		requestReconcile(f.ns, "okta")
		By("checking the incremental cycle provisioned it")
		Expect(getDI(f.ns, "okta").Status.LastSync.Mode).To(Equal(identityv1alpha1.SyncModeIncremental))
		_, ok := f.scim.UserIDByName("late@example.com")
		Expect(ok).To(BeTrue())
	})

	It("converges in the next incremental cycle when a group create's answer was lost", func() {
		By("creating a group whose create answer fails after it took effect")
		f := newFixture()
		a := f.user("lost@example.com")
		f.group("Lost Answer", a)
		// The create takes effect, then its answer fails: the engine cannot know.
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Groups", Times: 1, Status: 500, AfterHandler: true})
		f.integration("okta", nil)
		f.provisionedGroup("lost", "okta", "Lost Answer", nil)
		By("waiting for Pushed False/PushFailed and the cycles to settle")
		Eventually(pgCondition(f.ns, "lost", identityv1alpha1.ConditionPushed)).Should(Equal("False/PushFailed"))
		settle(f)

		By("requesting a reconcile")
		requestReconcile(f.ns, "okta")
		By("waiting for the incremental cycle to push the group once")
		Expect(getDI(f.ns, "okta").Status.LastSync.Mode).To(Equal(identityv1alpha1.SyncModeIncremental))
		Eventually(pgCondition(f.ns, "lost", identityv1alpha1.ConditionPushed)).Should(Equal("True/Pushed"))
		Expect(f.scim.GroupCount()).To(Equal(1))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("True/Synced"))
	})
})

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
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// The table of docs/architecture.md, state by state, on real objects. The
// state of an object the controller has not seen yet is in the API suite
// (no controller runs there).
var _ = Describe("kstatus reads every state right", func() {
	oneUser := func(f *fixture, login string) func(*identityv1alpha1.DirectoryIntegration) {
		f.user(login)
		return func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Assignments.People = []string{login} }
	}

	It("healthy: Current", func() {
		By("creating a pushed group")
		f := pushedGroup("healthy", "Healthy", "h@example.com", identityv1alpha1.DeletionPolicyRetain)
		By("waiting for Synced and reading both objects' kstatus")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.CurrentStatus))
		// The group's status is written by its own reconcile, after the
		// integration's.
		Eventually(pgKstatus(f.ns, "healthy")).Should(Equal(status.CurrentStatus))
	})

	It("cycle running: InProgress", func() {
		By("creating the integration")
		f := newFixture()
		f.integration("okta", oneUser(f, "slow@example.com"))
		By("waiting for it to be Synced")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		// Slow enough that the full cycle's reads take seconds, quick enough
		// for the credential check (verifyTimeout).
		By("slowing the target and requesting a full sync")
		f.scim.SetLatency(verifyTimeout / 2)
		DeferCleanup(func() { f.scim.SetLatency(0) })
		annotate(f.ns, "okta", identityv1alpha1.FullSyncRequestedAtAnnotation, "slow")
		By("waiting for the running cycle and reading kstatus")
		Eventually(diCondition(f.ns, "okta", identityv1alpha1.ConditionReconciling)).Should(Equal("True/CycleRunning"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.InProgressStatus))
	})

	It("changes held: Failed (a person must approve)", func() {
		By("creating three members, the integration holding beyond one deactivation, and the group")
		f := newFixture()
		a, b, c := f.user("a@example.com"), f.user("b@example.com"), f.user("c@example.com")
		gid := f.group("Held", a, b, c)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Safety.MaxDeactivations = ptr.To[int32](1) })
		f.provisionedGroup("held", "okta", "Held", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for the users to be provisioned and the cycles to settle")
		Eventually(f.scim.UserCount).Should(Equal(3))
		settle(f)
		By("removing two members and requesting a reconcile")
		Expect(f.okta.RemoveMember(gid, a)).To(Succeed())
		Expect(f.okta.RemoveMember(gid, b)).To(Succeed())
		requestReconcile(f.ns, "okta")
		By("checking the plan is held and reading kstatus")
		Expect(diCondition(f.ns, "okta", stalled)()).To(Equal("True/ChangesHeld"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.FailedStatus))
	})

	It("objects failing: InProgress (retried by itself)", func() {
		By("creating the integration against a target that refuses user creates")
		f := newFixture()
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Status: 400})
		f.integration("okta", oneUser(f, "bad@example.com"))
		By("waiting for Synced False/ObjectsFailing and reading kstatus")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("False/ObjectsFailing"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.InProgressStatus))
	})

	for _, tc := range []struct {
		state, reason string
		mutate        func(*fixture, *identityv1alpha1.DirectoryIntegration)
	}{
		{"Secret missing", identityv1alpha1.ReasonSecretNotFound, func(_ *fixture, di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Target.TokenSecretRef.Name = "absent"
		}},
		{"unauthorized", identityv1alpha1.ReasonUnauthorized, func(f *fixture, _ *identityv1alpha1.DirectoryIntegration) {
			f.secret("secure-access-scim", "token", secrets.add("revoked-"+randomToken()))
		}},
		{"forbidden", identityv1alpha1.ReasonForbidden, func(f *fixture, _ *identityv1alpha1.DirectoryIntegration) {
			f.okta.SetForbidden(true)
		}},
		{"invalid configuration (a CA bundle that is not PEM)", identityv1alpha1.ReasonInvalidSecret, func(f *fixture, di *identityv1alpha1.DirectoryIntegration) {
			f.secret("private-ca", "ca.crt", "not a certificate")
			di.Spec.Target.CABundleSecretRef = &identityv1alpha1.SecretKeySelector{Name: "private-ca", Key: "ca.crt"}
		}},
	} {
		It(fmt.Sprintf("%s: Failed", tc.state), func() {
			By("creating the integration in this state")
			f := newFixture()
			f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { tc.mutate(f, di) })
			By("waiting for it to stall and reading kstatus")
			Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/" + tc.reason))
			Expect(diKstatus(f.ns, "okta")()).To(Equal(status.FailedStatus))
		})
	}

	It("duplicate target: Failed", func() {
		By("creating the integration")
		f := newFixture()
		f.integration("okta", oneUser(f, "d@example.com"))
		By("waiting for it to be Synced")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		By("creating a second integration with the same target and token")
		time.Sleep(1100 * time.Millisecond)
		f.integration("okta-copy", nil)
		By("waiting for the second to stall and reading both kstatus")
		Eventually(diCondition(f.ns, "okta-copy", stalled)).Should(Equal("True/DuplicateTarget"))
		Expect(diKstatus(f.ns, "okta-copy")()).To(Equal(status.FailedStatus))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.CurrentStatus))
	})

	It("suspended: InProgress (kstatus has no pause; Ready stays False)", func() {
		By("creating a suspended integration")
		f := newFixture()
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Suspend = true })
		By("waiting for Ready False/Suspended and reading kstatus")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("False/Suspended"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(BeEmpty())
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.InProgressStatus))
	})

	It("dry run: Current", func() {
		By("creating a dry-run integration")
		f := newFixture()
		plan := oneUser(f, "plan@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { plan(di); di.Spec.DryRun = true })
		By("waiting for Ready True/DryRun and reading kstatus")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/DryRun"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.CurrentStatus))
	})

	It("group cap reached: Failed (the group that fits stays Current)", func() {
		By("creating two pushed groups against a target that takes one")
		f := newFixture()
		a := f.user("cap@example.com")
		f.group("One", a)
		f.group("Two", a)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Target.MaxGroups = ptr.To[int32](1) })
		f.provisionedGroup("one", "okta", "One", nil)
		f.provisionedGroup("two", "okta", "Two", nil)
		By("waiting for the integration to stall and reading both groups' kstatus")
		Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/GroupCapReached"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.FailedStatus))
		Eventually(pgKstatus(f.ns, "two")).Should(Equal(status.FailedStatus))
		Eventually(pgCondition(f.ns, "one", ready)).Should(Equal("True/Ready"))
		Expect(pgKstatus(f.ns, "one")()).To(Equal(status.CurrentStatus))
	})

	It("a group whose integration is stalled: Failed", func() {
		By("creating a group of an integration whose target token is revoked")
		f := newFixture()
		f.group("Orphaned", f.user("o@example.com"))
		f.secret("secure-access-scim", "token", secrets.add("revoked-"+randomToken()))
		f.integration("okta", nil)
		f.provisionedGroup("orphaned", "okta", "Orphaned", nil)
		By("waiting for the group to stall and reading its kstatus")
		Eventually(pgCondition(f.ns, "orphaned", stalled)).Should(Equal("True/IntegrationStalled"))
		Expect(pgKstatus(f.ns, "orphaned")()).To(Equal(status.FailedStatus))
	})

	It("a group waiting for its cycle: InProgress; a missing Okta group: Failed", func() {
		By("creating a group against a slow target and one for a group that does not exist")
		f := newFixture()
		f.group("Waiting", f.user("w@example.com"))
		f.scim.SetLatency(verifyTimeout / 2)
		DeferCleanup(func() { f.scim.SetLatency(0) })
		f.integration("okta", nil)
		f.provisionedGroup("waiting", "okta", "Waiting", nil)
		f.provisionedGroup("missing", "okta", "No Such Group", nil)
		By("waiting for the first to wait for its cycle and the second to stall, reading kstatus")
		Eventually(pgCondition(f.ns, "waiting", identityv1alpha1.ConditionReconciling)).Should(Equal("True/WaitingForCycle"))
		Expect(pgKstatus(f.ns, "waiting")()).To(Equal(status.InProgressStatus))
		Eventually(pgCondition(f.ns, "missing", stalled)).Should(Equal("True/GroupNotFound"))
		Expect(pgKstatus(f.ns, "missing")()).To(Equal(status.FailedStatus))
	})
})

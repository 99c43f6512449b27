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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

var _ = Describe("DirectoryIntegration and ProvisionedGroup", func() {
	It("provisions users and pushes a group, then reports Ready with counts and printer columns", func() {
		By("creating users, a group, the integration and a ProvisionedGroup")
		f := newFixture()
		a, b, c := f.user("alice@example.com"), f.user("bob@example.com"), f.user("carol@example.com")
		f.user("dave@example.com")
		f.group("OKTA - Secure Access Users", a, b, c)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"dave@example.com"}
		})
		f.provisionedGroup("secure-access-users", "okta", "OKTA - Secure Access Users", nil)

		By("waiting for the group to be Ready and the integration Synced with 4/4 users")
		Eventually(pgCondition(f.ns, "secure-access-users", ready)).Should(Equal("True/Ready"))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Eventually(func() string { return getDI(f.ns, "okta").Status.UsersSummary }).Should(Equal("4/4"))

		By("checking the integration's status")
		di := getDI(f.ns, "okta")
		st := di.Status
		Expect(st.ObservedGeneration).To(Equal(di.Generation))
		Expect(condition(st.Conditions, oktaVerified)).To(Equal("True/Verified"))
		Expect(condition(st.Conditions, targetVerified)).To(Equal("True/Verified"))
		Expect(condition(st.Conditions, synced)).To(Equal("True/Synced"))
		Expect(condition(st.Conditions, identityv1alpha1.ConditionReconciling)).To(Equal("False/Idle"))
		Expect(condition(st.Conditions, held)).To(Equal("False/NoneHeld"))
		Expect(condition(st.Conditions, stalled)).To(BeEmpty())
		Expect(st.Users.Active).To(BeEquivalentTo(4))
		Expect(st.Users.InScope).To(BeEquivalentTo(4))
		Expect(st.Groups.Pushed).To(BeEquivalentTo(1))
		Expect(st.LastSuccessfulSyncTime).NotTo(BeNil())
		Expect(st.LastSyncTime).NotTo(BeNil())
		Expect(st.LastFullSyncTime).NotTo(BeNil())
		Expect(st.NextSyncTime).NotTo(BeNil())
		Expect(st.NextSyncTime.After(st.LastSyncTime.Time)).To(BeTrue())
		Expect(st.LastSync).NotTo(BeNil())

		By("checking the group's status and its two field managers")
		pg := getPG(f.ns, "secure-access-users")
		Expect(pg.Status.OktaGroupName).To(Equal("OKTA - Secure Access Users"))
		Expect(pg.Status.OktaGroupID).NotTo(BeEmpty())
		Expect(pg.Status.Members).To(HaveValue(BeEquivalentTo(3)))
		Expect(pg.Status.PushedMembers).To(HaveValue(BeEquivalentTo(3)))
		Expect(pg.Status.TargetGroupID).NotTo(BeEmpty())
		Expect(pg.Status.LastPushTime).NotTo(BeNil())
		Expect(condition(pg.Status.Conditions, identityv1alpha1.ConditionResolved)).To(Equal("True/Resolved"))
		Expect(condition(pg.Status.Conditions, identityv1alpha1.ConditionPushed)).To(Equal("True/Pushed"))
		Expect(pg.Status.ObservedGeneration).To(Equal(pg.Generation))
		// Each controller applies its own fields with its own field manager.
		var managers []string
		for _, m := range pg.ManagedFields {
			if m.Subresource == "status" && m.Operation == metav1.ManagedFieldsOperationApply {
				managers = append(managers, m.Manager)
			}
		}
		Expect(managers).To(ConsistOf("scimbridge-provisionedgroup", "scimbridge-integration-cycle"))

		By("checking the target's users and group")
		Expect(f.scim.UserCount()).To(Equal(4))
		gid, ok := f.scim.GroupIDByName("OKTA - Secure Access Users")
		Expect(ok).To(BeTrue())
		Expect(gid).To(Equal(pg.Status.TargetGroupID))
		members, _ := f.scim.GroupMembers(gid)
		Expect(members).To(HaveLen(3))

		By("waiting for the push and verify events")
		Eventually(func() []string { return events(f.ns, "secure-access-users", "GroupPushed") }).Should(ContainElement(
			"Normal: Group Push group OKTA - Secure Access Users pushed to target OKTA Integration. SUCCESS"))
		Eventually(func() []string { return events(f.ns, "okta", identityv1alpha1.ReasonVerified) }).Should(ContainElement(
			"Normal: Verify SCIM API credentials for app OKTA Integration: SUCCESS"))

		By("reading both objects as kubectl get does")
		row := tableRow(f.ns, "directoryintegrations", "okta")
		Expect(row).To(HaveKeyWithValue("Ready", "True"))
		Expect(row).To(HaveKeyWithValue("Status", "Synced"))
		Expect(row).To(HaveKeyWithValue("Users", "4/4"))
		Expect(row).To(HaveKeyWithValue("Groups", "1/1"))
		Expect(row["Last Sync"]).NotTo(BeEmpty())
		row = tableRow(f.ns, "provisionedgroups", "secure-access-users")
		Expect(row).To(HaveKeyWithValue("Integration", "okta"))
		Expect(row).To(HaveKeyWithValue("Okta Group", "OKTA - Secure Access Users"))
		Expect(row).To(HaveKeyWithValue("Okta Members", BeEquivalentTo(3)))
		Expect(row).To(HaveKeyWithValue("Pushed", BeEquivalentTo(3)))
		Expect(row).To(HaveKeyWithValue("Ready", "True"))

		By("checking the metrics for the families and for tokens")
		families, err := ctrlmetrics.Registry.Gather()
		Expect(err).NotTo(HaveOccurred())
		names := map[string]bool{}
		for _, fam := range families {
			names[fam.GetName()] = true
		}
		for _, n := range []string{"scimbridge_cycle_duration_seconds", "scimbridge_last_successful_sync_timestamp_seconds",
			"scimbridge_target_objects", "scimbridge_requests_total", "scimbridge_held_changes", "scimbridge_condition"} {
			Expect(names).To(HaveKey(n))
		}
		text := fmt.Sprint(families)
		for _, tok := range secrets.all() {
			Expect(text).NotTo(ContainSubstring(tok))
		}
	})

	It("reports a rejected target token without writing, then uses the rotated token at once", func() {
		By("creating the integration with a wrong target token")
		f := newFixture()
		f.user("erin@example.com")
		f.secret("secure-access-scim", "token", secrets.add("wrong-"+randomToken()))
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"erin@example.com"}
		})
		By("waiting for TargetVerified False/Unauthorized with no write to the target")
		Eventually(diCondition(f.ns, "okta", targetVerified)).Should(Equal("False/Unauthorized"))
		Expect(diCondition(f.ns, "okta", oktaVerified)()).To(Equal("True/Verified"))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("False/Unauthorized"))
		Expect(getDI(f.ns, "okta").Status.ObservedGeneration).To(BeEquivalentTo(1))
		Consistently(func() int { return writes(f.scim) }, time.Second).Should(BeZero())
		Eventually(func() []string { return events(f.ns, "okta", identityv1alpha1.ReasonUnauthorized) }).Should(ContainElement(
			ContainSubstring("Warning: Verify SCIM API credentials for app OKTA Integration: FAILURE")))

		By("rotating the token in the Secret")
		f.secret("secure-access-scim", "token", f.scimToken)
		By("waiting for the integration to verify, provision and be Synced")
		Eventually(diCondition(f.ns, "okta", targetVerified)).Should(Equal("True/Verified"))
		Eventually(f.scim.UserCount).Should(Equal(1))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
	})

	It("authenticates to Okta with OAuth and switches to DPoP when the app requires it", func() {
		By("registering a DPoP-only OAuth app and creating the integration with its key")
		f := newFixture()
		f.user("sam@example.com")
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		Expect(err).NotTo(HaveOccurred())
		der, err := x509.MarshalPKCS8PrivateKey(key)
		Expect(err).NotTo(HaveOccurred())
		keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		for _, line := range strings.Split(keyPEM, "\n") {
			if !strings.HasPrefix(line, "-----") && len(line) > 16 {
				secrets.add(line)
			}
		}
		f.okta.RegisterClient(oktaserver.OAuthClient{ClientID: "0oascimbridge", PublicKey: &key.PublicKey, RequireDPoP: true})
		f.secret("okta-service-app", "private.pem", keyPEM)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Okta.APITokenSecretRef = nil
			di.Spec.Okta.OAuth = &identityv1alpha1.OktaOAuth{ClientID: "0oascimbridge",
				PrivateKeySecretRef: identityv1alpha1.SecretKeySelector{Name: "okta-service-app", Key: "private.pem"}}
			di.Spec.Assignments.People = []string{"sam@example.com"}
		})
		By("waiting for the integration to be Synced")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(diCondition(f.ns, "okta", oktaVerified)()).To(Equal("True/Verified"))
		Expect(f.scim.UserCount()).To(Equal(1))
		Expect(f.okta.TokensIssued()).To(BeNumerically(">=", 1))
	})

	It("reports a missing Secret or an unusable setting without calling out", func() {
		By("creating an integration whose Secret and key are missing")
		f := newFixture()
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Okta.APITokenSecretRef.Name = "absent"
			di.Spec.Target.TokenSecretRef.Key = "nokey"
		})
		By("waiting for the credential conditions to say why")
		Eventually(diCondition(f.ns, "okta", oktaVerified)).Should(Equal("False/SecretNotFound"))
		Eventually(diCondition(f.ns, "okta", targetVerified)).Should(Equal("False/InvalidSecret"))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("False/SecretNotFound"))
		// Only a person can fix a Secret: kstatus must read it as failed.
		Expect(diCondition(f.ns, "okta", stalled)()).To(Equal("True/SecretNotFound"))

		By("creating an integration whose CA bundle is not a certificate")
		// A CA bundle that is not a certificate cannot be used.
		f.secret("private-ca", "ca.crt", "not a certificate")
		f.integration("bad-ca", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Target.CABundleSecretRef = &identityv1alpha1.SecretKeySelector{Name: "private-ca", Key: "ca.crt"}
		})
		By("waiting for it to stall, with no call to either end")
		Eventually(diCondition(f.ns, "bad-ca", stalled)).Should(Equal("True/InvalidSecret"))
		Expect(diCondition(f.ns, "bad-ca", targetVerified)()).To(Equal("False/InvalidSecret"))
		Consistently(func() int { return f.scim.TotalRequests() + int(oktaTotal(f.okta)) }, time.Second).Should(BeZero())
	})

	It("builds a new client when the target URL changes", func() {
		By("creating the integration")
		f := newFixture()
		f.user("frank@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"frank@example.com"}
		})
		By("waiting for it to be Synced")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(f.scim.UserCount()).To(Equal(1))

		By("moving the target URL to a second SCIM server")
		scim2, url2 := newSCIMServer(f.scimToken)
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Target.URL = url2 })
		By("waiting for the second target to be provisioned and the spec observed")
		Eventually(scim2.UserCount).Should(Equal(1))
		Eventually(func() bool { di := getDI(f.ns, "okta"); return di.Status.ObservedGeneration == di.Generation }).Should(BeTrue())

		By("requesting a reconcile and checking the old target is not called")
		before := f.scim.TotalRequests()
		requestReconcile(f.ns, "okta")
		Expect(f.scim.TotalRequests()).To(Equal(before), "the old target is never called again")
	})

	It("provisions a member added in Okta when a reconcile is requested", func() {
		By("creating a group with one member and its ProvisionedGroup")
		f := newFixture()
		a, b := f.user("gina@example.com"), f.user("hank@example.com")
		gid := f.group("VPN Users", a)
		f.integration("okta", nil)
		f.provisionedGroup("vpn-users", "okta", "VPN Users", nil)
		By("waiting for the group to be Ready and the cycles to settle")
		Eventually(pgCondition(f.ns, "vpn-users", ready)).Should(Equal("True/Ready"))
		settle(f)

		By("adding a member in Okta and requesting a reconcile against a slow target")
		Expect(f.okta.AddMember(gid, b)).To(Succeed())
		// A slow target makes the running cycle visible in status.
		f.scim.SetLatency(300 * time.Millisecond)
		annotate(f.ns, "okta", identityv1alpha1.ReconcileRequestedAtAnnotation, "add-hank")
		By("waiting for Reconciling to show the running cycle and the request to be handled")
		Eventually(diCondition(f.ns, "okta", identityv1alpha1.ConditionReconciling)).Should(Equal("True/CycleRunning"))
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastHandledReconcileAt }).Should(Equal("add-hank"))
		f.scim.SetLatency(0)
		By("checking the new member is provisioned and pushed")
		_, ok := f.scim.UserIDByName("hank@example.com")
		Expect(ok).To(BeTrue())
		tid, _ := f.scim.GroupIDByName("VPN Users")
		members, _ := f.scim.GroupMembers(tid)
		Expect(members).To(HaveLen(2))
		Eventually(func() *int32 { return getPG(f.ns, "vpn-users").Status.PushedMembers }).Should(HaveValue(BeEquivalentTo(2)))
	})

	It("follows a group renamed in Okta and reports a missing one", func() {
		By("creating a group, its ProvisionedGroup and one for a group that does not exist")
		f := newFixture()
		gid := f.group("Helpdesk", f.user("rita@example.com"))
		f.integration("okta", nil)
		f.provisionedGroup("helpdesk", "okta", "Helpdesk", nil)
		f.provisionedGroup("missing", "okta", "No Such Group", nil)
		By("waiting for the first to be Ready and the second GroupNotFound")
		Eventually(pgCondition(f.ns, "helpdesk", ready)).Should(Equal("True/Ready"))
		Eventually(pgCondition(f.ns, "missing", identityv1alpha1.ConditionResolved)).Should(Equal("False/GroupNotFound"))
		Expect(pgCondition(f.ns, "missing", ready)()).To(Equal("False/GroupNotFound"))
		settle(f)

		By("renaming the group in Okta and requesting a reconcile")
		Expect(f.okta.RenameGroup(gid, "Service Desk")).To(Succeed())
		requestReconcile(f.ns, "okta")
		By("waiting for the status, the event and the target group to follow the rename")
		Eventually(func() string { return getPG(f.ns, "helpdesk").Status.OktaGroupName }).Should(Equal("Service Desk"))
		Expect(getPG(f.ns, "helpdesk").Status.OktaGroupID).To(Equal(gid))
		Eventually(func() []string { return events(f.ns, "helpdesk", "GroupRenamed") }).Should(ContainElement(
			"Normal: Group Helpdesk was renamed in Okta to Service Desk; the target group follows"))
		Eventually(func() bool { _, ok := f.scim.GroupIDByName("Service Desk"); return ok }).Should(BeTrue())
	})

	It("runs no cycle because of status writes", func() {
		By("creating a group and its ProvisionedGroup")
		f := newFixture()
		a := f.user("ivan@example.com")
		f.group("Idle Group", a)
		f.integration("okta", nil)
		f.provisionedGroup("idle", "okta", "Idle Group", nil)
		By("waiting for both to be Ready and the cycles to settle")
		Eventually(pgCondition(f.ns, "idle", ready)).Should(Equal("True/Ready"))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		settle(f)
		f.okta.ResetCounts()
		f.scim.ResetCounts()

		By("writing both statuses as another writer")
		// Another writer touches both statuses; the controllers write theirs too.
		di := getDI(f.ns, "okta")
		patch := client.MergeFrom(di.DeepCopy())
		di.Status.GroupsSummary = "99/99"
		Expect(k8sClient.Status().Patch(ctx, di, patch)).To(Succeed())
		pg := getPG(f.ns, "idle")
		patch = client.MergeFrom(pg.DeepCopy())
		pg.Status.LastPushTime = &metav1.Time{Time: time.Now().Add(-time.Hour).Truncate(time.Second)}
		Expect(k8sClient.Status().Patch(ctx, pg, patch)).To(Succeed())

		By("checking no cycle calls either end")
		Consistently(func() int64 { return oktaTotal(f.okta) + int64(f.scim.TotalRequests()) }, 3*time.Second).Should(BeZero())
	})

	It("holds a mass deactivation until its plan is approved, applies it once, and holds a later larger set again", func() {
		By("creating 8 members, an integration that holds beyond one deactivation, and the group")
		f := newFixture()
		var ids []string
		for i := 1; i <= 8; i++ {
			ids = append(ids, f.user(fmt.Sprintf("user%d@example.com", i)))
		}
		gid := f.group("Contractors", ids...)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Safety.MaxDeactivations = ptr.To[int32](1)
			di.Spec.Safety.MaxDeactivationPercent = ptr.To[int32](100)
		})
		f.provisionedGroup("contractors", "okta", "Contractors", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for the 8 users to be provisioned and the cycles to settle")
		Eventually(pgCondition(f.ns, "contractors", ready)).Should(Equal("True/AssignedOnly"))
		Eventually(f.scim.UserCount).Should(Equal(8))
		settle(f)

		By("removing 2 members and requesting a reconcile")
		for _, id := range ids[:2] {
			Expect(f.okta.RemoveMember(gid, id)).To(Succeed())
		}
		requestReconcile(f.ns, "okta")
		By("checking the 2 deactivations are held")
		Expect(diCondition(f.ns, "okta", held)()).To(Equal("True/ChangesHeld"))
		h := getDI(f.ns, "okta").Status.HeldDeactivations
		Expect(h).NotTo(BeNil())
		Expect(h.Count).To(BeEquivalentTo(2))
		planID := h.PlanID
		Expect(active(f.scim, "user1@example.com")).To(BeTrue())
		Eventually(func() []string { return events(f.ns, "okta", "DeactivationsHeld") }).ShouldNot(BeEmpty())

		By("approving the plan")
		annotate(f.ns, "okta", identityv1alpha1.ApproveDeactivationsAnnotation, planID)
		By("waiting for the approved plan to be applied once")
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastApprovedPlanID }).Should(Equal(planID))
		Expect(active(f.scim, "user1@example.com")).To(BeFalse())
		Expect(active(f.scim, "user2@example.com")).To(BeFalse())
		Expect(diCondition(f.ns, "okta", held)()).To(Equal("False/NoneHeld"))
		// The annotation stays (Argo CD owns it); the approval is not applied again.
		Expect(getDI(f.ns, "okta").Annotations).To(HaveKeyWithValue(identityv1alpha1.ApproveDeactivationsAnnotation, planID))
		patches := f.scim.Count("PATCH", "/Users/{id}")
		requestReconcile(f.ns, "okta")
		Expect(f.scim.Count("PATCH", "/Users/{id}")).To(Equal(patches))

		By("removing 4 more members and requesting a reconcile")
		for _, id := range ids[2:6] {
			Expect(f.okta.RemoveMember(gid, id)).To(Succeed())
		}
		requestReconcile(f.ns, "okta")
		By("checking the larger set is held under a new plan")
		h = getDI(f.ns, "okta").Status.HeldDeactivations
		Expect(h).NotTo(BeNil())
		Expect(h.PlanID).NotTo(Equal(planID))
		Expect(h.Count).To(BeEquivalentTo(4))
		Expect(active(f.scim, "user3@example.com")).To(BeTrue())
		Expect(getDI(f.ns, "okta").Status.LastApprovedPlanID).To(Equal(planID))
	})

	It("plans without writing in dry run", func() {
		By("creating a dry-run integration for two users")
		f := newFixture()
		f.user("jane@example.com")
		f.user("kyle@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.DryRun = true
			di.Spec.Assignments.People = []string{"jane@example.com", "kyle@example.com"}
		})
		By("waiting for the plan in status")
		Eventually(func() *identityv1alpha1.PlanSummary { return getDI(f.ns, "okta").Status.Plan }).ShouldNot(BeNil())
		By("checking the plan, the conditions and that nothing was written")
		plan := getDI(f.ns, "okta").Status.Plan
		Expect(plan.PlanID).NotTo(BeEmpty())
		Expect(plan.Created).To(BeEquivalentTo(2))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("True/DryRun"))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("False/DryRun"))
		Consistently(func() int { return writes(f.scim) }, time.Second).Should(BeZero())
		Expect(f.scim.UserCount()).To(BeZero())
	})

	It("makes no calls while suspended", func() {
		By("creating a suspended integration")
		f := newFixture()
		f.user("lena@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Suspend = true
			di.Spec.Assignments.People = []string{"lena@example.com"}
		})
		By("waiting for Ready False/Suspended with no calls")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("False/Suspended"))
		Consistently(func() int64 { return oktaTotal(f.okta) + int64(f.scim.TotalRequests()) }).Should(BeZero())

		By("resuming it")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Suspend = false })
		By("waiting for it to be Synced")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		By("suspending it again")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Suspend = true })
		By("waiting for Ready False/Suspended")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("False/Suspended"))
		By("requesting a reconcile and checking it makes no calls")
		f.okta.ResetCounts()
		f.scim.ResetCounts()
		annotate(f.ns, "okta", identityv1alpha1.ReconcileRequestedAtAnnotation, "now")
		Consistently(func() int64 { return oktaTotal(f.okta) + int64(f.scim.TotalRequests()) }).Should(BeZero())
	})

	Context("deleting a ProvisionedGroup", func() {
		It("deletes the target group with deletionPolicy Delete", func() {
			By("creating a pushed group with deletionPolicy Delete")
			f := pushedGroup("engineering", "Engineering", "mia@example.com", identityv1alpha1.DeletionPolicyDelete)
			Expect(getPG(f.ns, "engineering").Finalizers).To(ContainElement("identity.scimbridge.io/delete-target-group"))
			_, ok := f.scim.GroupIDByName("Engineering")
			Expect(ok).To(BeTrue())

			By("deleting the ProvisionedGroup")
			Expect(k8sClient.Delete(ctx, getPG(f.ns, "engineering"))).To(Succeed())
			By("waiting for it to be gone, with the target group deleted")
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, key(f.ns, "engineering"), &identityv1alpha1.ProvisionedGroup{}))
			}).Should(BeTrue())
			_, ok = f.scim.GroupIDByName("Engineering")
			Expect(ok).To(BeFalse())
			Eventually(func() []string { return events(f.ns, "engineering", "GroupDeleted") }).Should(ContainElement(
				"Normal: Group Push group Engineering deleted in target OKTA Integration. SUCCESS"))
			Expect(events(f.ns, "engineering", "FinalizerReleased")).To(BeEmpty())
		})

		It("keeps the target group with deletionPolicy Retain", func() {
			By("creating a pushed group with deletionPolicy Retain")
			f := pushedGroup("marketing", "Marketing", "nora@example.com", identityv1alpha1.DeletionPolicyRetain)
			Expect(getPG(f.ns, "marketing").Finalizers).To(BeEmpty())

			By("deleting the ProvisionedGroup")
			Expect(k8sClient.Delete(ctx, getPG(f.ns, "marketing"))).To(Succeed())
			By("waiting for it to be gone, with the target group kept")
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, key(f.ns, "marketing"), &identityv1alpha1.ProvisionedGroup{}))
			}).Should(BeTrue())
			Consistently(func() bool { _, ok := f.scim.GroupIDByName("Marketing"); return ok }, time.Second).Should(BeTrue())
		})

		It("releases the finalizer with a Warning when the integration is gone", func() {
			By("creating a pushed group with deletionPolicy Delete")
			f := pushedGroup("finance", "Finance", "omar@example.com", identityv1alpha1.DeletionPolicyDelete)

			By("deleting the integration, then the ProvisionedGroup")
			Expect(k8sClient.Delete(ctx, getDI(f.ns, "okta"))).To(Succeed())
			Expect(k8sClient.Delete(ctx, getPG(f.ns, "finance"))).To(Succeed())
			By("waiting for the finalizer to be released with a Warning")
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, key(f.ns, "finance"), &identityv1alpha1.ProvisionedGroup{}))
			}).Should(BeTrue())
			Eventually(func() []string { return events(f.ns, "finance", "FinalizerReleased") }).Should(ContainElement(
				ContainSubstring(`Warning: Group Push group Finance was not deleted in the target within 3s because its DirectoryIntegration "okta" no longer exists`)))
			_, ok := f.scim.GroupIDByName("Finance")
			Expect(ok).To(BeTrue(), "deleting an integration deprovisions nothing")
		})
	})

	Context("duplicates", func() {
		It("stalls a second integration writing the same target with the same token", func() {
			By("creating the integration")
			f := newFixture()
			f.user("paul@example.com")
			f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
				di.Spec.Assignments.People = []string{"paul@example.com"}
			})
			By("waiting for it to be Synced")
			Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
			By("creating a second integration with the same target and token")
			f.integration("okta-copy", nil)
			By("waiting for the second to stall as DuplicateTarget")
			Eventually(diCondition(f.ns, "okta-copy", stalled)).Should(Equal("True/DuplicateTarget"))
			Expect(diCondition(f.ns, "okta-copy", ready)()).To(Equal("False/DuplicateTarget"))
			Expect(getDI(f.ns, "okta-copy").Status.ObservedGeneration).To(BeEquivalentTo(1))
			By("requesting a reconcile of the first and checking it stays Synced")
			requestReconcile(f.ns, "okta")
			Expect(diCondition(f.ns, "okta", ready)()).To(Equal("True/Synced"))
		})

		It("stalls a second ProvisionedGroup for the same Okta group", func() {
			By("creating a group and its ProvisionedGroup")
			f := newFixture()
			f.group("Sales", f.user("quinn@example.com"))
			f.integration("okta", nil)
			f.provisionedGroup("sales", "okta", "Sales", nil)
			By("waiting for it to be Ready")
			Eventually(pgCondition(f.ns, "sales", ready)).Should(Equal("True/Ready"))
			By("creating a second ProvisionedGroup for the same Okta group")
			f.provisionedGroup("sales-again", "okta", "Sales", func(pg *identityv1alpha1.ProvisionedGroup) {
				pg.Spec.TargetDisplayName = "Sales (copy)"
			})
			By("waiting for the second to stall as DuplicateGroup, the first staying Ready")
			Eventually(pgCondition(f.ns, "sales-again", stalled)).Should(Equal("True/DuplicateGroup"))
			Expect(pgCondition(f.ns, "sales-again", ready)()).To(Equal("False/DuplicateGroup"))
			Consistently(pgCondition(f.ns, "sales", ready), time.Second).Should(Equal("True/Ready"))
			_, ok := f.scim.GroupIDByName("Sales (copy)")
			Expect(ok).To(BeFalse())
		})
	})
})

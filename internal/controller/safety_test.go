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
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

var _ = Describe("Safety", func() {
	It("deactivates nobody when a group drops out of the configuration as a duplicate after an Okta rename", func() {
		By("creating four users in two groups, the integration and the sales group")
		f := newFixture()
		s1, s2 := f.user("sam@example.com"), f.user("sue@example.com")
		m1, m2 := f.user("mia@example.com"), f.user("max@example.com")
		f.group("Revenue", s1, s2)
		marketing := f.group("Marketing", m1, m2)
		f.integration("okta", nil)
		f.provisionedGroup("sales", "okta", "Revenue", func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.TargetDisplayName = "Revenue Team"
		})
		By("waiting for sales to be Ready")
		Eventually(pgCondition(f.ns, "sales", ready)).Should(Equal("True/Ready"))
		By("creating the marketing group, younger than sales")
		// The younger of two duplicates stalls; creation times have whole seconds.
		time.Sleep(1100 * time.Millisecond)
		f.provisionedGroup("marketing", "okta", "", func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.OktaGroup = identityv1alpha1.OktaGroupReference{ID: marketing}
		})
		By("waiting for marketing to be Ready, the users provisioned and the cycles settled")
		Eventually(pgCondition(f.ns, "marketing", ready)).Should(Equal("True/Ready"))
		Eventually(f.scim.UserCount).Should(Equal(4))
		settle(f)

		By("renaming marketing's Okta group onto the name sales pushes to")
		Expect(f.okta.RenameGroup(marketing, "Revenue Team")).To(Succeed())
		requestReconcile(f.ns, "okta")
		By("waiting for marketing to stall as a duplicate")
		Eventually(pgCondition(f.ns, "marketing", stalled)).Should(Equal("True/DuplicateGroup"))
		By("requesting a reconcile and checking nobody was deactivated")
		requestReconcile(f.ns, "okta")
		Expect(active(f.scim, "mia@example.com")).To(BeTrue())
		Expect(active(f.scim, "max@example.com")).To(BeTrue())
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("False/SourceIncomplete"))
		Expect(conditionOf(getDI(f.ns, "okta"), synced).Message).To(ContainSubstring("stalled as a duplicate"))
	})

	It("verifies each end under its own deadline", func() {
		By("creating an integration whose Okta org answers after the verify deadline")
		f := newFixture()
		f.user("slow@example.com")
		f.okta.SetLatency(verifyTimeout + time.Second)
		DeferCleanup(f.okta.ClearFaults)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"slow@example.com"}
		})
		By("waiting for OktaVerified False/Unreachable, the target verified and a retry scheduled")
		Eventually(diCondition(f.ns, "okta", oktaVerified), 3*verifyTimeout).Should(Equal("False/Unreachable"))
		Expect(diCondition(f.ns, "okta", targetVerified)()).To(Equal("True/Verified"))
		Expect(diCondition(f.ns, "okta", identityv1alpha1.ConditionReconciling)()).To(Equal("True/RetryScheduled"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(BeEmpty())
	})

	It("stops writing and flips TargetVerified at the first 401 of a cycle", func() {
		By("creating 30 users and an integration against a target that answers 401 to creates")
		f := newFixture()
		var people []string
		for i := range 30 {
			people = append(people, f.userN(i))
		}
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Status: 401})
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Assignments.People = people })
		By("waiting for TargetVerified False/Unauthorized and checking the writes stopped")
		Eventually(diCondition(f.ns, "okta", targetVerified)).Should(Equal("False/Unauthorized"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(Equal("True/Unauthorized"))
		Expect(f.scim.Count("POST", "/Users")).To(BeNumerically("<=", 8), "only the creates already in flight were sent")
	})

	It("keeps a token that a server echoes out of every condition, event and log", func() {
		By("creating an integration against an Okta org that echoes the token in its errors")
		f := newFixture()
		token := secrets.add("00aEchoedApiToken" + randomToken())
		echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"errorCode": "E0000011", "errorSummary": "Invalid token provided: " + r.Header.Get("Authorization")})
		}))
		DeferCleanup(echo.Close)
		f.secret("echo-token", "token", token)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Okta.OrgURL = echo.URL
			di.Spec.Okta.APITokenSecretRef.Name = "echo-token"
		})
		f.provisionedGroup("echoed", "okta", "Any", nil)
		By("waiting for OktaVerified False/Unauthorized and checking the message is redacted")
		Eventually(diCondition(f.ns, "okta", oktaVerified)).Should(Equal("False/Unauthorized"))
		msg := conditionOf(getDI(f.ns, "okta"), oktaVerified).Message
		Expect(msg).To(ContainSubstring("[REDACTED]"))
		Expect(msg).NotTo(ContainSubstring(token))
		// The AfterSuite check covers logs, events and every status.
	})

	It("never lets a broken integration block a valid one, and names no object of another namespace", func() {
		By("creating an integration whose Okta Secret is missing")
		f := newFixture()
		f.user("first@example.com")
		// Created first, but its Okta Secret is missing: it never calls anyone.
		f.integration("broken", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Okta.APITokenSecretRef.Name = "absent" })
		By("waiting for it to report the Secret")
		Eventually(diCondition(f.ns, "broken", oktaVerified)).Should(Equal("False/SecretNotFound"))
		By("creating a valid integration")
		f.integration("valid", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"first@example.com"}
		})
		By("waiting for the valid one to be Synced")
		Eventually(diCondition(f.ns, "valid", ready)).Should(Equal("True/Synced"))

		By("another namespace naming the same target with the right token")
		// Creation times have whole seconds: make the copy clearly younger.
		time.Sleep(1100 * time.Millisecond)
		other := f.otherNamespace()
		other.integration("copy", nil)
		Eventually(diCondition(other.ns, "copy", stalled)).Should(Equal("True/DuplicateTarget"))
		msg := conditionOf(getDI(other.ns, "copy"), stalled).Message
		Expect(msg).NotTo(ContainSubstring(f.ns))
		Expect(msg).NotTo(ContainSubstring("valid"))

		By("and with a wrong guess: the target's own answer, nothing more")
		other.secret("secure-access-scim", "token", secrets.add("guess-"+randomToken()))
		other.integration("guess", nil)
		Eventually(diCondition(other.ns, "guess", targetVerified)).Should(Equal("False/Unauthorized"))
		Consistently(diCondition(other.ns, "guess", stalled), time.Second).Should(Equal("True/Unauthorized"))
	})

	It("holds and releases the same content twice under two plan ids", func() {
		By("creating 20 users in a group and the integration")
		f := newFixture()
		var ids []string
		for i := range 20 {
			ids = append(ids, f.oktaUserN(i))
		}
		f.group("Everyone", ids...)
		f.integration("okta", nil)
		f.provisionedGroup("everyone", "okta", "Everyone", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for the users to be provisioned, the integration Synced and the cycles settled")
		Eventually(f.scim.UserCount).Should(Equal(20))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		settle(f)
		suspend := func(status string) {
			for _, id := range ids[:6] {
				Expect(f.okta.SetStatus(id, status)).To(Succeed())
			}
			requestReconcile(f.ns, "okta")
		}
		By("suspending six users: the first plan is held")
		suspend("SUSPENDED")
		first := getDI(f.ns, "okta").Status.HeldDeactivations
		Expect(first).NotTo(BeNil())
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("False/ChangesHeld"))
		By("approving the first plan")
		annotate(f.ns, "okta", identityv1alpha1.ApproveDeactivationsAnnotation, first.PlanID)
		By("waiting for the first plan to be applied")
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastApprovedPlanID }).Should(Equal(first.PlanID))

		By("reactivating the six")
		suspend("ACTIVE")
		By("waiting for all 20 to be active")
		Eventually(func() int32 { return getDI(f.ns, "okta").Status.Users.Active }).Should(BeEquivalentTo(20))
		By("suspending the six again: a second plan is held")
		suspend("SUSPENDED")
		second := getDI(f.ns, "okta").Status.HeldDeactivations
		Expect(second).NotTo(BeNil())
		Expect(second.PlanID).NotTo(Equal(first.PlanID))
		By("approving the second plan")
		annotate(f.ns, "okta", identityv1alpha1.ApproveDeactivationsAnnotation, second.PlanID)
		By("waiting for it to be applied")
		Eventually(func() int32 { return getDI(f.ns, "okta").Status.Users.Active }).Should(BeEquivalentTo(14))
	})
})

var _ = Describe("Metrics", func() {
	It("drops the Stalled series when the stall clears, splits held changes by kind, and exports a last-success time from the start", func() {
		By("creating an integration whose Okta Secret is missing")
		f := newFixture()
		f.user("m@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Okta.APITokenSecretRef.Name = "missing"
			di.Spec.Assignments.People = []string{"m@example.com"}
		})
		By("waiting for the stall and its series, and reading the last-success gauge")
		Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/SecretNotFound"))
		integration := map[string]string{"namespace": f.ns, "integration": "okta"}
		stalledSeries := map[string]string{"kind": "DirectoryIntegration", "namespace": f.ns, "name": "okta", "type": "Stalled", "status": "true"}
		Eventually(func() float64 { v, _ := gauge("scimbridge_condition", stalledSeries); return v }).Should(BeEquivalentTo(1))
		last, ok := gauge("scimbridge_last_successful_sync_timestamp_seconds", integration)
		Expect(ok).To(BeTrue(), "the gauge exists before the first success")
		Expect(last).To(BeZero())

		By("fixing the Secret clears the stall and its series")
		f.secret("missing", "token", f.okta.APIToken())
		By("waiting for Synced, the series gone and a last-success time")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Eventually(func() bool { _, ok := gauge("scimbridge_condition", stalledSeries); return ok }).Should(BeFalse())
		Eventually(func() float64 {
			v, _ := gauge("scimbridge_last_successful_sync_timestamp_seconds", integration)
			return v
		}).Should(BeNumerically(">", 0))
		for _, kind := range []string{"deactivation", "rename", "member_removal"} {
			v, ok := gauge("scimbridge_held_changes", map[string]string{"namespace": f.ns, "integration": "okta", "kind": kind})
			Expect(ok).To(BeTrue(), kind)
			Expect(v).To(BeZero())
		}
	})
})

// conditionOf returns a condition of an integration.
func conditionOf(di *identityv1alpha1.DirectoryIntegration, typ string) metav1.Condition {
	GinkgoHelper()
	for _, c := range di.Status.Conditions {
		if c.Type == typ {
			return c
		}
	}
	Fail("no " + typ + " condition")
	return metav1.Condition{}
}

// otherNamespace is a second namespace with the same Okta org and target
// and its own Secrets holding the same credentials.
func (f *fixture) otherNamespace() *fixture {
	GinkgoHelper()
	o := *f
	o.ns = f.ns + "-other"
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: o.ns}})).To(Succeed())
	o.secret("okta-api-token", "token", f.okta.APIToken())
	o.secret("secure-access-scim", "token", f.scimToken)
	return &o
}

// userN adds user<i>@example.com and returns its login; oktaUserN its id.
func (f *fixture) userN(i int) string {
	login := fmt.Sprintf("user%02d@example.com", i)
	f.user(login)
	return login
}

func (f *fixture) oktaUserN(i int) string { return f.user(fmt.Sprintf("member%02d@example.com", i)) }

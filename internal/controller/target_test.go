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

// bulkTarget replaces the fixture's SCIM server by one that advertises Bulk.
func (f *fixture) bulkTarget() {
	srv, err := scimserver.New(scimserver.Options{Token: f.scimToken, Bulk: true})
	Expect(err).NotTo(HaveOccurred())
	u, err := srv.Listen("127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = srv.Close() })
	f.scim, f.scimURL = srv, u
}

func targetStatus(ns, name string) *identityv1alpha1.TargetStatus {
	if t := getDI(ns, name).Status.Target; t != nil {
		return t
	}
	return &identityv1alpha1.TargetStatus{Pacing: &identityv1alpha1.TargetPacing{}}
}

var _ = Describe("How cycles talk to the target", func() {
	It("writes in Bulk requests when the target advertises Bulk, and says so", func() {
		By("creating two users in a pushed group against a target that advertises Bulk")
		f := newFixture()
		f.bulkTarget()
		a, b := f.user("alice@example.com"), f.user("bob@example.com")
		f.group("OKTA - Secure Access Users", a, b)
		f.integration("okta", nil)
		f.provisionedGroup("secure-access-users", "okta", "OKTA - Secure Access Users", nil)

		By("waiting for Synced and status.target.bulk Used")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Eventually(func() *identityv1alpha1.TargetBulk { return targetStatus(f.ns, "okta").Bulk }).Should(
			HaveField("State", identityv1alpha1.TargetBulkUsed))
		By("checking the writes went in Bulk")
		st := targetStatus(f.ns, "okta")
		Expect(st.Bulk.MaxOperations).To(BeEquivalentTo(1000))
		Expect(st.Bulk.Requests).To(BeNumerically(">=", 1))
		Expect(f.scim.Count(http.MethodPost, "/Bulk")).To(BeNumerically(">=", 1))
		Expect(f.scim.Count(http.MethodPost, "/Users")).To(BeZero())
		Expect(active(f.scim, "alice@example.com")).To(BeTrue())
	})

	It("falls back to single requests when the target advertises Bulk but refuses it, and says so", func() {
		By("creating two users in a pushed group against a target that advertises Bulk and refuses it")
		f := newFixture()
		f.bulkTarget()
		f.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: http.MethodPost, Path: "/Bulk", Status: http.StatusNotImplemented})
		a, b := f.user("alice@example.com"), f.user("bob@example.com")
		f.group("OKTA - Secure Access Users", a, b)
		f.integration("okta", nil)
		f.provisionedGroup("secure-access-users", "okta", "OKTA - Secure Access Users", nil)

		By("waiting for Synced and status.target.bulk Rejected")
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Eventually(func() *identityv1alpha1.TargetBulk { return targetStatus(f.ns, "okta").Bulk }).Should(
			HaveField("State", identityv1alpha1.TargetBulkRejected))
		By("checking the message and the single requests")
		msg := targetStatus(f.ns, "okta").Bulk.Message
		Expect(msg).To(ContainSubstring("refused a Bulk request"))
		Expect(msg).To(ContainSubstring("501"))
		Expect(msg).To(ContainSubstring("single requests are used"))
		Expect(f.scim.Count(http.MethodPost, "/Users")).To(Equal(2))
		Expect(active(f.scim, "bob@example.com")).To(BeTrue())
	})

	It("shows the pacing it learned, and a Fixed rate when asked, and does not use Bulk when switched off", func() {
		By("creating a user in a pushed group against a Bulk target")
		f := newFixture()
		f.bulkTarget()
		f.group("OKTA - Secure Access Users", f.user("alice@example.com"))
		f.integration("okta", nil)
		f.provisionedGroup("secure-access-users", "okta", "OKTA - Secure Access Users", nil)
		By("waiting for the user and reading the learned pacing")
		Eventually(func() string { return getDI(f.ns, "okta").Status.UsersSummary }).Should(Equal("1/1"))
		p := targetStatus(f.ns, "okta").Pacing
		Expect(p.Mode).To(Equal(identityv1alpha1.PacingAdaptive))
		Expect(p.MaxRequestsPerSecond).To(BeEquivalentTo(200))
		Expect(p.RequestsPerSecond).To(MatchRegexp(`^[0-9]+\.[0-9]$`))
		Expect(p.MaxInFlight).To(BeNumerically(">=", 1))

		By("switching to a Fixed rate of 30 and Bulk off, and assigning a second user")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Target.RateLimit = &identityv1alpha1.TargetRateLimit{Mode: identityv1alpha1.PacingFixed, MaxRequestsPerSecond: ptr.To[int32](30)}
			di.Spec.Target.Bulk = identityv1alpha1.BulkDisabled
		})
		f.user("bob@example.com")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"bob@example.com"}
		})
		By("waiting for the Fixed rate, Bulk Disabled and the second user")
		Eventually(func() string { return targetStatus(f.ns, "okta").Pacing.RequestsPerSecond }).Should(Equal("30.0"))
		Eventually(func() *identityv1alpha1.TargetBulk { return targetStatus(f.ns, "okta").Bulk }).Should(
			HaveField("State", identityv1alpha1.TargetBulkDisabled))
		Eventually(func() bool { return active(f.scim, "bob@example.com") }).Should(BeTrue())
		By("checking the pacing, its gauge and that the second user went alone")
		p = targetStatus(f.ns, "okta").Pacing
		Expect(p.Mode).To(Equal(identityv1alpha1.PacingFixed))
		Expect(p.MaxRequestsPerSecond).To(BeEquivalentTo(30))
		Eventually(func() float64 {
			v, _ := gauge("scimbridge_target_rate_requests_per_second", map[string]string{"namespace": f.ns, "integration": "okta"})
			return v
		}).Should(Equal(30.0))
		Expect(f.scim.Count(http.MethodPost, "/Users")).To(Equal(1), "bob went alone once Bulk was switched off")
	})
})

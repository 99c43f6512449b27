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

package e2e

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

var _ = Describe("approval across a crash of the manager binary", func() {
	It("applies nothing outside the approved set after kill -9 mid-apply, and keeps what remains visible", func() {
		By("seeding 40 users in one group and applying the samples, holding beyond 5 deactivations")
		const ns = "crash-approval"
		Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
		f, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		gid, err := f.Okta.AddGroup(oktaserver.GroupSpec{Name: "All Staff"})
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for i := range 40 {
			login := fmt.Sprintf("staff%02d@example.com", i)
			id, err := f.Okta.AddUser(oktaserver.UserSpec{Login: login, Email: login, FirstName: "Staff", LastName: fmt.Sprint(i)})
			Expect(err).NotTo(HaveOccurred())
			Expect(f.Okta.AddMember(gid, id)).To(Succeed())
			ids = append(ids, id)
		}
		samples, err := localenv.ApplySamples(ctx, cp.Client, ns, f, func(s *localenv.Samples) {
			s.Integration.Spec.Safety.MaxDeactivations = ptr.To[int32](5)
			s.Group.Spec.OktaGroup = v1.OktaGroupReference{ID: gid}
			s.Group.Spec.Push = false
		})
		Expect(err).NotTo(HaveOccurred())
		key := client.ObjectKeyFromObject(samples.Integration)
		By("waiting for the 40 users to be provisioned")
		Eventually(func() int { return len(activeUserNames(f)) }).Should(Equal(40))
		Eventually(func() string { return getDI(key).Status.UsersSummary }).Should(Equal("40/40"))

		By("suspending 24 users: the set is held")
		for _, id := range ids[:24] {
			Expect(f.Okta.Suspend(id)).To(Succeed())
		}
		trigger(key)
		var held *v1.HeldDeactivations
		Eventually(func() *v1.HeldDeactivations { held = getDI(key).Status.HeldDeactivations; return held }).ShouldNot(BeNil())
		Expect(held.Deactivations).To(BeEquivalentTo(24))

		By("approving it and killing the manager while the deactivations are sent")
		f.SCIM.SetLatency(400 * time.Millisecond)
		f.Audit.Reset()
		annotateDI(key, v1.ApproveDeactivationsAnnotation, held.PlanID)
		Eventually(f.Audit.Deactivations, time.Minute, 10*time.Millisecond).Should(BeNumerically(">=", 8))
		mgr.Kill()
		// Requests already in flight still land: count once they have.
		Eventually(func() int {
			n := f.Audit.Deactivations()
			time.Sleep(time.Second)
			return f.Audit.Deactivations() - n
		}).Should(BeZero())
		landed := f.Audit.Deactivations()
		AddReportEntry("approved deactivations sent before the kill", landed)
		Expect(landed).To(BeNumerically("<", 24), "the kill landed after the approved set was applied")

		By("suspending three more users while the manager is down, then restarting it")
		for _, id := range ids[24:27] {
			Expect(f.Okta.Suspend(id)).To(Succeed())
		}
		f.SCIM.SetLatency(0)
		mgr = startManager("manager-after-approval-crash")
		remaining := 24 - landed + 3
		Eventually(func(g Gomega) {
			h := getDI(key).Status.HeldDeactivations
			g.Expect(h).NotTo(BeNil())
			g.Expect(h.PlanID).NotTo(Equal(held.PlanID))
			g.Expect(h.Deactivations).To(BeEquivalentTo(remaining))
		}, 2*time.Minute).Should(Succeed())
		Consistently(f.Audit.Deactivations, 3*time.Second).Should(Equal(landed), "nothing outside the approved set was deactivated")
		Expect(len(activeUserNames(f))).To(Equal(40 - landed))
		di := getDI(key)
		Expect(condition(di.Status.Conditions, v1.ConditionStalled)).To(HaveField("Reason", v1.ReasonChangesHeld))
	})
})

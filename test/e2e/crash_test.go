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
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// crashUsers is sized so the initial sync lasts long enough to be killed in
// the middle on two cores, and the whole suite stays within budget.
const crashUsers = 3000

var _ = Describe("crash safety of the manager binary", func() {
	It("converges to exactly the desired state after kill -9 in the middle of an initial sync", func() {
		const ns = "crash"
		Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())

		By("seeding a larger org with its own Okta emulator and SCIM server")
		big, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		defer big.Close()
		_, groups, err := big.Okta.Generate(oktaserver.GenOptions{Users: crashUsers, Groups: 3, Seed: 42})
		Expect(err).NotTo(HaveOccurred())
		allStaff := groups[0]
		big.SCIM.SetLatency(4 * time.Millisecond)

		By("applying an integration that assigns and pushes All Staff")
		samples, err := localenv.ApplySamples(ctx, cp.Client, ns, big, func(s *localenv.Samples) {
			// Any deactivation would be held, never sent.
			s.Integration.Spec.Safety.MaxDeactivations = ptr.To[int32](0)
			s.Group.Spec.OktaGroup = v1.OktaGroupReference{ID: allStaff}
		})
		Expect(err).NotTo(HaveOccurred())

		By("killing the manager with SIGKILL once part of the users exist")
		Eventually(big.SCIM.UserCount, time.Minute, 20*time.Millisecond).Should(BeNumerically(">=", crashUsers/10))
		mgr.Kill()
		killedAt := big.SCIM.UserCount()
		AddReportEntry("users in the target when the manager was killed", killedAt)
		Expect(killedAt).To(BeNumerically("<", expectedActive(big, allStaff)), "the kill landed after the sync finished")

		By("starting the manager again")
		big.Audit.Reset()
		mgr = startManager("manager-restarted")
		big.SCIM.SetLatency(0)

		By("waiting for the integration to converge")
		diKey := client.ObjectKeyFromObject(samples.Integration)
		restart := metav1.Now()
		Eventually(func(g Gomega) {
			di := getDI(diKey)
			g.Expect(di.Status.LastSyncTime).NotTo(BeNil())
			g.Expect(di.Status.LastSyncTime.After(restart.Add(-time.Second))).To(BeTrue())
			g.Expect(condition(di.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("True")))
			g.Expect(condition(di.Status.Conditions, v1.ConditionSynced)).To(HaveField("Status", BeEquivalentTo("True")))
		}, 3*time.Minute).Should(Succeed())

		By("checking the target holds exactly the desired state")
		want := desiredActive(big, allStaff)
		byExternal := map[string]int{}
		var linked []string
		for _, u := range targetUsers(big) {
			Expect(u.ExternalID).NotTo(BeEmpty(), "orphan user %s without externalId", u.UserName)
			byExternal[u.ExternalID]++
			Expect(u.IsActive()).To(BeTrue(), "user %s was deactivated", u.UserName)
			linked = append(linked, u.ExternalID)
		}
		for ext, n := range byExternal {
			Expect(n).To(Equal(1), "two target users share externalId %s", ext)
		}
		slices.Sort(linked)
		Expect(linked).To(Equal(want), "every desired user linked exactly once, nobody else")

		members := groupMemberNames(big, "All Staff")
		Expect(members).To(HaveLen(len(want)), "memberships complete")
		Expect(big.Audit.Deactivations()).To(BeZero(), "deactivation PATCHes after the restart")
		AddReportEntry("409 answers the restarted manager met", big.Audit.Status(409))
		GinkgoWriter.Printf("crash test: killed at %d/%d users; restart met %d conflicts (409)\n", killedAt, len(want), big.Audit.Status(409))
	})
})

// desiredActive returns the Okta ids of the group's members that are
// provisioned as active users.
func desiredActive(f *localenv.Fakes, groupID string) []string {
	ids, err := f.Okta.Members(groupID)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, id := range ids {
		status, err := f.Okta.UserStatus(id)
		Expect(err).NotTo(HaveOccurred())
		switch status {
		case "ACTIVE", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT":
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func expectedActive(f *localenv.Fakes, groupID string) int { return len(desiredActive(f, groupID)) }

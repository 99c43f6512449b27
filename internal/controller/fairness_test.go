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

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// Fairness of the cycle pool: long initial syncs must not keep a small
// integration from becoming Ready. Cycles used to run inside the four
// reconcile workers, so four long syncs held every other integration.
var _ = Describe("Cycle pool fairness", func() {
	It("makes a small integration Ready within twice its time alone while four initial syncs of 3000 users run", func() {
		By("timing a small integration alone, after a first one warmed the manager's caches")
		timeSmallIntegration("warmup")
		alone := timeSmallIntegration("alone")
		GinkgoWriter.Printf("small integration alone: Ready in %v\n", alone)

		By("starting four initial syncs of 3000 users against slowed targets")
		var big []*fixture
		for i := range 4 {
			f := newFixture()
			_, groups, err := f.okta.Generate(oktaserver.GenOptions{Users: 3000, Groups: 1, Seed: uint64(i + 1)})
			Expect(err).NotTo(HaveOccurred())
			f.scim.SetLatency(20 * time.Millisecond)
			f.integration("big", nil)
			f.provisionedGroup("all-staff", "big", "All Staff", nil)
			Expect(groups).To(HaveLen(1))
			big = append(big, f)
		}
		DeferCleanup(func() {
			// Deleting an integration cancels its cycle, so the syncs do
			// not run on into the specs that follow.
			for _, f := range big {
				di := &identityv1alpha1.DirectoryIntegration{}
				di.Namespace, di.Name = f.ns, "big"
				Expect(k8sClient.Delete(ctx, di)).To(Succeed())
			}
		})
		for _, f := range big {
			Eventually(func() int { return writes(f.scim) }, 60*time.Second).Should(BeNumerically(">", 20))
			Expect(diCondition(f.ns, "big", identityv1alpha1.ConditionReconciling)()).
				To(Equal("True/" + identityv1alpha1.ReasonCycleRunning))
		}
		Expect(writes(big[0].scim)).To(BeNumerically("<", 2000), "the initial syncs are still in flight")

		By("timing a small integration beside them")
		loaded := timeSmallIntegration("loaded")
		GinkgoWriter.Printf("small integration beside 4 initial syncs: Ready in %v (alone %v)\n", loaded, alone)
		for _, f := range big {
			Expect(writes(f.scim)).To(BeNumerically("<", 3000), "the long syncs were still running when the small one became Ready")
		}
		// Readiness is polled every 100ms; a floor of one second keeps the
		// bound from measuring the poll instead of the pool.
		Expect(loaded).To(BeNumerically("<=", 2*max(alone, time.Second)))
	})
})

// timeSmallIntegration creates a 3-user integration with one group and
// returns how long it took to become Ready.
func timeSmallIntegration(name string) time.Duration {
	f := newFixture()
	var ids []string
	for i := range 3 {
		ids = append(ids, f.user(fmt.Sprintf("%s%d@example.com", name, i)))
	}
	f.group("Small", ids...)
	start := time.Now()
	f.integration(name, nil)
	f.provisionedGroup("small", name, "Small", nil)
	// Ready with the users in sync: the first cycle may run before the
	// group is resolved, and is Ready with nothing in scope.
	Eventually(func() string {
		di := getDI(f.ns, name)
		return condition(di.Status.Conditions, identityv1alpha1.ConditionReady) + " " + di.Status.UsersSummary
	}, 60*time.Second).Should(MatchRegexp(`^True/\S+ 3/3$`))
	return time.Since(start)
}

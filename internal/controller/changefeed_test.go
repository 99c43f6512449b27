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
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

const changeFeed = identityv1alpha1.ConditionChangeFeed

// feedFixture provisions a pushed group of four users with the default
// syncInterval (10m), so anything that reaches the target within the
// specs' timeouts came through the change feed.
func feedFixture(mutate func(*fixture, *identityv1alpha1.DirectoryIntegration)) (*fixture, string, map[string]string) {
	GinkgoHelper()
	f := newFixture()
	ids := map[string]string{}
	for _, login := range []string{"ann@example.com", "bob@example.com", "cara@example.com", "dan@example.com"} {
		ids[login] = f.user(login)
	}
	eng := f.group("eng", ids["ann@example.com"], ids["bob@example.com"], ids["cara@example.com"])
	f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
		di.Spec.Safety.MaxDeactivations = ptr.To[int32](10)
		di.Spec.Safety.MaxDeactivationPercent = ptr.To[int32](100)
		if mutate != nil {
			mutate(f, di)
		}
	})
	f.provisionedGroup("eng", "okta", "eng", nil)
	// A first cycle may run before the group exists: wait for its push.
	Eventually(pgCondition(f.ns, "eng", ready), time.Minute).Should(Equal("True/Ready"))
	Eventually(func() bool {
		gid, _ := f.scim.GroupIDByName("eng")
		m, _ := f.scim.GroupMembers(gid)
		return len(m) == 3
	}).Should(BeTrue())
	Eventually(diCondition(f.ns, "okta", synced), time.Minute).Should(Equal("True/Synced"))
	Eventually(diCondition(f.ns, "okta", changeFeed)).Should(Equal("True/Polling"))
	return f, eng, ids
}

// reaches waits for cond on the target and returns how long after start
// it held.
func reaches(start time.Time, cond func() bool) time.Duration {
	GinkgoHelper()
	Eventually(cond).WithTimeout(30 * time.Second).WithPolling(20 * time.Millisecond).Should(BeTrue())
	return time.Since(start)
}

var _ = Describe("The change feed", func() {
	It("brings Okta changes to the target through targeted cycles, without a trigger and well before the sync interval", func() {
		By("creating the users, the group and the integration with the feed polling")
		f, eng, ids := feedFixture(nil)
		before := getDI(f.ns, "okta").Status
		inGroup := func(login string) func() bool {
			return func() bool {
				gid, _ := f.scim.GroupIDByName("eng")
				uid, _ := f.scim.UserIDByName(login)
				m, _ := f.scim.GroupMembers(gid)
				return uid != "" && slices.Contains(m, uid)
			}
		}
		userAttr := func(login, attr string) any {
			id, _ := f.scim.UserIDByName(login)
			u, _ := f.scim.User(id)
			return u[attr]
		}
		changes := []struct {
			what   string
			change func() error
			done   func() bool
		}{
			{"suspend bob", func() error { return f.okta.Suspend(ids["bob@example.com"]) },
				func() bool { return !active(f.scim, "bob@example.com") }},
			{"unsuspend bob", func() error { return f.okta.Unsuspend(ids["bob@example.com"]) },
				func() bool { return active(f.scim, "bob@example.com") }},
			{"edit ann's profile", func() error {
				return f.okta.UpdateProfile(ids["ann@example.com"], map[string]any{"displayName": "Ann Edited"})
			}, func() bool { return userAttr("ann@example.com", "displayName") == "Ann Edited" }},
			{"add dan to eng", func() error { return f.okta.AddMember(eng, ids["dan@example.com"]) }, inGroup("dan@example.com")},
			{"remove cara from eng", func() error { return f.okta.RemoveMember(eng, ids["cara@example.com"]) },
				func() bool { return !inGroup("cara@example.com")() && !active(f.scim, "cara@example.com") }},
			{"suspend ann", func() error { return f.okta.Suspend(ids["ann@example.com"]) },
				func() bool { return !active(f.scim, "ann@example.com") }},
		}
		By("making each change in Okta and waiting for it to reach the target")
		var took []time.Duration
		for _, c := range changes {
			start := time.Now()
			Expect(c.change()).To(Succeed(), c.what)
			d := reaches(start, c.done)
			took = append(took, d)
			GinkgoWriter.Printf("change-to-target latency: %-22s %v\n", c.what, d.Round(time.Millisecond))
		}
		slices.Sort(took)
		GinkgoWriter.Printf("change-to-target latency over %d changes: p50 %v, p95 %v, max %v\n", len(took),
			took[len(took)/2].Round(time.Millisecond), took[(len(took)*95+99)/100-1].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))

		By("checking no scheduled cycle ran and the feed's status")
		di := getDI(f.ns, "okta")
		Expect(di.Status.LastSyncTime).To(Equal(before.LastSyncTime), "no scheduled cycle ran: the targeted cycles did it")
		Expect(di.Status.ChangeFeed).NotTo(BeNil())
		Expect(di.Status.ChangeFeed.TargetedCycles).To(BeNumerically(">=", 1))
		Expect(di.Status.ChangeFeed.Cursor).NotTo(BeEmpty())
		Expect(di.GetAnnotations()).NotTo(HaveKey(identityv1alpha1.ReconcileRequestedAtAnnotation))
		By("waiting for Synced")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("True/Synced"))
	})

	It("never deactivates on a targeted read that fails, and converges through a full cycle once Okta answers", func() {
		By("creating the users, the group and the integration with the feed polling")
		f, eng, ids := feedFixture(nil)
		bob := ids["bob@example.com"]
		lastFull := getDI(f.ns, "okta").Status.LastFullSyncTime

		// bob leaves the only group that puts him in scope, but his own
		// record and groups cannot be read: the change is lost to the
		// targeted cycle.
		By("failing the reads of bob's record and removing him from the group")
		f.okta.FailPath("/api/v1/users/"+bob, http.StatusInternalServerError)
		Expect(f.okta.RemoveMember(eng, bob)).To(Succeed())
		By("waiting for the feed to fall behind, with bob kept active")
		Eventually(f.okta.PathFailures).Should(BeNumerically(">", 0))
		Eventually(diCondition(f.ns, "okta", changeFeed)).Should(Equal("False/FeedBehind"))
		Consistently(func() bool { return active(f.scim, "bob@example.com") }, 3*time.Second).Should(BeTrue(),
			"a failed read of bob never deactivates him")

		// Once Okta answers, the full cycle the feed asked for converges
		// (it and its retries confirm bob's own record first).
		By("clearing the faults")
		f.okta.ClearFaults()
		By("waiting for the full cycle to deactivate bob and the feed to poll again")
		Eventually(func() bool { return active(f.scim, "bob@example.com") }, time.Minute).Should(BeFalse())
		Eventually(func() any { return getDI(f.ns, "okta").Status.LastFullSyncTime }).ShouldNot(Equal(lastFull),
			"a full cycle covered the lost change")
		Eventually(diCondition(f.ns, "okta", changeFeed)).Should(Equal("True/Polling"))
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("True/Synced"))
	})

	It("wakes on Event Hooks, refuses forged ones, and a replay changes nothing", func() {
		By("creating the integration with an Event Hook and registering the hook in Okta")
		secret := secrets.add("hook-" + randomToken())
		f, _, ids := feedFixture(func(f *fixture, di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Okta.EventHook = &identityv1alpha1.EventHookSettings{
				SecretRef: identityv1alpha1.SecretKeySelector{Name: "okta-hook", Key: "token"}}
			f.secret("okta-hook", "token", secret)
		})
		url := "https://" + hookAddr + "/hooks/okta/" + f.ns + "/okta"
		Expect(f.okta.RegisterEventHook(oktaserver.HookOptions{URL: url, Secret: secret, OrgURL: f.okta.URL(), CAPEM: hookCAPEM})).To(Succeed())
		DeferCleanup(f.okta.StopEventHooks)

		By("posting a forged hook and a replayed one after the cycles settle")
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM([]byte(hookCAPEM))
		hc := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		post := func(auth, body string) int {
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", auth)
			resp, err := hc.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_ = resp.Body.Close()
			return resp.StatusCode
		}
		delivery := `{"eventId":"replayed-1","source":"` + f.okta.URL() + `/api/v1/eventHooks/x","data":{"events":[]}}`
		settle(f)
		writes := f.scim.TotalRequests()
		Expect(post("not-the-secret", delivery)).To(Equal(http.StatusUnauthorized))
		Expect(post(secret, delivery)).To(Equal(http.StatusOK))
		Expect(post(secret, delivery)).To(Equal(http.StatusOK))
		Consistently(f.scim.TotalRequests, 2*time.Second).Should(Equal(writes), "hooks only wake the feed; nothing changed in Okta")

		By("making four changes in Okta, spread over time, and waiting for each to reach the target")
		var took []time.Duration
		for i, login := range []string{"bob@example.com", "cara@example.com", "ann@example.com", "dan@example.com"} {
			// Changes spread over time: the poll's budget refills between them.
			time.Sleep(5 * time.Second)
			start := time.Now()
			if i < 3 {
				Expect(f.okta.Suspend(ids[login])).To(Succeed())
				took = append(took, reaches(start, func() bool { return !active(f.scim, login) }))
			} else {
				Expect(f.okta.UpdateProfile(ids["bob@example.com"], map[string]any{"displayName": "Bob Edited"})).To(Succeed())
				took = append(took, reaches(start, func() bool {
					id, _ := f.scim.UserIDByName("bob@example.com")
					u, _ := f.scim.User(id)
					return u["displayName"] == "Bob Edited"
				}))
			}
			GinkgoWriter.Printf("change-to-target latency with hooks: %v\n", took[i].Round(time.Millisecond))
		}
		slices.Sort(took)
		GinkgoWriter.Printf("change-to-target latency with hooks over %d changes: p50 %v, max %v\n", len(took),
			took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
		Expect(f.okta.HookStats().Delivered).To(BeNumerically(">", 0))
	})

	It("holds a mass suspension that arrives through the feed in pieces, as one threshold, until its plan is approved", func() {
		// Ten pushed users under the default thresholds: at most
		// max(2, 10% of 10) deactivations without an approval.
		By("creating ten users in a pushed group and the integration")
		f := newFixture()
		var ids, logins []string
		for i := 1; i <= 10; i++ {
			logins = append(logins, fmt.Sprintf("held%d@example.com", i))
			ids = append(ids, f.user(logins[i-1]))
		}
		f.group("eng", ids...)
		f.integration("okta", nil)
		f.provisionedGroup("eng", "okta", "eng", nil)
		By("waiting for the group to be pushed, the integration Synced and the feed polling")
		Eventually(pgCondition(f.ns, "eng", ready), time.Minute).Should(Equal("True/Ready"))
		Eventually(func() bool {
			gid, _ := f.scim.GroupIDByName("eng")
			m, _ := f.scim.GroupMembers(gid)
			return len(m) == 10
		}).Should(BeTrue())
		Eventually(diCondition(f.ns, "okta", synced), time.Minute).Should(Equal("True/Synced"))
		Eventually(diCondition(f.ns, "okta", changeFeed)).Should(Equal("True/Polling"))
		lastSync := getDI(f.ns, "okta").Status.LastSyncTime

		// The first two suspensions fit the allowance and go through, each
		// in its own targeted cycle.
		By("suspending two users within the allowance")
		for _, i := range []int{0, 1} {
			Expect(f.okta.Suspend(ids[i])).To(Succeed())
			reaches(time.Now(), func() bool { return !active(f.scim, logins[i]) })
		}
		// Each later one arrives alone, in a cycle of its own: every one
		// of them alone is within the allowance, but the targeted cycles
		// since the last scheduled one count together, so all are held.
		By("suspending four more, one at a time, and waiting for each to be held")
		for i := 2; i < 6; i++ {
			Expect(f.okta.Suspend(ids[i])).To(Succeed())
			Eventually(func() int32 {
				if h := getDI(f.ns, "okta").Status.HeldDeactivations; h != nil {
					return h.Count
				}
				return 0
			}, 30*time.Second).Should(BeEquivalentTo(i-1), "suspension %d is held", i+1)
		}
		By("checking only targeted cycles ran and the plan is held")
		di := getDI(f.ns, "okta")
		Expect(di.Status.LastSyncTime).To(Equal(lastSync), "only targeted cycles ran")
		Expect(di.Status.ChangeFeed.TargetedCycles).To(BeNumerically(">=", 6))
		Expect(diCondition(f.ns, "okta", held)()).To(Equal("True/ChangesHeld"))
		Expect(diCondition(f.ns, "okta", synced)()).To(Equal("False/ChangesHeld"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(Equal("True/ChangesHeld"))
		for _, login := range logins[2:] {
			Expect(active(f.scim, login)).To(BeTrue(), "%s stays active while the plan is held", login)
		}
		// A later change through the feed keeps them held.
		By("changing a profile through the feed and checking the held users stay active")
		Expect(f.okta.UpdateProfile(ids[9], map[string]any{"displayName": "Held Ten"})).To(Succeed())
		reaches(time.Now(), func() bool {
			id, _ := f.scim.UserIDByName(logins[9])
			u, _ := f.scim.User(id)
			return u["displayName"] == "Held Ten"
		})
		Consistently(func() bool {
			return slices.ContainsFunc(logins[2:6], func(l string) bool { return !active(f.scim, l) })
		},
			2*time.Second).Should(BeFalse())

		// Approving the plan releases exactly the held four, once.
		By("approving the plan")
		planID := getDI(f.ns, "okta").Status.HeldDeactivations.PlanID
		patches := f.scim.Count("PATCH", "/Users/{id}")
		annotate(f.ns, "okta", identityv1alpha1.ApproveDeactivationsAnnotation, planID)
		By("waiting for the plan to be applied and checking exactly the four were released")
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastApprovedPlanID }, time.Minute).Should(Equal(planID))
		for _, login := range logins[2:6] {
			Expect(active(f.scim, login)).To(BeFalse(), "%s is released", login)
		}
		for _, login := range logins[6:] {
			Expect(active(f.scim, login)).To(BeTrue())
		}
		Expect(f.scim.Count("PATCH", "/Users/{id}") - patches).To(Equal(4))
		Expect(diCondition(f.ns, "okta", held)()).To(Equal("False/NoneHeld"))
		By("changing another profile and checking the approval is not applied again")
		requestReconcile(f.ns, "okta")
		Expect(f.okta.UpdateProfile(ids[8], map[string]any{"displayName": "Held Nine"})).To(Succeed())
		reaches(time.Now(), func() bool {
			id, _ := f.scim.UserIDByName(logins[8])
			u, _ := f.scim.User(id)
			return u["displayName"] == "Held Nine"
		})
		Expect(f.scim.Count("PATCH", "/Users/{id}")-patches).To(Equal(5), "the approval is not applied again")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("True/Synced"))
	})

	It("says when the feed is off", func() {
		By("creating an integration with the feed disabled")
		f := newFixture()
		f.user("eve@example.com")
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Assignments.People = []string{"eve@example.com"}
			di.Spec.Okta.ChangeFeed = identityv1alpha1.ChangeFeedDisabled
		})
		By("waiting for Synced and checking ChangeFeed says the feed is off")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("True/Synced"))
		Expect(diCondition(f.ns, "okta", changeFeed)()).To(Equal("False/FeedDisabled"))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("True/Synced"), "the feed never decides Ready")
	})
})

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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
)

var _ = Describe("the seed scenario through the manager binary", Ordered, func() {
	const ns = "seed"
	var samples *localenv.Samples
	var diKey, pgKey client.ObjectKey

	BeforeAll(func() {
		Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
		var err error
		samples, err = localenv.ApplySamples(ctx, cp.Client, ns, fakes, nil)
		Expect(err).NotTo(HaveOccurred())
		diKey, pgKey = client.ObjectKeyFromObject(samples.Integration), client.ObjectKeyFromObject(samples.Group)
	})

	It("verifies both ends, provisions the users and pushes the group", func() {
		By("waiting for both ends verified and the integration Synced")
		Eventually(func(g Gomega) {
			di := getDI(diKey)
			g.Expect(condition(di.Status.Conditions, v1.ConditionOktaVerified)).To(HaveField("Status", BeEquivalentTo("True")))
			g.Expect(condition(di.Status.Conditions, v1.ConditionTargetVerified)).To(HaveField("Status", BeEquivalentTo("True")))
			g.Expect(condition(di.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("True")))
			// Synced, not only Ready: a cycle that ran before the group was
			// resolved is complete but partial (Synced=False/PartialSync).
			g.Expect(condition(di.Status.Conditions, v1.ConditionSynced)).To(HaveField("Status", BeEquivalentTo("True")))
			g.Expect(di.Status.ObservedGeneration).To(Equal(di.Generation))
		}).Should(Succeed())

		// The first cycle may run before the ProvisionedGroup exists; the
		// group's creation triggers the next one.
		By("waiting for the expected users, linked by externalId, and the group's members")
		want := sorted(localenv.ExpectedSecureAccessUsers())
		Eventually(func() []string { return activeUserNames(fakes) }).Should(Equal(want))
		for _, u := range targetUsers(fakes) {
			Expect(u.ExternalID).To(Equal(org.Users[u.UserName]), "user %s is linked by externalId", u.UserName)
		}
		Eventually(func() []string { return groupMemberNames(fakes, localenv.SecureAccessGroup) }).Should(Equal(want))

		By("waiting for the integration's counts")
		Eventually(func(g Gomega) {
			di := getDI(diKey)
			g.Expect(di.Status.Users).NotTo(BeNil())
			g.Expect(di.Status.Users.Managed).To(BeEquivalentTo(len(want)))
			g.Expect(di.Status.Groups).NotTo(BeNil())
			g.Expect(di.Status.Groups.Pushed).To(BeEquivalentTo(1))
			g.Expect(di.Status.LastSyncTime).NotTo(BeNil())
			g.Expect(condition(di.Status.Conditions, v1.ConditionSynced)).To(HaveField("Status", BeEquivalentTo("True")))
		}).Should(Succeed())

		By("waiting for the group's push status and its event")
		Eventually(func(g Gomega) {
			pg := &v1.ProvisionedGroup{}
			g.Expect(cp.Client.Get(ctx, pgKey, pg)).To(Succeed())
			g.Expect(pg.Status.OktaGroupName).To(Equal(localenv.SecureAccessGroup))
			g.Expect(pg.Status.TargetGroupID).NotTo(BeEmpty())
			g.Expect(pg.Status.PushedMembers).To(HaveValue(BeEquivalentTo(len(want))))
			g.Expect(pg.Status.SkippedMembers).To(HaveValue(BeEquivalentTo(2)), "the suspended and the staged member")
			g.Expect(condition(pg.Status.Conditions, v1.ConditionPushed)).To(HaveField("Status", BeEquivalentTo("True")))
			g.Expect(condition(pg.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("True")))
		}).Should(Succeed())
		Eventually(func() []string { return eventReasons(ns, samples.Group.Name) }).Should(ContainElement(ContainSubstring("Pushed")))
	})

	It("reflects a membership change in Okta after the trigger annotation", func() {
		jonas := localenv.Login("Jonas", "Berg")
		By("adding Jonas to the group in Okta and triggering a cycle")
		Expect(fakes.Okta.AddMember(org.Groups[localenv.SecureAccessGroup], org.Users[jonas])).To(Succeed())
		trigger(diKey)
		By("waiting for Jonas in the target group and the trigger handled")
		Eventually(func() []string { return groupMemberNames(fakes, localenv.SecureAccessGroup) }).Should(ContainElement(jonas))
		Expect(activeUserNames(fakes)).To(ContainElement(jonas))
		Eventually(func() string { return getDI(diKey).Status.LastHandledReconcileAt }).ShouldNot(BeEmpty())
	})

	It("deactivates a user suspended in Okta and removes it from the pushed group", func() {
		amelia := localenv.Login("Amelia", "Hart")
		By("suspending Amelia in Okta and triggering a cycle")
		Expect(fakes.Okta.Suspend(org.Users[amelia])).To(Succeed())
		trigger(diKey)
		By("waiting for her to be deactivated and removed from the group, once")
		Eventually(func() []string { return activeUserNames(fakes) }).ShouldNot(ContainElement(amelia))
		Eventually(func() []string { return groupMemberNames(fakes, localenv.SecureAccessGroup) }).ShouldNot(ContainElement(amelia))
		Expect(fakes.Audit.Deactivations()).To(Equal(1))
		By("waiting for the status to count the deactivation")
		Eventually(func(g Gomega) {
			di := getDI(diKey)
			g.Expect(di.Status.LastSync).NotTo(BeNil())
			g.Expect(di.Status.LastSync.Deactivated).To(BeEquivalentTo(1))
			g.Expect(condition(di.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("True")))
		}).Should(Succeed())
	})

	It("lets a two-person change through the seed's small lab without a hold", func() {
		// Eight users are managed: 10% alone would hold the second departure.
		benjamin, carmen := localenv.Login("Benjamin", "Cho"), localenv.Login("Carmen", "Diaz")
		By("removing Benjamin from the group and suspending Carmen, then triggering a cycle")
		before := fakes.Audit.Deactivations()
		Expect(fakes.Okta.RemoveMember(org.Groups[localenv.SecureAccessGroup], org.Users[benjamin])).To(Succeed())
		Expect(fakes.Okta.Suspend(org.Users[carmen])).To(Succeed())
		trigger(diKey)
		By("waiting for both to be deactivated without a hold")
		Eventually(func() []string { return activeUserNames(fakes) }).ShouldNot(ContainElements(benjamin, carmen))
		Expect(fakes.Audit.Deactivations() - before).To(Equal(2))
		Eventually(func(g Gomega) {
			di := getDI(diKey)
			g.Expect(di.Status.HeldDeactivations).To(BeNil())
			g.Expect(condition(di.Status.Conditions, v1.ConditionDeactivationsHeld)).To(HaveField("Status", BeEquivalentTo("False")))
			g.Expect(condition(di.Status.Conditions, v1.ConditionSynced)).To(HaveField("Reason", v1.ReasonSynced))
		}).Should(Succeed())
	})

	It("never logs a credential, even at debug level", func() {
		logs, err := mgr.Logs()
		Expect(err).NotTo(HaveOccurred())
		Expect(logs).NotTo(BeEmpty())
		Expect(strings.Contains(logs, fakes.OktaToken)).To(BeFalse(), "the Okta token is in the logs")
		Expect(strings.Contains(logs, fakes.SCIMToken)).To(BeFalse(), "the SCIM token is in the logs")
	})
})

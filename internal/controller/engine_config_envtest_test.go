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
	"os"
	"path/filepath"
	"time"

	"github.com/elimity-com/scim/schema"
	"sigs.k8s.io/yaml"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

const enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// profileUser adds an Okta user with profile attributes.
func (f *fixture) profileUser(login string, profile map[string]any) string {
	id, err := f.okta.AddUser(oktaserver.UserSpec{Login: login, FirstName: "First", LastName: "Last", Profile: profile})
	Expect(err).NotTo(HaveOccurred())
	return id
}

// targetAttr reads an attribute of a target user by userName.
func (f *fixture) targetAttr(userName string, path ...string) any {
	GinkgoHelper()
	id, ok := f.scim.UserIDByName(userName)
	Expect(ok).To(BeTrue(), "user %s in the target", userName)
	u, _ := f.scim.User(id)
	var v any = u
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func expression(target, expr string, applyOn identityv1alpha1.MappingApplyOn) identityv1alpha1.AttributeExpression {
	return identityv1alpha1.AttributeExpression{Target: target, Expression: expr, ApplyOn: applyOn}
}

var _ = Describe("attribute mapping and scope as CEL", func() {
	It("stalls on an expression that does not compile, with the compile error, and writes nothing", func() {
		By("creating an integration whose expression does not compile")
		f := newFixture()
		f.group("Staff", f.user("ada@example.com"))
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.AttributeMapping.Expressions = []identityv1alpha1.AttributeExpression{
				expression("title", "user.profil.title", identityv1alpha1.MappingApplyAlways),
			}
		})
		f.provisionedGroup("staff", "okta", "Staff", nil)
		By("waiting for it to stall with the compile error, writing nothing")
		Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/InvalidMapping"))
		c := meta.FindStatusCondition(getDI(f.ns, "okta").Status.Conditions, stalled)
		Expect(c.Message).To(ContainSubstring(`attributeMapping title: user has no field "profil"`))
		Expect(diCondition(f.ns, "okta", ready)()).To(Equal("False/InvalidMapping"))
		Expect(diKstatus(f.ns, "okta")()).To(Equal(status.FailedStatus))
		Consistently(func() int { return writes(f.scim) }, "2s").Should(BeZero())
		Expect(f.scim.UserCount()).To(BeZero())

		By("fixing the expression")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.AttributeMapping.Expressions[0].Expression = "user.profile.?title"
		})
		By("waiting for the user to be provisioned and the integration Synced")
		Eventually(f.scim.UserCount).Should(Equal(1))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(diCondition(f.ns, "okta", stalled)()).To(BeEmpty())
	})

	It("stalls on a scope that cannot be a bool", func() {
		By("creating an integration whose scope is a string")
		f := newFixture()
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) { di.Spec.Scope = `"everyone"` })
		By("waiting for it to stall with the type error")
		Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/InvalidMapping"))
		c := meta.FindStatusCondition(getDI(f.ns, "okta").Status.Conditions, stalled)
		Expect(c.Message).To(ContainSubstring("scope: the expression must produce a bool, not string"))
	})

	It("holds a scope change that would deactivate 60% of the users", func() {
		By("creating ten users, six of them contractors, and the integration")
		f := newFixture()
		var ids []string
		for i := range 10 {
			dept := "Staff"
			if i < 6 {
				dept = "Contractors"
			}
			ids = append(ids, f.profileUser(fmt.Sprintf("u%d@example.com", i), map[string]any{"department": dept}))
		}
		f.group("Everyone", ids...)
		f.integration("okta", nil)
		f.provisionedGroup("everyone", "okta", "Everyone", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for the ten users to be provisioned and the cycles to settle")
		Eventually(f.scim.UserCount).Should(Equal(10))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		settle(f)

		By("narrowing the scope to exclude the contractors")
		updateDI(f.ns, "okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.Scope = `user.profile.department != "Contractors"`
		})
		By("waiting for the six deactivations to be held, all users still active")
		Eventually(diCondition(f.ns, "okta", stalled)).Should(Equal("True/ChangesHeld"))
		held := getDI(f.ns, "okta").Status.HeldDeactivations
		Expect(held).NotTo(BeNil())
		Expect(held.Deactivations).To(Equal(int32(6)))
		Expect(held.Sample[0].Detail).To(ContainSubstring("outside spec.scope"))
		for i := range 10 {
			Expect(active(f.scim, fmt.Sprintf("u%d@example.com", i))).To(BeTrue())
		}

		By("approving the plan")
		annotate(f.ns, "okta", identityv1alpha1.ApproveDeactivationsAnnotation, held.PlanID)
		By("waiting for the contractors to be deactivated and the integration Synced")
		Eventually(func() bool { return active(f.scim, "u0@example.com") }).Should(BeFalse())
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(active(f.scim, "u9@example.com")).To(BeTrue())
	})

	It("never overwrites attributes mapped with applyOn Create", func() {
		By("creating a user, an integration mapping title on create only, and the group")
		f := newFixture()
		id := f.profileUser("ada@example.com", map[string]any{"title": "Engineer", "department": "R&D"})
		f.group("Staff", id)
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.AttributeMapping.Expressions = []identityv1alpha1.AttributeExpression{
				expression("title", "user.profile.title", identityv1alpha1.MappingApplyCreate),
				expression("department", "user.profile.department", ""),
			}
		})
		f.provisionedGroup("staff", "okta", "Staff", nil)
		By("waiting for the user to be provisioned with its title")
		Eventually(f.scim.UserCount).Should(Equal(1))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
		Expect(f.targetAttr("ada@example.com", "title")).To(Equal("Engineer"))
		settle(f)

		By("changing the title and department in Okta and requesting a full sync")
		Expect(f.okta.UpdateProfile(id, map[string]any{"title": "Director", "department": "Sales"})).To(Succeed())
		v := time.Now().UTC().Format(time.RFC3339Nano)
		annotate(f.ns, "okta", identityv1alpha1.FullSyncRequestedAtAnnotation, v)
		By("waiting for the department to follow, the title staying")
		Eventually(func() string { return getDI(f.ns, "okta").Status.LastHandledFullSyncAt }).Should(Equal(v))
		Eventually(func() any { return f.targetAttr("ada@example.com", enterpriseSchema, "department") }).Should(Equal("Sales"))
		Expect(f.targetAttr("ada@example.com", "title")).To(Equal("Engineer"))
		Eventually(diCondition(f.ns, "okta", ready)).Should(Equal("True/Synced"))
	})

	It("reports a user whose expression fails like any failing object", func() {
		By("creating a user the expression can map and one it cannot")
		f := newFixture()
		f.group("Staff", f.profileUser("ok@example.com", map[string]any{"title": "Engineer"}), f.profileUser("bad@example.com", nil))
		f.integration("okta", func(di *identityv1alpha1.DirectoryIntegration) {
			di.Spec.AttributeMapping.Expressions = []identityv1alpha1.AttributeExpression{expression("title", "user.profile.title", "")}
		})
		f.provisionedGroup("staff", "okta", "Staff", nil)
		By("waiting for Synced False/ObjectsFailing and checking the out-of-sync entry")
		Eventually(diCondition(f.ns, "okta", synced)).Should(Equal("False/ObjectsFailing"))
		st := getDI(f.ns, "okta").Status
		Expect(st.OutOfSync).NotTo(BeEmpty())
		Expect(st.OutOfSync[0].Reason).To(ContainSubstring("bad@example.com"))
		Expect(st.OutOfSync[0].Reason).To(ContainSubstring("no such key: title"))
		Expect(f.targetAttr("ok@example.com", "title")).To(Equal("Engineer"))
	})
})

// sampleIntegration loads a DirectoryIntegration sample, pointed at the
// fixture's Okta org, Secrets and the given SCIM server.
func (f *fixture) sampleIntegration(file, scimURL string) *identityv1alpha1.DirectoryIntegration {
	GinkgoHelper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", file))
	Expect(err).NotTo(HaveOccurred())
	di := &identityv1alpha1.DirectoryIntegration{}
	Expect(yaml.UnmarshalStrict(data, di)).To(Succeed())
	di.Namespace = f.ns
	di.Spec.Okta.OrgURL = f.okta.URL()
	di.Spec.Okta.APITokenSecretRef = &identityv1alpha1.SecretKeySelector{Name: "okta-api-token", Key: "token"}
	di.Spec.Target.URL = scimURL
	di.Spec.Target.TokenSecretRef = identityv1alpha1.SecretKeySelector{Name: "secure-access-scim", Key: "token"}
	Expect(k8sClient.Create(ctx, di)).To(Succeed())
	return di
}

var _ = Describe("the mapping samples", func() {
	It("provision a Cisco target as the Cisco sample says", func() {
		By("creating the users and the integration from the Cisco sample")
		f := newFixture()
		ada := f.profileUser("Ada.Lovelace@Example.com", map[string]any{"department": "R&D", "objectGUID": "q83vEjRWeJq83vEjRWeJqw=="})
		temp := f.profileUser("temp@example.com", map[string]any{"department": "Contractors"})
		f.group("OKTA - Secure Access Users", ada, temp)
		di := f.sampleIntegration("identity_v1alpha1_directoryintegration_cisco_mapping.yaml", f.scimURL)
		f.provisionedGroup("users", di.Name, "OKTA - Secure Access Users", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for the in-scope user to be provisioned and the integration Synced")
		Eventually(f.scim.UserCount).Should(Equal(1))
		Eventually(diCondition(f.ns, di.Name, ready)).Should(Equal("True/Synced"))
		By("checking the Cisco attributes and the scope")
		const cisco = "urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User"
		Expect(f.targetAttr("ada.lovelace@example.com", cisco)).To(Equal(map[string]any{
			"nativeObjectId": "q83vEjRWeJq83vEjRWeJqw==", "authName": "ada.lovelace"}))
		Expect(f.targetAttr("ada.lovelace@example.com", "displayName")).To(Equal("First Last"))
		_, provisioned := f.scim.UserIDByName("temp@example.com")
		Expect(provisioned).To(BeFalse(), "a contractor is outside the scope")
	})

	It("provision a Generic target as the Generic sample says", func() {
		f := newFixture()
		By("starting a SCIM server with the sample's extension schema")
		const hr = "urn:example:params:scim:schemas:extension:hrportal:2.0:User"
		srv, err := scimserver.New(scimserver.Options{Token: f.scimToken,
			UserExtensions: []schema.Schema{scimserver.StringExtension(hr, "costCenter")}})
		Expect(err).NotTo(HaveOccurred())
		u, err := srv.Listen("127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _ = srv.Close() })
		f.scim = srv

		By("creating the users and the integration from the Generic sample")
		boss := f.profileUser("grace@example.com", map[string]any{"title": "CTO", "costCenter": "CC-1", "employeeNumber": "1"})
		dev := f.profileUser("alan@example.com", map[string]any{"managerId": boss, "secondEmail": "alan@home.example",
			"department": "R&D", "employeeNumber": "2"})
		f.group("OKTA - Secure Access Users", boss, dev)
		di := f.sampleIntegration("identity_v1alpha1_directoryintegration_generic_mapping.yaml", u)
		f.provisionedGroup("users", di.Name, "OKTA - Secure Access Users", func(pg *identityv1alpha1.ProvisionedGroup) { pg.Spec.Push = false })
		By("waiting for both users to be provisioned and the integration Synced")
		Eventually(srv.UserCount).Should(Equal(2))
		Eventually(diCondition(f.ns, di.Name, ready)).Should(Equal("True/Synced"))

		By("waiting for the manager to be set and checking the mapped attributes")
		bossID, _ := srv.UserIDByName("grace@corp.example.com")
		// Ready may still be the first cycle's (before the group resolved)
		// while the one that creates the users and then sets the manager runs.
		Eventually(func() any { return f.targetAttr("alan@corp.example.com", enterpriseSchema) }).Should(Equal(map[string]any{
			"department": "R&D", "employeeNumber": "2", "manager": map[string]any{"value": bossID}}))
		Expect(f.targetAttr("alan@corp.example.com", "emails")).To(HaveLen(2))
		Expect(f.targetAttr("grace@corp.example.com", "title")).To(Equal("CTO"))
		Expect(f.targetAttr("grace@corp.example.com", hr, "costCenter")).To(Equal("CC-1"))
	})
})

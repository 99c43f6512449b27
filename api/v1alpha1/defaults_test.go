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

package v1alpha1_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

func minimalIntegration(name string) *v1.DirectoryIntegration {
	return &v1.DirectoryIntegration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: validationNamespace},
		Spec: v1.DirectoryIntegrationSpec{
			DisplayName: "OKTA Integration",
			Okta: v1.OktaSource{
				OrgURL:            "https://example.okta.com",
				APITokenSecretRef: &v1.SecretKeySelector{Name: "okta-api-token", Key: "token"},
			},
			Target: v1.SCIMTarget{
				URL:            "https://api.sse.cisco.com/identity/v2/scim",
				TokenSecretRef: v1.SecretKeySelector{Name: "secure-access-scim", Key: "token"},
			},
		},
	}
}

var _ = Describe("API defaults", func() {
	BeforeEach(ensureNamespace)

	It("defaults a minimal DirectoryIntegration", func() {
		di := minimalIntegration(uniqueName("defaults"))
		Expect(k8sClient.Create(ctx, di)).To(Succeed())

		got := &v1.DirectoryIntegration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(di), got)).To(Succeed())
		s := got.Spec
		Expect(s.Target.Profile).To(Equal(v1.TargetProfileCiscoSecureAccess))
		Expect(s.Target.MaxGroups).To(BeNil(), "the cap comes from the profile unless set")
		Expect(s.Target.Bulk).To(Equal(v1.BulkAuto))
		Expect(s.Target.RateLimit).To(BeNil(), "pacing comes from the manager's flags unless set")
		Expect(s.Provisioning.CreateUsers).To(Equal(ptr.To(true)))
		Expect(s.Provisioning.UpdateUserAttributes).To(Equal(ptr.To(true)))
		Expect(s.Provisioning.DeactivateUsers).To(Equal(ptr.To(true)))
		Expect(s.AttributeMapping.UserName).To(Equal("login"))
		Expect(s.AttributeMapping.DisplayName).To(Equal("displayName"))
		Expect(s.AttributeMapping.NativeObjectID).To(BeEmpty())
		Expect(s.AttributeMapping.SendEmails).To(BeFalse())
		Expect(s.SyncInterval).To(Equal(&metav1.Duration{Duration: 10 * time.Minute}))
		Expect(s.FullResyncInterval).To(Equal(&metav1.Duration{Duration: 24 * time.Hour}))
		Expect(s.Safety.MaxDeactivations).To(Equal(ptr.To[int32](50)))
		Expect(s.Safety.MaxDeactivationPercent).To(Equal(ptr.To[int32](10)))
		Expect(s.Safety.DeactivationFloor).To(Equal(ptr.To[int32](2)))
		Expect(s.DryRun).To(BeFalse())
		Expect(s.Suspend).To(BeFalse())
	})

	It("keeps an explicit false where the default is true", func() {
		di := minimalIntegration(uniqueName("explicit-false"))
		di.Spec.Provisioning.DeactivateUsers = ptr.To(false)
		di.Spec.Safety.MaxDeactivations = ptr.To[int32](0)
		Expect(k8sClient.Create(ctx, di)).To(Succeed())

		got := &v1.DirectoryIntegration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(di), got)).To(Succeed())
		Expect(got.Spec.Provisioning.DeactivateUsers).To(Equal(ptr.To(false)))
		Expect(got.Spec.Provisioning.CreateUsers).To(Equal(ptr.To(true)))
		Expect(got.Spec.Safety.MaxDeactivations).To(Equal(ptr.To[int32](0)))
		Expect(got.Spec.Safety.MaxDeactivationPercent).To(Equal(ptr.To[int32](10)))
	})

	It("defaults the OAuth scopes to read-only users and groups", func() {
		di := minimalIntegration(uniqueName("oauth"))
		di.Spec.Okta.APITokenSecretRef = nil
		di.Spec.Okta.OAuth = &v1.OktaOAuth{
			ClientID:            "0oa8f5j3ecb5w3dF35d7",
			PrivateKeySecretRef: v1.SecretKeySelector{Name: "okta-service-app", Key: "private-key.pem"},
		}
		Expect(k8sClient.Create(ctx, di)).To(Succeed())

		got := &v1.DirectoryIntegration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(di), got)).To(Succeed())
		Expect(got.Spec.Okta.OAuth.Scopes).To(Equal([]string{"okta.users.read", "okta.groups.read"}))
	})

	It("defaults a ProvisionedGroup to Retain", func() {
		pg := &v1.ProvisionedGroup{
			ObjectMeta: metav1.ObjectMeta{Name: uniqueName("pg-defaults"), Namespace: validationNamespace},
			Spec: v1.ProvisionedGroupSpec{
				IntegrationRef: v1.LocalObjectReference{Name: "okta-integration"},
				OktaGroup:      v1.OktaGroupReference{Name: "OKTA - Secure Access Users"},
				Push:           true,
			},
		}
		Expect(k8sClient.Create(ctx, pg)).To(Succeed())

		got := &v1.ProvisionedGroup{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(pg), got)).To(Succeed())
		Expect(got.Spec.DeletionPolicy).To(Equal(v1.DeletionPolicyRetain))
		Expect(got.Spec.AssignMembers).To(BeFalse())
		Expect(got.Spec.Push).To(BeTrue())
	})
})

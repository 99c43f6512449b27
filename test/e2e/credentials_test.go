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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
)

var _ = Describe("bad credentials through the manager binary", func() {
	It("says why in the conditions and writes nothing", func() {
		By("creating Secrets with wrong tokens and an integration that uses them")
		const ns = "bad-credentials"
		Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
		for name, value := range map[string]string{"okta-wrong": "not-the-okta-token", "scim-wrong": "not-the-scim-token"} {
			Expect(cp.Client.Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				StringData: map[string]string{"token": value},
			})).To(Succeed())
		}
		s, err := localenv.LoadSamples()
		Expect(err).NotTo(HaveOccurred())
		di := s.Integration
		di.Namespace, di.Name = ns, "wrong-tokens"
		di.Spec.Okta.OrgURL, di.Spec.Target.URL = fakes.OktaURL, fakes.SCIMURL
		di.Spec.Okta.APITokenSecretRef = &v1.SecretKeySelector{Name: "okta-wrong", Key: "token"}
		di.Spec.Target.TokenSecretRef = v1.SecretKeySelector{Name: "scim-wrong", Key: "token"}
		writesBefore, usersBefore := fakes.Audit.Writes(), len(targetUsers(fakes))
		Expect(cp.Client.Create(ctx, di)).To(Succeed())

		key := client.ObjectKeyFromObject(di)
		By("waiting for both ends to report Unauthorized with nothing written")
		Eventually(func(g Gomega) {
			got := getDI(key)
			okta := condition(got.Status.Conditions, v1.ConditionOktaVerified)
			target := condition(got.Status.Conditions, v1.ConditionTargetVerified)
			g.Expect(okta).NotTo(BeNil())
			g.Expect(target).NotTo(BeNil())
			g.Expect(okta.Status).To(BeEquivalentTo("False"))
			g.Expect(okta.Reason).To(Equal(v1.ReasonUnauthorized))
			g.Expect(target.Status).To(BeEquivalentTo("False"))
			g.Expect(target.Reason).To(Equal(v1.ReasonUnauthorized))
			g.Expect(condition(got.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("False")))
			g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		}).Should(Succeed())
		Consistently(func() int { return fakes.Audit.Writes() }, 3*time.Second).Should(Equal(writesBefore))
		Expect(targetUsers(fakes)).To(HaveLen(usersBefore))
	})
})

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
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/scimbridge/scimbridge/test/localenv"
)

// The manager serves metrics over HTTPS and lets in only callers whose token
// passes a TokenReview and who may GET /metrics (SubjectAccessReview), as in a
// cluster. envtest has no ServiceAccount token controller, so the test mints
// a token for a ServiceAccount with the TokenRequest API.
var _ = Describe("metrics through the manager binary", func() {
	It("serves the product's metrics to an authorised scraper only", func() {
		By("running one integration of its own, so that cycle metrics exist")
		own, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		defer own.Close()
		_, err = localenv.SeedDemoOrg(own.Okta)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.EnsureNamespace(ctx, "metrics")).To(Succeed())
		samples, err := localenv.ApplySamples(ctx, cp.Client, "metrics", own, nil)
		Expect(err).NotTo(HaveOccurred())
		readyCtx, done := context.WithTimeout(ctx, 2*time.Minute)
		defer done()
		Expect(localenv.WaitIntegrationReady(readyCtx, cp.Client, samples.Integration)).To(Succeed())

		By("minting a token for a ServiceAccount bound to the metrics-reader role")
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "metrics-scraper", Namespace: localenv.LeaderNamespace}}
		Expect(cp.Client.Create(ctx, sa)).To(Succeed())
		reader := &rbacv1.ClusterRole{}
		Expect(localenv.ReadRBAC("metrics_reader_role.yaml", reader)).To(Succeed())
		Expect(cp.Client.Create(ctx, reader)).To(Succeed())
		Expect(cp.Client.Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics-scraper"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: reader.Name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}},
		})).To(Succeed())
		tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}}
		Expect(cp.Client.SubResource("token").Create(ctx, sa, tr)).To(Succeed())
		Expect(tr.Status.Token).NotTo(BeEmpty())

		// The manager's certificate is self-signed unless one is mounted.
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		}}
		// The metrics server may start a moment after the readiness probe.
		scrape := func(g Gomega, token string) (int, string) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+mgr.MetricsAddr+"/metrics", nil)
			g.Expect(err).NotTo(HaveOccurred())
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := hc.Do(req)
			g.Expect(err).NotTo(HaveOccurred())
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}

		By("scraping without a token: 401")
		Eventually(func(g Gomega) {
			code, _ := scrape(g, "")
			g.Expect(code).To(Equal(http.StatusUnauthorized))
		}).Should(Succeed())

		By("scraping with the token: the product's metrics and no credentials")
		Eventually(func(g Gomega) {
			code, body := scrape(g, tr.Status.Token)
			g.Expect(code).To(Equal(http.StatusOK))
			for _, name := range []string{
				"scimbridge_cycle_duration_seconds",
				"scimbridge_last_successful_sync_timestamp_seconds",
				"scimbridge_requests_total",
				"scimbridge_target_objects",
				"scimbridge_condition",
				"controller_runtime_reconcile_total",
			} {
				g.Expect(body).To(ContainSubstring(name))
			}
			g.Expect(body).NotTo(ContainSubstring(own.SCIMToken))
			g.Expect(body).NotTo(ContainSubstring(own.OktaToken))
		}).Should(Succeed())
	})
})

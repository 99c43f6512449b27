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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/localenv"
)

// A second manager binary in namespaced mode (--watch-namespaces), running
// as a user that holds only Roles in its namespace, as the Helm chart's
// namespaced mode grants. The suite's cluster-wide manager watches every
// namespace, so it is stopped for this spec (and started again after it):
// otherwise it would reconcile both integrations and prove nothing about
// the namespaced one. Each integration has its own Okta emulator and SCIM
// server, so that requests can be counted per integration.
var _ = Describe("namespaced mode of the manager binary", Serial, func() {
	It("reconciles only its namespaces and cannot read Secrets elsewhere", func() {
		By("creating the watched and the outside namespace")
		const watched, outside = "namespaced-watched", "namespaced-outside"
		const user = "scimbridge-namespaced-manager"
		for _, ns := range []string{watched, outside} {
			Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
		}

		By("stopping the cluster-wide manager until the spec ends")
		Expect(mgr.Stop(15 * time.Second)).To(Succeed())
		DeferCleanup(func() { mgr = startManager("manager-after-namespaced") })

		By("applying an integration in each namespace, each with its own Okta and SCIM server")
		inside, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(inside.Close)
		other, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(other.Close)
		for _, f := range []*localenv.Fakes{inside, other} {
			_, err := localenv.SeedDemoOrg(f.Okta)
			Expect(err).NotTo(HaveOccurred())
		}
		in, err := localenv.ApplySamples(ctx, cp.Client, watched, inside, nil)
		Expect(err).NotTo(HaveOccurred())
		out, err := localenv.ApplySamples(ctx, cp.Client, outside, other, nil)
		Expect(err).NotTo(HaveOccurred())

		By("granting a user the manager's rules as a Role in " + watched + " only")
		Expect(localenv.InstallNamespacedManagerRBAC(ctx, cp.Client, user, localenv.LeaderNamespace, []string{watched})).To(Succeed())
		kubeconfig, err := cp.WriteKubeconfig(user, nil)
		Expect(err).NotTo(HaveOccurred())

		By("checking with that user's credentials: Secrets in " + watched + " only")
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		Expect(err).NotTo(HaveOccurred())
		asUser, err := client.New(cfg, client.Options{Scheme: cp.Scheme})
		Expect(err).NotTo(HaveOccurred())
		secretName := in.Integration.Spec.Target.TokenSecretRef.Name
		Expect(asUser.Get(ctx, client.ObjectKey{Namespace: watched, Name: secretName}, &corev1.Secret{})).To(Succeed())
		err = asUser.Get(ctx, client.ObjectKey{Namespace: outside, Name: secretName}, &corev1.Secret{})
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "GET of a Secret in %s: %v", outside, err)
		err = asUser.List(ctx, &corev1.SecretList{})
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "LIST of Secrets in all namespaces: %v", err)

		By("starting the manager with --watch-namespaces=" + watched)
		args := append([]string{"--watch-namespaces=" + watched, "--leader-election-id=scimbridge-namespaced-e2e"}, managerArgs...)
		nsMgr, err := localenv.StartManager(binary, kubeconfig, localenv.LogPath(workDir, "manager-namespaced"), args...)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			if CurrentSpecReport().Failed() {
				if logs, err := nsMgr.Logs(); err == nil {
					GinkgoWriter.Println(lastLines(logs, 80))
				}
			}
			Expect(nsMgr.Stop(15 * time.Second)).To(Succeed())
		})
		readyCtx, done := context.WithTimeout(ctx, time.Minute)
		defer done()
		Expect(nsMgr.WaitReady(readyCtx)).To(Succeed())

		By("waiting for the integration in " + watched + " to sync")
		syncCtx, synced := context.WithTimeout(ctx, 2*time.Minute)
		defer synced()
		Expect(localenv.WaitIntegrationReady(syncCtx, cp.Client, in.Integration)).To(Succeed())
		Eventually(func() []string { return activeUserNames(inside) }).Should(Equal(sorted(localenv.ExpectedSecureAccessUsers())))

		By("checking that the integration in " + outside + " is left alone")
		outKey := client.ObjectKeyFromObject(out.Integration)
		Consistently(func(g Gomega) {
			di := getDI(outKey)
			g.Expect(di.Status.Conditions).To(BeEmpty())
			g.Expect(di.Status.ObservedGeneration).To(BeZero())
			g.Expect(other.Audit.Requests()).To(BeZero(), "requests to the outside integration's SCIM server")
			g.Expect(other.Okta.Counts()).To(BeEmpty(), "requests to the outside integration's Okta")
		}, 5*time.Second, 500*time.Millisecond).Should(Succeed())
		pg := &v1.ProvisionedGroup{}
		Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(out.Group), pg)).To(Succeed())
		Expect(pg.Status.Conditions).To(BeEmpty())

		By("checking that the manager never asked for anything outside its namespaces")
		logs, err := nsMgr.Logs()
		Expect(err).NotTo(HaveOccurred())
		Expect(logs).NotTo(ContainSubstring("forbidden"))

		By("deleting both integrations before the cluster-wide manager comes back")
		for _, obj := range []client.Object{in.Group, in.Integration, out.Group, out.Integration} {
			Expect(client.IgnoreNotFound(cp.Client.Delete(ctx, obj))).To(Succeed())
		}
		for _, obj := range []client.Object{in.Group, in.Integration, out.Group, out.Integration} {
			Eventually(func() bool {
				return apierrors.IsNotFound(cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj))
			}).Should(BeTrue(), "%T %s still exists", obj, obj.GetName())
		}
	})
})

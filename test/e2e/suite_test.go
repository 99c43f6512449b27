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
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimbridge/scimbridge/test/localenv"
)

// The end-to-end suite runs the manager binary built from cmd/main.go as its
// own process, authenticated as a user that holds only the RBAC generated in
// config/rbac, against a real control plane, the Okta emulator and the SCIM
// test server, all on loopback.

var (
	ctx     context.Context
	cancel  context.CancelFunc
	workDir string
	cp      *localenv.ControlPlane
	fakes   *localenv.Fakes
	org     *localenv.DemoOrg
	binary  string
	mgr     *localenv.Manager
	// managerKubeconfig is the non-admin user's kubeconfig the manager runs with.
	managerKubeconfig string
)

// managerArgs start the first cycle at once and allow prompt manual triggers.
var managerArgs = []string{"--startup-spread=0s", "--min-cycle-gap=1s", "--target-rate-mode=Fixed", "--target-requests-per-second=500"}

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(2 * time.Minute)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	RunSpecs(t, "end-to-end suite")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	var err error
	workDir, err = os.MkdirTemp("", "scimbridge-e2e-")
	Expect(err).NotTo(HaveOccurred())

	By("building the manager binary")
	binary, err = localenv.BuildManager(ctx, workDir)
	Expect(err).NotTo(HaveOccurred())

	By("starting the control plane")
	cp, err = localenv.StartControlPlane(workDir)
	Expect(err).NotTo(HaveOccurred())

	By("starting the Okta emulator and the SCIM test server")
	fakes, err = localenv.StartFakes(1000)
	Expect(err).NotTo(HaveOccurred())
	org, err = localenv.SeedDemoOrg(fakes.Okta)
	Expect(err).NotTo(HaveOccurred())

	By("granting the generated RBAC to a non-admin user")
	Expect(cp.EnsureNamespace(ctx, localenv.LeaderNamespace)).To(Succeed())
	Expect(localenv.InstallManagerRBAC(ctx, cp.Client, localenv.ManagerUser, localenv.LeaderNamespace)).To(Succeed())
	managerKubeconfig, err = cp.WriteKubeconfig(localenv.ManagerUser, nil)
	Expect(err).NotTo(HaveOccurred())

	By("starting the manager")
	mgr = startManager("manager")
})

var _ = AfterSuite(func() {
	if mgr != nil {
		_ = mgr.Stop(10 * time.Second)
		if CurrentSpecReport().Failed() {
			if logs, err := mgr.Logs(); err == nil {
				GinkgoWriter.Println(lastLines(logs, 80))
			}
		}
	}
	if fakes != nil {
		fakes.Close()
	}
	if cp != nil {
		Expect(cp.Stop()).To(Succeed())
	}
	cancel()
	if workDir != "" && !CurrentSpecReport().Failed() {
		_ = os.RemoveAll(workDir)
	}
})

func startManager(name string) *localenv.Manager {
	m, err := localenv.StartManager(binary, managerKubeconfig, localenv.LogPath(workDir, name), managerArgs...)
	Expect(err).NotTo(HaveOccurred())
	readyCtx, done := context.WithTimeout(ctx, time.Minute)
	defer done()
	Expect(m.WaitReady(readyCtx)).To(Succeed())
	return m
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

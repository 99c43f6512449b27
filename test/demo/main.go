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

// Command demo runs scimbridge end to end on this machine, on loopback only:
// a local control plane, the Okta emulator seeded with a small org, the
// Cisco-profile SCIM test server, and the manager binary as its own process.
// It applies config/samples, waits until the integration is Ready, prints
// what an administrator would check, and keeps running until interrupted
// (or exits at once with --once).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/testenv"
)

func main() {
	once := flag.Bool("once", false, "print the result and exit instead of running until interrupted")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to wait for the integration to become Ready")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *once, *timeout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, once bool, timeout time.Duration) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "bin", "demo")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	step("starting the local control plane (kube-apiserver + etcd)")
	cp, err := localenv.StartControlPlane(dir)
	if err != nil {
		return err
	}
	defer func() { _ = cp.Stop() }()
	adminKubeconfig, err := cp.WriteKubeconfig("demo-admin", []string{"system:masters"})
	if err != nil {
		return err
	}

	step("starting the Okta emulator and the SCIM test server on 127.0.0.1")
	fakes, err := localenv.StartFakes(1000)
	if err != nil {
		return err
	}
	defer fakes.Close()
	org, err := localenv.SeedDemoOrg(fakes.Okta)
	if err != nil {
		return err
	}

	step("granting the manager the RBAC generated in config/rbac, as user " + localenv.ManagerUser)
	if err := cp.EnsureNamespace(ctx, localenv.LeaderNamespace); err != nil {
		return err
	}
	if err := localenv.InstallManagerRBAC(ctx, cp.Client, localenv.ManagerUser, localenv.LeaderNamespace); err != nil {
		return err
	}
	managerKubeconfig, err := cp.WriteKubeconfig(localenv.ManagerUser, nil)
	if err != nil {
		return err
	}

	step("building and starting the manager (cmd/main.go)")
	bin, err := localenv.BuildManager(ctx, dir)
	if err != nil {
		return err
	}
	mgr, err := localenv.StartManager(bin, managerKubeconfig, localenv.LogPath(dir, "manager"), demoManagerArgs...)
	if err != nil {
		return err
	}
	defer func() { _ = mgr.Stop(10 * time.Second) }()
	readyCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := mgr.WaitReady(readyCtx); err != nil {
		return err
	}

	step("creating the Secrets and applying config/samples")
	samples, err := localenv.ApplySamples(ctx, cp.Client, "default", fakes, nil)
	if err != nil {
		return err
	}

	step("waiting for the DirectoryIntegration to become Ready")
	waitCtx, cancelWait := context.WithTimeout(ctx, timeout)
	defer cancelWait()
	if err := localenv.WaitIntegrationReady(waitCtx, cp.Client, samples.Integration); err != nil {
		return err
	}
	if err := localenv.WaitGroupReady(waitCtx, cp.Client, samples.Group); err != nil {
		return err
	}
	if err := localenv.WaitIntegrationUsers(waitCtx, cp.Client, samples.Integration, int32(len(localenv.ExpectedSecureAccessUsers()))); err != nil {
		return err
	}

	kubectl := filepath.Join(cp.Env.BinaryAssetsDirectory, "kubectl")
	fmt.Println()
	fmt.Println("$ kubectl get directoryintegrations,provisionedgroups")
	if err := runKubectl(ctx, kubectl, adminKubeconfig, "get", "directoryintegrations,provisionedgroups"); err != nil {
		return err
	}
	fmt.Println()
	if err := localenv.PrintTarget(ctx, os.Stdout, fakes); err != nil {
		return err
	}
	printNextSteps(kubectl, adminKubeconfig, fakes, org, dir)

	if once {
		return nil
	}
	fmt.Println("\nRunning until Ctrl-C.")
	<-ctx.Done()
	step("stopping")
	return nil
}

// demoManagerArgs make the first cycle start at once and allow prompt
// manual triggers; production keeps the defaults.
var demoManagerArgs = []string{"--startup-spread=0s", "--min-cycle-gap=2s", "--metrics-secure=false"}

func step(msg string) { fmt.Println("==>", msg) }

func runKubectl(ctx context.Context, kubectl, kubeconfig string, args ...string) error {
	if _, err := os.Stat(kubectl); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kubectl not built; run `make demo` (it builds bin/k8s/*/kubectl)")
	}
	cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func printNextSteps(kubectl, kubeconfig string, f *localenv.Fakes, org *localenv.DemoOrg, dir string) {
	jonas := localenv.Login("Jonas", "Berg")
	fmt.Printf(`
Kubeconfig (cluster admin): %s
Manager log:                %s

Try it:
  # 1. Add %s to %q in the Okta emulator
  curl -X POST %s/__admin/groups/%s/members/%s

  # 2. Ask for a cycle now and watch the integration sync
  %s --kubeconfig %s annotate directoryintegration okta-integration \
      scimbridge.io/reconcile-requested-at="$(date +%%s)" --overwrite
  %s --kubeconfig %s get directoryintegrations,provisionedgroups -w

  # The target's users, as Secure Access would list them
  curl -s -H "Authorization: Bearer %s" %s/Users
`, kubeconfig, localenv.LogPath(dir, "manager"), jonas, localenv.SecureAccessGroup,
		f.OktaURL, org.Groups[localenv.SecureAccessGroup], org.Users[jonas],
		kubectl, kubeconfig, kubectl, kubeconfig, f.SCIMToken, f.SCIMURL)
}

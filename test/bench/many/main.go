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

// Command many measures one manager process (cmd/main.go, built and run as
// its own process) serving many DirectoryIntegrations at once: several
// Okta orgs, each read by several integrations that share the org's rate
// budget, and one SCIM target per integration. It reports the manager's
// peak RSS, the time until every integration is Ready with all its users in
// sync, the Okta requests per org against the manager's budget, and the
// cycle pool's queue wait. See docs/benchmarks.md ("Many integrations").
//
// Environment: BENCH_INTEGRATIONS (50), BENCH_ORGS (10),
// BENCH_USERS_PER_INTEGRATION (2000), BENCH_OKTA_RATE_LIMIT (600 per bucket
// per minute), BENCH_TARGET_RPS (500), BENCH_MAX_CONCURRENT_CYCLES (8),
// BENCH_TIMEOUT_SECONDS (1800), BENCH_SYNC_INTERVAL (1m), BENCH_STEADY_SECONDS
// (150), BENCH_MIN_CYCLE_GAP (unset: the manager's default), BENCH_OUT
// (bench/results-many.json).
package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/test/localenv"
	"github.com/scimbridge/scimbridge/test/testenv"
)

func main() {
	// The control plane's client logs through controller-runtime; the
	// manager's own log is its process's file.
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-many:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// env is what run starts; close stops it in reverse order.
type env struct {
	cp      *localenv.ControlPlane
	orgs    []*org
	targets []*target
	mgr     *localenv.Manager
}

func (e *env) close() {
	if e.mgr != nil {
		_ = e.mgr.Stop(15 * time.Second)
	}
	for _, o := range e.orgs {
		_ = o.server.Close()
	}
	for _, t := range e.targets {
		_ = t.server.Close()
	}
	if e.cp != nil {
		_ = e.cp.Stop()
	}
}

func run(ctx context.Context) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "bin", "bench-many-run")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if os.Getenv("BENCH_MODE") == "latency" {
		return runLatency(ctx, root, dir)
	}
	s, err := readSettings()
	if err != nil {
		return err
	}
	e := &env{}
	defer e.close()
	if err := e.start(ctx, s, dir); err != nil {
		return err
	}
	res, err := e.measure(ctx, s)
	if err != nil {
		return fmt.Errorf("%w; manager log: %s", err, e.mgr.LogPath)
	}
	if err := writeTable(os.Stdout, res); err != nil {
		return err
	}
	fmt.Println()
	writeMarkdown(os.Stdout, res)
	return writeJSON(filepath.Join(root, s.Out), res)
}

// start brings up the control plane, the orgs, the targets and the manager.
func (e *env) start(ctx context.Context, s settings, dir string) error {
	orgPlans, plans := layout(s.Integrations, s.Orgs, s.UsersPerIntegration)
	step("%d integrations × %d users, %d Okta orgs, %d SCIM targets; load average %s",
		s.Integrations, s.UsersPerIntegration, len(orgPlans), s.Integrations, loadAvg())
	step("building the manager (cmd/main.go)")
	bin, err := localenv.BuildManager(ctx, dir)
	if err != nil {
		return err
	}
	step("starting the local control plane (kube-apiserver + etcd)")
	if e.cp, err = localenv.StartControlPlane(dir); err != nil {
		return err
	}
	step("starting and seeding %d Okta emulators and %d SCIM servers on 127.0.0.1", len(orgPlans), s.Integrations)
	for _, p := range orgPlans {
		o, err := startOrg(p, plans, s.OktaRateLimit)
		if o != nil && o.server != nil {
			e.orgs = append(e.orgs, o)
		}
		if err != nil {
			return err
		}
	}
	for range plans {
		t, err := startTarget()
		if t != nil && t.server != nil {
			e.targets = append(e.targets, t)
		}
		if err != nil {
			return err
		}
	}
	return e.startManager(ctx, s, bin, dir)
}

func (e *env) startManager(ctx context.Context, s settings, bin, dir string, extra ...string) error {
	for _, ns := range []string{localenv.LeaderNamespace, namespace} {
		if err := e.cp.EnsureNamespace(ctx, ns); err != nil {
			return err
		}
	}
	if err := localenv.InstallManagerRBAC(ctx, e.cp.Client, localenv.ManagerUser, localenv.LeaderNamespace); err != nil {
		return err
	}
	kubeconfig, err := e.cp.WriteKubeconfig(localenv.ManagerUser, nil)
	if err != nil {
		return err
	}
	step("starting the manager as %s", localenv.ManagerUser)
	// First cycles start at once (no restart spread) and each target at a
	// fixed rate (the paced runs of the main bench measure the adaptive
	// pacer) so the time measured is the pool's; info logs so 100k users do
	// not measure the logger.
	args := []string{"--startup-spread=0s", "--metrics-secure=false", "--zap-log-level=info",
		"--target-rate-mode=Fixed", fmt.Sprintf("--target-requests-per-second=%g", s.TargetRPS),
		fmt.Sprintf("--max-concurrent-cycles=%d", s.Cycles)}
	if s.MinCycleGap != "" {
		args = append(args, "--min-cycle-gap="+s.MinCycleGap)
	}
	args = append(args, extra...)
	e.mgr, err = localenv.StartManager(bin, kubeconfig, localenv.LogPath(dir, "manager"), args...)
	if err != nil {
		return err
	}
	readyCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return e.mgr.WaitReady(readyCtx)
}

// measure applies the integrations, waits until all are in sync (the
// initial phase), then watches the incremental cycles of the steady phase,
// sampling the manager's memory throughout.
func (e *env) measure(ctx context.Context, s settings) (*result, error) {
	_, plans := layout(s.Integrations, s.Orgs, s.UsersPerIntegration)
	pid := e.mgr.Cmd.Process.Pid
	rss := sampleRSS(pid)
	res := &result{Integrations: s.Integrations, Orgs: len(e.orgs), UsersPerIntegration: s.UsersPerIntegration,
		OktaRateLimit: s.OktaRateLimit, OktaShare: okta.DefaultShare,
		MaxConcurrentCycles: s.Cycles, TargetRPS: s.TargetRPS, SyncInterval: s.SyncInterval.String(),
		SteadySeconds: s.SteadySeconds, MinCycleGap: cmp.Or(s.MinCycleGap, "30s"), LoadAvgStart: loadAvg()}
	step("applying %d DirectoryIntegrations and ProvisionedGroups", s.Integrations)
	start := time.Now()
	if err := applyIntegrations(ctx, e.cp.Client, e.orgs, e.targets, plans, s.SyncInterval); err != nil {
		return nil, err
	}
	step("waiting until every integration is Ready and Synced with %d/%d users", s.UsersPerIntegration, s.UsersPerIntegration)
	waitCtx, cancel := context.WithTimeout(ctx, time.Duration(s.Timeout)*time.Second)
	defer cancel()
	ready, err := waitAll(waitCtx, e.cp.Client, s.Integrations, int32(s.UsersPerIntegration), start)
	if err != nil {
		return nil, err
	}
	res.setReadyTimes(ready)
	res.PeakRSSInitialBytes, _ = procStatus(pid, "VmHWM")
	res.CPUInitialSeconds = cpuSeconds(pid)
	initial := make([]int64, len(e.orgs))
	for i, o := range e.orgs {
		initial[i], _ = o.requests()
	}
	step("all in sync after %.1f s; watching incremental cycles for %d s (syncInterval %s)", res.AllReadySeconds, s.SteadySeconds, s.SyncInterval)
	if err := sleep(ctx, time.Duration(s.SteadySeconds)*time.Second); err != nil {
		return nil, err
	}
	return res, e.collect(ctx, s, res, rss, initial)
}

// collect reads the final counts: memory, CPU, queue waits, targets, orgs.
func (e *env) collect(ctx context.Context, s settings, res *result, rss *rssSampler, initial []int64) error {
	pid := e.mgr.Cmd.Process.Pid
	res.PeakRSSBytes, res.RSSFromVMHWM = rss.finish()
	res.ManagerCPUSeconds = cpuSeconds(pid)
	res.LoadAvgEnd = loadAvg()
	waits, err := queueWait(ctx, e.mgr.MetricsAddr)
	if err != nil {
		return err
	}
	res.QueueWaitFull, res.QueueWaitIncremental = summarize(waits["Full"]), summarize(waits["Incremental"])
	var list identityv1alpha1.DirectoryIntegrationList
	if err := e.cp.Client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return err
	}
	for i := range list.Items {
		if done(&list.Items[i], int32(s.UsersPerIntegration)) {
			res.InSyncAtEnd++
		}
	}
	for _, t := range e.targets {
		if t.server.UserCount() == s.UsersPerIntegration {
			res.TargetUsersOK++
		}
	}
	for i, o := range e.orgs {
		res.OrgRows = append(res.OrgRows, orgRow(o, s.OktaRateLimit, res.OktaShare, initial[i]))
	}
	return nil
}

func (r *result) setReadyTimes(ready map[string]time.Duration) {
	times := make([]float64, 0, len(ready))
	for _, d := range ready {
		times = append(times, d.Seconds())
	}
	slices.Sort(times)
	r.FirstReadySeconds, r.AllReadySeconds = times[0], times[len(times)-1]
	r.MedianReadySecs = percentile(times, 0.5)
}

func summarize(h histogram) waitSummary {
	return waitSummary{Cycles: h.total(), P50: orZero(h.quantile(0.5)), P95: orZero(h.quantile(0.95))}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func orgRow(o *org, limit int, share float64, initial int64) orgReport {
	total, throttled := o.requests()
	r := orgReport{Org: o.plan.Index, Users: o.plan.Users, Integrations: len(o.plan.Integrations), Requests: total,
		RequestsInitial: initial, Throttled: throttled, PeakPerWindow: o.peakRate(), Budget: orgBudget(limit, share)}
	r.WithinBudget = r.Throttled == 0 && r.PeakPerWindow <= r.Budget
	return r
}

func orZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

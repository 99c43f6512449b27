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

// Command bench measures the provisioning engine against the Okta emulator
// and the SCIM test server, each in a process of its own, over loopback.
// It runs three phases (initial full sync, no-change incremental cycle, 1%
// churn cycle), replays the minimal request set of each phase against a
// second SCIM server for the "vs limit" ratio, counts what Okta's own
// engine would send for the "vs Okta pattern" ratio, prints a table and
// writes bench/results.json. See docs/benchmarks.md.
//
// Environment: BENCH_USERS (20000), BENCH_GROUPS (500), BENCH_CHURN_PCT (1),
// BENCH_SEED (1), BENCH_RUNS (3: each phase reports the median run),
// BENCH_OUT (bench/results.json), BENCH_VERIFY (1),
// BENCH_MAPPING (plain; cel: six CEL expressions and a scope),
// BENCH_WRITE_CONCURRENCY (8), BENCH_READ_CONCURRENCY (4), BENCH_SCIM_RPS
// (-1: client limiter off), BENCH_PROFILE_DIR (unset: per-phase CPU and
// allocation profiles of the engine process are written there),
// BENCH_PHASES (main,bulk,paced: which runs), BENCH_PACED_LIMIT (40: the
// paced target's requests per second), BENCH_PACED_CEILING (200: the
// adaptive pacing's ceiling) and BENCH_PACED_FIXED_RPS (25: the fixed rate
// reported beside it).
package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
	"github.com/scimbridge/scimbridge/test/bench/benchenv"
)

func main() {
	worker := flag.Bool("worker", false, "run as the engine process (internal)")
	flag.Parse()
	if *worker {
		if err := runWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench worker:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// settings are the knobs read from the environment.
type settings struct {
	Users, Groups int
	ChurnPct      float64
	Seed          uint64
	Out           string
	Verify        bool
	Runs          int
	ProfileDir    string
	// MemoryLimitMiB runs the engine as under a container limit.
	MemoryLimitMiB int
	// Mapping is "plain" (the shorthands) or "cel" (celExpressions and
	// celScope).
	Mapping string
	Tuning  tuning
	// Phases are the runs to make: main (initial, nochange, churn), bulk
	// (the same on a Bulk target) and paced (initial syncs against a
	// rate-limited target).
	Phases map[string]bool
	Paced  pacedSettings
}

// pacedSettings shape the paced runs; the defaults are the manager's.
type pacedSettings struct {
	Limit, Ceiling, FixedRPS float64
	InFlight                 int
}

func loadSettings() (settings, error) {
	s := settings{
		Users: benchenv.Int("BENCH_USERS", 20000), Groups: benchenv.Int("BENCH_GROUPS", 500),
		ChurnPct: benchenv.Float("BENCH_CHURN_PCT", 1), Seed: uint64(benchenv.Int("BENCH_SEED", 1)),
		Out: os.Getenv("BENCH_OUT"), Verify: benchenv.Int("BENCH_VERIFY", 1) != 0, ProfileDir: os.Getenv("BENCH_PROFILE_DIR"),
		MemoryLimitMiB: benchenv.Int("BENCH_MEMORY_LIMIT_MIB", 0),
		Runs:           benchenv.Int("BENCH_RUNS", 3), Mapping: cmp.Or(os.Getenv("BENCH_MAPPING"), "plain"),
		Tuning: tuning{
			WriteConcurrency: benchenv.Int("BENCH_WRITE_CONCURRENCY", 8),
			ReadConcurrency:  benchenv.Int("BENCH_READ_CONCURRENCY", 4),
			SCIMRPS:          benchenv.Float("BENCH_SCIM_RPS", -1),
			OktaConcurrency:  8,
		},
	}
	// The SCIM client's in-flight cap follows the engine's write
	// concurrency, or the client would silently halve it (default 4).
	s.Tuning.SCIMConcurrency = s.Tuning.WriteConcurrency
	s.Phases = map[string]bool{}
	for _, p := range strings.Split(cmp.Or(os.Getenv("BENCH_PHASES"), "main,bulk,paced"), ",") {
		s.Phases[strings.TrimSpace(p)] = true
	}
	s.Paced = pacedSettings{Limit: benchenv.Float("BENCH_PACED_LIMIT", 40), Ceiling: benchenv.Float("BENCH_PACED_CEILING", 200),
		FixedRPS: benchenv.Float("BENCH_PACED_FIXED_RPS", 25), InFlight: 8}
	if s.Out == "" {
		s.Out = filepath.Join(moduleRoot(), "bench", "results.json")
	}
	switch {
	case s.Users < 1 || s.Users > 1_000_000:
		return s, errors.New("BENCH_USERS must be in 1..1000000")
	case s.Groups < 1 || s.Groups > 5000:
		return s, errors.New("BENCH_GROUPS must be in 1..5000")
	case s.Runs < 1 || s.Runs > 9:
		return s, errors.New("BENCH_RUNS must be in 1..9")
	case s.Tuning.WriteConcurrency < 1 || s.Tuning.ReadConcurrency < 1:
		return s, errors.New("concurrency must be positive")
	case s.Paced.Limit <= 0 || s.Paced.Ceiling <= 0 || s.Paced.FixedRPS <= 0:
		return s, errors.New("paced rates must be positive")
	case s.Mapping != "plain" && s.Mapping != "cel":
		return s, errors.New("BENCH_MAPPING must be plain or cel")
	}
	celMapping = s.Mapping == "cel"
	return s, nil
}

// bench holds one run's processes, clients and model.
type bench struct {
	s        settings
	procs    *procs
	admin    admin
	oktaURL  string
	oktaTok  string
	scimURL  string
	scimTok  string
	worker   *workerProc
	replay   *replayer
	verifyC  *scim.Client // reads the engine's target for verification
	verifyR  *scim.Client // reads the replay's target
	snap     *snapshot
	prev     targetState
	cfg      provisioning.Config
	reports  []phaseReport
	progress io.Writer
	// bulk runs the phases on a target that advertises SCIM Bulk, with
	// Bulk on in the engine; phase names start with "bulk-".
	bulk bool
}

func run(ctx context.Context) error {
	s, err := loadSettings()
	if err != nil {
		return err
	}
	var runs [][]phaseReport
	for i := range s.Runs {
		if !s.Phases["main"] {
			break
		}
		reps, err := runOnce(ctx, s, i+1, false)
		if err != nil {
			return err
		}
		runs = append(runs, reps)
	}
	rows := aggregate(runs)
	if s.Phases["bulk"] {
		// Request counts do not vary between runs: one is enough.
		reps, err := runOnce(ctx, s, 1, true)
		if err != nil {
			return err
		}
		rows = append(rows, aggregate([][]phaseReport{reps})...)
	}
	var paced []phaseReport
	if s.Phases["paced"] {
		var err error
		if paced, err = runPaced(ctx, s); err != nil {
			return err
		}
	}
	fmt.Printf("\nscimbridge bench: %d users, %d groups (all Assign+Push), churn %.3g%%, write concurrency %d, read concurrency %d, runs %s\n\n",
		s.Users, s.Groups, s.ChurnPct, s.Tuning.WriteConcurrency, s.Tuning.ReadConcurrency, runsText(s))
	if err := writeTable(os.Stdout, rows); err != nil {
		return err
	}
	fmt.Println()
	writeKinds(os.Stdout, rows)
	for _, r := range rows {
		if len(r.RatioVsLimitRuns) > 1 {
			fmt.Printf("%s: vs limit per run %.2f\n", r.Phase, r.RatioVsLimitRuns)
		}
		if r.Verify != nil && !r.Verify.OK() {
			fmt.Printf("%s: engine target differs from the model: %s\n  %s\n", r.Phase, r.Verify, strings.Join(r.Verify.Sample, "\n  "))
		}
		if r.EngineError != "" {
			fmt.Printf("%s: engine error: %s\n", r.Phase, r.EngineError)
		}
	}
	fmt.Println()
	writeMarkdown(os.Stdout, rows)
	if len(paced) > 0 {
		fmt.Printf("\npaced initial syncs: %d users, %d groups, target limited to %.0f requests/s\n\n", s.Users, s.Groups, s.Paced.Limit)
		if err := writePacedTable(os.Stdout, paced); err != nil {
			return err
		}
		fmt.Println()
		writePacedMarkdown(os.Stdout, paced)
	}
	if err := writeJSON(s.Out, append(rows, paced...)); err != nil {
		return err
	}
	fmt.Println("\nwrote", s.Out)
	return nil
}

// runOnce runs the three phases on freshly started processes.
func runOnce(ctx context.Context, s settings, n int, bulk bool) ([]phaseReport, error) {
	b := &bench{s: s, procs: &procs{}, progress: os.Stderr, prev: emptyTarget(), bulk: bulk}
	defer b.procs.killAll()
	b.logf("run %d of %d (bulk %t)", n, s.Runs, bulk)
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	if err := b.phases(ctx); err != nil {
		return nil, err
	}
	return b.reports, nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "%s bench: %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// start builds and starts the servers and the engine process, and reads the
// seeded directory.
func (b *bench) start(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "scimbridge-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // binaries stay open while running; removal is fine on Linux
	b.logf("building servers")
	oktaBin, scimBin, err := buildServers(ctx, dir)
	if err != nil {
		return err
	}
	b.oktaTok, b.scimTok = "00"+rand.Text(), rand.Text()
	b.logf("starting Okta emulator with %d users, %d groups", b.s.Users, b.s.Groups)
	if b.oktaURL, err = b.procs.startOkta(oktaBin, b.s.Users, b.s.Groups, b.oktaTok); err != nil {
		return err
	}
	var extra []string
	if b.bulk {
		extra = []string{"-bulk"}
	}
	if b.scimURL, err = b.procs.startSCIM(scimBin, b.scimTok, extra...); err != nil {
		return err
	}
	// The replay's own server, started identically, so the replay never
	// collides with the engine's objects and starts from the same state.
	replayURL, err := b.procs.startSCIM(scimBin, b.scimTok)
	if err != nil {
		return err
	}
	b.admin = admin{base: b.oktaURL, hc: &http.Client{Timeout: time.Minute}}
	if b.replay, err = newReplayer(b.oktaURL, b.oktaTok, replayURL, b.scimTok, b.s.Tuning); err != nil {
		return err
	}
	verifyOpts := scim.Options{RPS: -1, MaxConcurrency: 4}
	if b.verifyC, err = scim.New(b.scimURL, b.scimTok, verifyOpts); err != nil {
		return err
	}
	if b.verifyR, err = scim.New(replayURL, b.scimTok, verifyOpts); err != nil {
		return err
	}
	b.logf("reading the seeded directory")
	oc, err := okta.New(b.oktaURL, okta.SSWS(b.oktaTok), b.s.Tuning.oktaOptions(&httpx.Accounting{}))
	if err != nil {
		return err
	}
	if b.snap, err = readSnapshot(ctx, oc, 4); err != nil {
		return err
	}
	b.logf("directory: %d users in scope, %d groups", len(b.snap.Users), len(b.snap.Groups))
	if len(b.snap.Groups) > provisioning.DefaultCiscoMaxGroups {
		b.logf("warning: %d groups exceed Cisco's cap of %d; groups past it are not created", len(b.snap.Groups), provisioning.DefaultCiscoMaxGroups)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	b.worker, err = b.procs.startWorker(ctx, self, workerInit{OktaURL: b.oktaURL, OktaToken: b.oktaTok, SCIMURL: b.scimURL, SCIMToken: b.scimTok, Tuning: b.s.Tuning, ProfileDir: b.s.ProfileDir, MemoryLimitMiB: b.s.MemoryLimitMiB})
	return err
}

// benchConfig treats every Okta group as a ProvisionedGroup with Assign and
// Push, the heaviest realistic setup (500 groups are within Cisco's 1000).
func benchConfig(snap *snapshot, maxDeactivations int) provisioning.Config {
	cfg := provisioning.Config{
		Profile:     provisioning.ProfileCiscoSecureAccess,
		CreateUsers: true, UpdateUsers: true, DeactivateUsers: true,
		Mapping:                provisioning.Mapping{UserName: "login", DisplayName: "displayName"},
		MaxDeactivations:       maxDeactivations,
		MaxDeactivationPercent: 10,
	}
	if celMapping {
		cfg.Mapping.Expressions, cfg.Scope = celExpressions, celScope
	}
	for i, g := range snap.Groups {
		cfg.Groups = append(cfg.Groups, provisioning.GroupConfig{
			Key: fmt.Sprintf("bench/group-%d", i), OktaID: g.ID, OktaName: g.Name, Assign: true, Push: true,
		})
	}
	return cfg
}

// defaultMaxDeactivations is the CRD default; raised only when the churn's
// suspensions would exceed it, so the bench measures applied changes.
const defaultMaxDeactivations = 50

func (b *bench) phases(ctx context.Context) error {
	plan := planChurn(len(b.snap.Users), b.s.ChurnPct)
	b.cfg = benchConfig(b.snap, max(defaultMaxDeactivations, 2*plan.Suspends))
	b.cfg.Bulk = b.bulk
	if b.cfg.MaxDeactivations != defaultMaxDeactivations {
		b.logf("maxDeactivations raised to %d for %d churn suspensions", b.cfg.MaxDeactivations, plan.Suspends)
	}
	prefix := ""
	if b.bulk {
		prefix = "bulk-"
	}
	if err := b.phase(ctx, prefix+"initial", provisioning.ModeFull, nil, time.Time{}); err != nil {
		return err
	}
	if err := b.phase(ctx, prefix+"nochange", provisioning.ModeIncremental, &churnResult{ChangedGroups: map[string]bool{}}, time.Now().Add(-time.Second)); err != nil {
		return err
	}
	// The replay's incremental queries start just before the churn.
	since := time.Now().Add(-time.Second)
	b.logf("applying churn: %+v", plan)
	churn, err := applyChurn(ctx, b.admin, b.snap, plan, b.s.Seed)
	if err != nil {
		return fmt.Errorf("churn: %w", err)
	}
	return b.phase(ctx, prefix+"churn", provisioning.ModeIncremental, &churn, since)
}

// phase runs one engine cycle, verifies it, replays its change set and
// records the report. churn is nil for the full phase.
func (b *bench) phase(ctx context.Context, name string, mode provisioning.Mode, churn *churnResult, since time.Time) error {
	next := desiredTarget(b.snap, b.prev)
	cs := diff(b.snap, b.prev, next)
	rp := readPlan{Full: churn == nil, OktaGroups: map[string]int{}}
	for _, g := range b.snap.Groups {
		if churn == nil || churn.ChangedGroups[g.ID] {
			rp.OktaGroups[g.ID] = len(g.Members)
		}
	}
	if churn == nil {
		rp.TargetUsers, rp.TargetGroups = len(b.prev.Users), len(b.prev.Groups)
	} else {
		rp.ChangedUsers = churn.ChangedUsers
		for _, g := range b.snap.Groups {
			rp.GroupIDs = append(rp.GroupIDs, g.ID)
		}
	}
	rep := phaseReport{Phase: name, Users: b.s.Users, Groups: b.s.Groups, Mapping: b.s.Mapping, ChangeSet: summarize(cs), LoadAvg: loadAvg()}
	if churn != nil && churn.Plan.Total() > 0 {
		rep.Churn = &churn.Plan
	}

	oktaBefore, scimBefore, err := b.serverCounts(ctx)
	if err != nil {
		return err
	}
	b.cfg.Mode = mode
	b.logf("%s: engine cycle (%s), change set %+v", name, mode, rep.ChangeSet)
	w, err := b.worker.call(ctx, workerRequest{Phase: name, Config: b.cfg})
	if err != nil {
		return fmt.Errorf("%s: engine process: %w", name, err)
	}
	oktaAfter, scimAfter, err := b.serverCounts(ctx)
	if err != nil {
		return err
	}
	fillFromWorker(&rep, w)
	rep.CPUPerUserMicros = w.CPUSeconds * 1e6 / float64(b.s.Users)
	if w.Bulk.State != "" {
		rep.Bulk = &w.Bulk
	}
	rep.OktaServerRequests, rep.TargetServerRequests = countDelta(oktaBefore, oktaAfter), countDelta(scimBefore, scimAfter)
	b.logf("%s: engine %.2fs, %d Okta + %d target requests (%d writes), err=%q", name, w.WallSeconds, rep.OktaRequests, rep.TargetRequests, rep.TargetWrites, w.Err)
	// Feed the group status back as the controller would.
	for i := range b.cfg.Groups {
		g := &b.cfg.Groups[i]
		if o, ok := w.Groups[g.Key]; ok && o.TargetID != "" {
			g.TargetID, g.BaselineMembers = o.TargetID, o.PushedMembers
		}
	}
	if b.s.Verify {
		v, err := verifyTarget(ctx, b.verifyC, b.snap, next, 4)
		if err != nil {
			return fmt.Errorf("%s: verifying the engine's target: %w", name, err)
		}
		rep.Verify = &v
		b.logf("%s: engine target vs model: %s", name, v)
	}

	b.logf("%s: replaying the minimal request set", name)
	rs, err := b.replay.run(ctx, cs, rp, since)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	rep.Replay = &rs
	rep.ReplaySeconds, rep.ReplayCPUSeconds = &rs.Seconds, &rs.CPUSeconds
	if !rep.ChangeSet.empty() {
		rep.RatioVsLimit = ratio(rep.WallSeconds, rs.Seconds)
	}
	rep.OktaPatternRequests = oktaPattern(cs, true)
	rep.RatioVsOktaPattern = ratio(float64(rep.TargetRequests), float64(rep.OktaPatternRequests))
	rep.OktaPatternBatched = oktaPattern(cs, false)
	rep.RatioVsOktaPatternBatched = ratio(float64(rep.TargetRequests), float64(rep.OktaPatternBatched))
	if b.s.Verify {
		v, err := verifyTarget(ctx, b.verifyR, b.snap, next, 4)
		if err != nil {
			return fmt.Errorf("%s: verifying the replay's target: %w", name, err)
		}
		rep.VerifyReplay = &v
		if !v.OK() {
			b.logf("%s: replay target differs from the model (harness bug): %s %v", name, v, v.Sample)
		}
	}
	b.logf("%s: replay %.2fs (%d planned requests)", name, rs.Seconds, rs.Planned.Total())
	b.prev = next
	b.reports = append(b.reports, rep)
	return nil
}

// serverCounts reads both servers' request counts (the engine's target only).
func (b *bench) serverCounts(ctx context.Context) (oktaCounts, scimCounts map[string]int64, err error) {
	if oktaCounts, err = b.admin.counts(ctx); err != nil {
		return nil, nil, err
	}
	scimCounts, err = readSCIMCounts(ctx, b.scimURL, b.scimTok)
	return oktaCounts, scimCounts, err
}

// runsText says which runs the table holds.
func runsText(s settings) string {
	var parts []string
	if s.Phases["main"] {
		parts = append(parts, fmt.Sprintf("main phases: median of %d", s.Runs))
	}
	if s.Phases["bulk"] {
		parts = append(parts, "bulk phases: one run")
	}
	if s.Phases["paced"] {
		parts = append(parts, "paced: one run each")
	}
	return strings.Join(parts, ", ")
}

// loadAvg reads the 1-minute load average (0 when unavailable).
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// countDelta subtracts server count snapshots.
func countDelta(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range after {
		if d := n - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// readSCIMCounts reads the SCIM test server's request counts by "METHOD route".
func readSCIMCounts(ctx context.Context, scimURL, token string) (map[string]int64, error) {
	var rows []struct {
		Method, Path string
		Count        int64
	}
	if err := scimControl(ctx, scimURL, token, "requests", &rows); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Method+" "+r.Path] += r.Count
	}
	return out, nil
}

// readSCIMStats reads the SCIM test server's stats (users, groups, 429s, ...).
func readSCIMStats(ctx context.Context, scimURL, token string) (map[string]int64, error) {
	out := map[string]int64{}
	err := scimControl(ctx, scimURL, token, "stats", &out)
	return out, err
}

// scimControl GETs one of the SCIM test server's control endpoints.
func scimControl(ctx context.Context, scimURL, token, what string, into any) error {
	base := scimURL
	if i := strings.Index(base[len("http://"):], "/"); i >= 0 {
		base = base[:len("http://")+i]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_control/"+what, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("scim control: %s", resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}

// workerProc is the engine process seen from the harness.
type workerProc struct {
	enc *json.Encoder
	dec *json.Decoder
}

// startWorker starts this binary as the engine process and sends it init.
func (p *procs) startWorker(ctx context.Context, self string, init workerInit) (*workerProc, error) {
	_, in, out, err := p.start(self, []string{"-worker"}, true)
	if err != nil {
		return nil, err
	}
	w := &workerProc{enc: json.NewEncoder(in), dec: json.NewDecoder(bufio.NewReader(out))}
	if err := w.enc.Encode(init); err != nil {
		return nil, err
	}
	var ready map[string]bool
	if err := w.recv(ctx, &ready, time.Minute); err != nil {
		return nil, fmt.Errorf("engine process: %w", err)
	}
	return w, nil
}

func (w *workerProc) recv(ctx context.Context, v any, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- w.dec.Decode(v) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		return errors.New("timed out")
	}
}

func (w *workerProc) call(ctx context.Context, req workerRequest) (workerResult, error) {
	var res workerResult
	if err := w.enc.Encode(req); err != nil {
		return res, err
	}
	err := w.recv(ctx, &res, cycleTimeout+time.Minute)
	return res, err
}

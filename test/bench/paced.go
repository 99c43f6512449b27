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

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// The paced runs measure how close the engine comes to a target's own rate
// limit when it has to find it: an initial sync against a SCIM server that
// answers 429 past a token bucket (one second of burst), with and without
// Retry-After, paced adaptively under the manager's default ceiling, and
// the manager's fixed default rate beside it. The yardstick is the minimal
// write set divided by the limit: no client can do better.

// pacedVariant is one paced run.
type pacedVariant struct {
	name       string
	retryAfter bool
	adaptive   bool
	rps        float64 // the adaptive ceiling, or the fixed rate
}

// pacedStats are a paced run's measures.
type pacedStats struct {
	LimitRPS   float64 `json:"limit_rps"`
	RetryAfter bool    `json:"retry_after"`
	Pacing     string  `json:"pacing"`
	// ClientRPS is the adaptive ceiling or the fixed rate.
	ClientRPS     float64 `json:"client_rps"`
	MinimalWrites int     `json:"minimal_writes"`
	// LimitSeconds is MinimalWrites / LimitRPS; WallRatio the cycle's wall
	// time over it.
	LimitSeconds float64 `json:"minimal_writes_over_limit_seconds"`
	WallRatio    float64 `json:"wall_vs_writes_over_limit"`
	// WriteRate is the successful writes per second from the end of the
	// cycle's first minute to its last write; WriteShare that over the limit.
	WriteRate  *float64 `json:"write_rate_after_first_minute"`
	WriteShare *float64 `json:"write_rate_share_of_limit"`
	// Throttled counts the engine's 429 answers (client accounting),
	// ServerThrottled the server's; ThrottledShare is Throttled over all
	// target requests of the cycle.
	Throttled       int64   `json:"throttled"`
	ServerThrottled int64   `json:"server_throttled"`
	ThrottledShare  float64 `json:"throttled_share"`
	FinalRPS        float64 `json:"final_rps"`
	Cuts            int64   `json:"cuts"`
	WritesPerSecond []int64 `json:"writes_per_second"`
}

// runPaced runs the paced variants, each on a fresh SCIM server and engine
// process, against one Okta emulator.
func runPaced(ctx context.Context, s settings) ([]phaseReport, error) {
	b := &bench{s: s, procs: &procs{}, progress: os.Stderr}
	defer b.procs.killAll()
	dir, err := os.MkdirTemp("", "scimbridge-bench-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	oktaBin, scimBin, err := buildServers(ctx, dir)
	if err != nil {
		return nil, err
	}
	b.oktaTok, b.scimTok = "00"+rand.Text(), rand.Text()
	b.logf("paced: starting Okta emulator with %d users, %d groups", s.Users, s.Groups)
	if b.oktaURL, err = b.procs.startOkta(oktaBin, s.Users, s.Groups, b.oktaTok); err != nil {
		return nil, err
	}
	oc, err := okta.New(b.oktaURL, okta.SSWS(b.oktaTok), s.Tuning.oktaOptions(&httpx.Accounting{}))
	if err != nil {
		return nil, err
	}
	if b.snap, err = readSnapshot(ctx, oc, 4); err != nil {
		return nil, err
	}
	p := s.Paced
	variants := []pacedVariant{
		{"paced-retry-after", true, true, p.Ceiling},
		{"paced-no-retry-after", false, true, p.Ceiling},
		{"paced-fixed-default", true, false, p.FixedRPS},
	}
	var reps []phaseReport
	for _, v := range variants {
		rep, err := b.pacedRun(ctx, scimBin, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

// pacedRun is one initial sync against a freshly started, rate-limited target.
func (b *bench) pacedRun(ctx context.Context, scimBin string, v pacedVariant) (phaseReport, error) {
	p := b.s.Paced
	vp := &procs{}
	defer vp.killAll()
	scimURL, err := vp.startSCIM(scimBin, b.scimTok, "-rate", strconv.FormatFloat(p.Limit, 'f', -1, 64), "-retry-after="+strconv.FormatBool(v.retryAfter))
	if err != nil {
		return phaseReport{}, err
	}
	t := b.s.Tuning
	t.SCIMAdaptive, t.SCIMRPS, t.SCIMConcurrency = v.adaptive, v.rps, p.InFlight
	self, err := os.Executable()
	if err != nil {
		return phaseReport{}, err
	}
	worker, err := vp.startWorker(ctx, self, workerInit{OktaURL: b.oktaURL, OktaToken: b.oktaTok, SCIMURL: scimURL, SCIMToken: b.scimTok, Tuning: t})
	if err != nil {
		return phaseReport{}, err
	}
	next := desiredTarget(b.snap, emptyTarget())
	cs := diff(b.snap, emptyTarget(), next)
	minimal := limitRequests(cs, readPlan{Full: true}).TargetWrites
	rep := phaseReport{Phase: v.name, Runs: 1, Users: b.s.Users, Groups: b.s.Groups, ChangeSet: summarize(cs), LoadAvg: loadAvg()}
	cfg := benchConfig(b.snap, defaultMaxDeactivations)
	cfg.Mode = provisioning.ModeFull
	b.logf("%s: initial sync, target limited to %.0f/s (Retry-After %t), pacing adaptive %t at %.0f/s, %d minimal writes",
		v.name, p.Limit, v.retryAfter, v.adaptive, v.rps, minimal)
	w, err := worker.call(ctx, workerRequest{Phase: v.name, Config: cfg})
	if err != nil {
		return rep, err
	}
	fillFromWorker(&rep, w)
	st := pacedMeasures(w, p.Limit, minimal)
	st.RetryAfter, st.ClientRPS, st.Pacing = v.retryAfter, v.rps, map[bool]string{true: "Adaptive", false: "Fixed"}[v.adaptive]
	if stats, err := readSCIMStats(ctx, scimURL, b.scimTok); err == nil {
		st.ServerThrottled = stats["throttled"]
	}
	rep.Paced = &st
	b.logf("%s: wall %.1fs (%.2f × writes/limit), write rate after 1 min %s, %d × 429 (%.2f%%)",
		v.name, w.WallSeconds, st.WallRatio, fmtRate(st.WriteRate), st.Throttled, 100*st.ThrottledShare)
	if b.s.Verify {
		// Read back below the server's limit.
		vc, err := scim.New(scimURL, b.scimTok, scim.Options{RPS: 0.8 * p.Limit, Burst: 1, MaxConcurrency: 4})
		if err != nil {
			return rep, err
		}
		res, err := verifyTarget(ctx, vc, b.snap, next, 4)
		if err != nil {
			return rep, fmt.Errorf("verifying: %w", err)
		}
		rep.Verify = &res
		b.logf("%s: target vs model: %s", v.name, res)
	}
	return rep, nil
}

// fillFromWorker copies the engine's measures of a cycle into rep.
func fillFromWorker(rep *phaseReport, w workerResult) {
	rep.Mode, rep.WallSeconds, rep.EngineCPUSeconds, rep.EngineError = w.Mode, w.WallSeconds, w.CPUSeconds, w.Err
	rep.OktaRequestsByKind, rep.TargetRequestsByKind = w.OktaRequests, w.TargetRequests
	for _, n := range w.OktaRequests {
		rep.OktaRequests += n
	}
	for _, n := range w.TargetRequests {
		rep.TargetRequests += n
	}
	rep.TargetWrites, rep.PeakHeapBytes, rep.PeakRSSBytes, rep.RSSFromVMHWM = w.TargetWrites, w.PeakHeap, w.PeakRSS, w.RSSResetOK
	rep.EngineCounts, rep.Held, rep.Failures, rep.Source = w.Counts, w.Held, w.Failures, w.SourceComplete
	rep.Pacing = w.Pacing
}

// pacedMeasures derives the paced measures from the cycle's timeline.
func pacedMeasures(w workerResult, limit float64, minimal int) pacedStats {
	st := pacedStats{LimitRPS: limit, MinimalWrites: minimal, LimitSeconds: float64(minimal) / limit,
		Throttled: w.Throttled, WritesPerSecond: w.WritesPerSecond}
	st.WallRatio = w.WallSeconds / st.LimitSeconds
	var total int64
	for _, n := range w.TargetRequests {
		total += n
	}
	if total > 0 {
		st.ThrottledShare = float64(w.Throttled) / float64(total)
	}
	if w.Pacing != nil {
		st.FinalRPS, st.Cuts = w.Pacing.RPS, w.Pacing.Cuts
	}
	st.WriteRate = rateAfter(w.WritesPerSecond, 60)
	if st.WriteRate != nil {
		share := *st.WriteRate / limit
		st.WriteShare = &share
	}
	return st
}

// rateAfter is the average per second from second skip to the last second
// with a write; nil when fewer than 10 such seconds remain.
func rateAfter(perSecond []int64, skip int) *float64 {
	last := len(perSecond) - 1
	for last >= 0 && perSecond[last] == 0 {
		last--
	}
	if last-skip+1 < 10 {
		return nil
	}
	var n int64
	for _, c := range perSecond[skip : last+1] {
		n += c
	}
	r := float64(n) / float64(last-skip+1)
	return &r
}

func fmtRate(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f/s", *r)
}

func fmtShare(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100**r)
}

// writePacedTable prints the paced runs.
func writePacedTable(w io.Writer, rows []phaseReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tlimit/s\tRetry-After\tpacing\tclient/s\tmin writes\twrites÷limit s\twall s\tvs writes÷limit\twrite rate >1min\tof limit\t429s\t429 share\tfinal rate/s\tcuts\ttarget ok\tload\t")
	for _, r := range rows {
		p := r.Paced
		fmt.Fprintf(tw, "%s\t%.0f\t%t\t%s\t%.0f\t%d\t%.1f\t%.1f\t%.3f\t%s\t%s\t%d\t%.2f%%\t%.1f\t%d\t%s\t%.1f\t\n",
			r.Phase, p.LimitRPS, p.RetryAfter, p.Pacing, p.ClientRPS, p.MinimalWrites, p.LimitSeconds, r.WallSeconds, p.WallRatio,
			fmtRate(p.WriteRate), fmtShare(p.WriteShare), p.Throttled, 100*p.ThrottledShare, p.FinalRPS, p.Cuts, verifyMark(r), r.LoadAvg)
	}
	return tw.Flush()
}

// writePacedMarkdown prints the same in Markdown.
func writePacedMarkdown(w io.Writer, rows []phaseReport) {
	fmt.Fprintln(w, "| phase | limit/s | Retry-After | pacing | client/s | minimal writes | writes ÷ limit s | wall s | vs writes ÷ limit | write rate after 1 min | of limit | 429s | 429 share | final rate/s | cuts | target = model | load |")
	fmt.Fprintln(w, "|---|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|")
	for _, r := range rows {
		p := r.Paced
		fmt.Fprintf(w, "| %s | %.0f | %t | %s | %.0f | %d | %.1f | %.1f | %.3f | %s | %s | %d | %.2f%% | %.1f | %d | %s | %.1f |\n",
			r.Phase, p.LimitRPS, p.RetryAfter, p.Pacing, p.ClientRPS, p.MinimalWrites, p.LimitSeconds, r.WallSeconds, p.WallRatio,
			fmtRate(p.WriteRate), fmtShare(p.WriteShare), p.Throttled, 100*p.ThrottledShare, p.FinalRPS, p.Cuts, verifyMark(r), r.LoadAvg)
	}
}

func verifyMark(r phaseReport) string {
	switch {
	case r.EngineError != "":
		return "ERROR"
	case r.Verify == nil:
		return "-"
	case r.Verify.OK():
		return "yes"
	}
	return "no"
}

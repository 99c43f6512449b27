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
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// phaseReport is one element of bench/results.json.
type phaseReport struct {
	Phase string `json:"phase"`
	// Runs is how many runs were made; the row is the median run (by
	// ratio_vs_limit, or wall time when there is no ratio), except the
	// peaks, which are the largest of all runs.
	Runs              int       `json:"runs"`
	RatioVsLimitRuns  []float64 `json:"ratio_vs_limit_runs,omitempty"`
	WallSecondsRuns   []float64 `json:"wall_seconds_runs,omitempty"`
	ReplaySecondsRuns []float64 `json:"replay_seconds_runs,omitempty"`
	Users             int       `json:"users"`
	// Mapping is BENCH_MAPPING: plain (the shorthands) or cel (six
	// expressions and a scope).
	Mapping     string  `json:"mapping"`
	Groups      int     `json:"groups"`
	Mode        string  `json:"mode"`
	WallSeconds float64 `json:"wall_seconds"`
	// EngineCPUSeconds is the engine process's CPU time over the cycle (the
	// sampler included, which costs little).
	EngineCPUSeconds float64 `json:"engine_cpu_seconds"`
	// CPUPerUserMicros is EngineCPUSeconds per user of the directory, in µs.
	CPUPerUserMicros float64 `json:"engine_cpu_us_per_user"`
	// LoadAvg is the machine's 1-minute load average when the phase
	// started: wall times and ratios are only comparable at similar load.
	LoadAvg       float64  `json:"load_avg_1m"`
	ReplaySeconds *float64 `json:"replay_seconds"`
	// ReplayCPUSeconds is the replay's CPU time: the clients' own cost of
	// the minimal request set, to compare with EngineCPUSeconds.
	ReplayCPUSeconds    *float64 `json:"replay_cpu_seconds"`
	RatioVsLimit        *float64 `json:"ratio_vs_limit"`
	OktaRequests        int64    `json:"okta_requests"`
	TargetRequests      int64    `json:"target_requests"`
	TargetWrites        int64    `json:"target_writes"`
	OktaPatternRequests int      `json:"okta_pattern_requests"`
	RatioVsOktaPattern  *float64 `json:"ratio_vs_okta_pattern"`
	// The same with every group's membership changes batched (a lower
	// bound for Okta; equal to the above for first pushes).
	OktaPatternBatched        int      `json:"okta_pattern_batched_requests"`
	RatioVsOktaPatternBatched *float64 `json:"ratio_vs_okta_pattern_batched"`
	PeakRSSBytes              uint64   `json:"peak_rss_bytes"`
	PeakHeapBytes             uint64   `json:"peak_heap_bytes"`
	RSSFromVMHWM              bool     `json:"rss_from_vmhwm"`

	OktaRequestsByKind   map[string]int64 `json:"okta_requests_by_kind"`
	TargetRequestsByKind map[string]int64 `json:"target_requests_by_kind"`
	// The servers' own counts over the engine's cycle, a cross-check of the
	// clients' accounting.
	OktaServerRequests   map[string]int64 `json:"okta_server_requests"`
	TargetServerRequests map[string]int64 `json:"target_server_requests"`

	ChangeSet    csSummary           `json:"change_set"`
	Churn        *churnPlan          `json:"churn,omitempty"`
	Replay       *replayStats        `json:"replay,omitempty"`
	EngineCounts provisioning.Counts `json:"engine_counts"`
	Held         int                 `json:"held"`
	Failures     []string            `json:"failures,omitempty"`
	Source       bool                `json:"source_complete"`
	EngineError  string              `json:"engine_error,omitempty"`
	Verify       *verifyResult       `json:"verify_engine,omitempty"`
	VerifyReplay *verifyResult       `json:"verify_replay,omitempty"`
	// Bulk and Pacing are the engine's report of the cycle; Paced the
	// measures of a paced run.
	Bulk   *provisioning.BulkReport `json:"bulk,omitempty"`
	Pacing *scim.PaceStats          `json:"pacing,omitempty"`
	Paced  *pacedStats              `json:"paced,omitempty"`
}

// aggregate turns runs (each a list of phases in the same order) into one
// row per phase: the median run, with every run's ratios and times listed
// and the memory peaks taken over all runs.
func aggregate(runs [][]phaseReport) []phaseReport {
	if len(runs) == 0 {
		return nil
	}
	var rows []phaseReport
	for p := range runs[0] {
		var cands []phaseReport
		for _, run := range runs {
			if p < len(run) {
				cands = append(cands, run[p])
			}
		}
		key := func(r phaseReport) float64 {
			if r.RatioVsLimit != nil {
				return *r.RatioVsLimit
			}
			return r.WallSeconds
		}
		slices.SortStableFunc(cands, func(a, b phaseReport) int { return cmp.Compare(key(a), key(b)) })
		row := cands[(len(cands)-1)/2]
		row.Runs = len(cands)
		row.RatioVsLimitRuns, row.WallSecondsRuns, row.ReplaySecondsRuns = nil, nil, nil
		for _, r := range runs {
			if p >= len(r) {
				continue
			}
			c := r[p]
			if c.RatioVsLimit != nil {
				row.RatioVsLimitRuns = append(row.RatioVsLimitRuns, *c.RatioVsLimit)
			}
			row.WallSecondsRuns = append(row.WallSecondsRuns, c.WallSeconds)
			if c.ReplaySeconds != nil {
				row.ReplaySecondsRuns = append(row.ReplaySecondsRuns, *c.ReplaySeconds)
			}
			row.PeakRSSBytes = max(row.PeakRSSBytes, c.PeakRSSBytes)
			row.PeakHeapBytes = max(row.PeakHeapBytes, c.PeakHeapBytes)
		}
		rows = append(rows, row)
	}
	return rows
}

func ratio(a, b float64) *float64 {
	if b <= 0 {
		return nil
	}
	r := a / b
	return &r
}

func fmtRatio(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *r)
}

func fmtSeconds(s *float64) string {
	if s == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *s)
}

func mib(b uint64) string { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }

// writeTable prints the phases as an aligned table, the way docs/benchmarks.md shows them.
func writeTable(w io.Writer, rows []phaseReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tusers\tgroups\twall s\tCPU s\treplay s\treplay CPU s\tvs limit\tokta req\ttarget req\twrites\tokta pattern\tvs pattern\tvs batched\theap MiB\tRSS MiB\ttarget ok\tload\tmapping\tCPU µs/user\t")
	for _, r := range rows {
		ok := "-"
		if r.Verify != nil {
			ok = map[bool]string{true: "yes", false: "NO"}[r.Verify.OK()]
		}
		if r.EngineError != "" {
			ok = "ERROR"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%.1f\t\n",
			r.Phase, r.Users, r.Groups, r.WallSeconds, r.EngineCPUSeconds, fmtSeconds(r.ReplaySeconds), fmtSeconds(r.ReplayCPUSeconds), fmtRatio(r.RatioVsLimit),
			r.OktaRequests, r.TargetRequests, r.TargetWrites, r.OktaPatternRequests, fmtRatio(r.RatioVsOktaPattern), fmtRatio(r.RatioVsOktaPatternBatched),
			mib(r.PeakHeapBytes), mib(r.PeakRSSBytes), ok, r.LoadAvg, r.Mapping, r.CPUPerUserMicros)
	}
	return tw.Flush()
}

// writeMarkdown prints the same table in Markdown, for docs/benchmarks.md.
func writeMarkdown(w io.Writer, rows []phaseReport) {
	fmt.Fprintln(w, "| phase | users | groups | wall s | engine CPU s | replay s | replay CPU s | vs limit | Okta req | target req | target writes | Okta pattern | vs pattern | vs batched | peak heap MiB | peak RSS MiB | target = model | load | mapping | CPU µs/user |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|--:|")
	for _, r := range rows {
		ok := "-"
		if r.Verify != nil {
			ok = map[bool]string{true: "yes", false: "no"}[r.Verify.OK()]
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.2f | %.2f | %s | %s | %s | %d | %d | %d | %d | %s | %s | %s | %s | %s | %.1f | %s | %.1f |\n",
			r.Phase, r.Users, r.Groups, r.WallSeconds, r.EngineCPUSeconds, fmtSeconds(r.ReplaySeconds), fmtSeconds(r.ReplayCPUSeconds), fmtRatio(r.RatioVsLimit),
			r.OktaRequests, r.TargetRequests, r.TargetWrites, r.OktaPatternRequests, fmtRatio(r.RatioVsOktaPattern),
			fmtRatio(r.RatioVsOktaPatternBatched), mib(r.PeakHeapBytes), mib(r.PeakRSSBytes), ok, r.LoadAvg, r.Mapping, r.CPUPerUserMicros)
	}
}

// writeKinds prints requests by kind per phase, engine and replay side by side.
func writeKinds(w io.Writer, rows []phaseReport) {
	for _, r := range rows {
		fmt.Fprintf(w, "%s: okta %s\n", r.Phase, kindsLine(r.OktaRequestsByKind))
		fmt.Fprintf(w, "%s: target %s\n", r.Phase, kindsLine(r.TargetRequestsByKind))
		if r.Replay != nil {
			fmt.Fprintf(w, "%s: replay okta %s; target %s\n", r.Phase, kindsLine(r.Replay.OktaRequests), kindsLine(r.Replay.TargetRequests))
		}
	}
}

func kindsLine(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// writeJSON writes the results array, creating the directory.
func writeJSON(path string, rows []phaseReport) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

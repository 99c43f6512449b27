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
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// orgReport is one Okta org's row.
type orgReport struct {
	Org          int   `json:"org"`
	Users        int   `json:"users"`
	Integrations int   `json:"integrations"`
	Requests     int64 `json:"okta_requests"`
	// RequestsInitial were sent until every integration was in sync; the
	// rest during the steady phase.
	RequestsInitial int64 `json:"okta_requests_initial"`
	Throttled       int64 `json:"okta_429s"`
	// PeakPerWindow is the most requests one bucket admitted in one window.
	PeakPerWindow int  `json:"peak_bucket_requests_per_window"`
	Budget        int  `json:"budget_per_bucket_per_window"`
	WithinBudget  bool `json:"within_budget"`
}

// waitSummary is the queue wait of one cycle mode, from the histogram.
type waitSummary struct {
	Cycles float64 `json:"cycles"`
	P50    float64 `json:"p50_seconds"`
	P95    float64 `json:"p95_seconds"`
}

// result is bench/results-many.json.
type result struct {
	Integrations        int     `json:"integrations"`
	Orgs                int     `json:"orgs"`
	UsersPerIntegration int     `json:"users_per_integration"`
	OktaRateLimit       int     `json:"okta_rate_limit_per_bucket_per_minute"`
	OktaShare           float64 `json:"okta_share"`
	MaxConcurrentCycles int     `json:"max_concurrent_cycles"`
	TargetRPS           float64 `json:"target_requests_per_second"`
	SyncInterval        string  `json:"sync_interval"`
	SteadySeconds       int     `json:"steady_seconds"`
	MinCycleGap         string  `json:"min_cycle_gap"`
	LoadAvgStart        string  `json:"load_avg_start"`
	LoadAvgEnd          string  `json:"load_avg_end"`

	AllReadySeconds     float64 `json:"all_ready_seconds"`
	FirstReadySeconds   float64 `json:"first_ready_seconds"`
	MedianReadySecs     float64 `json:"median_ready_seconds"`
	PeakRSSInitialBytes uint64  `json:"manager_peak_rss_initial_bytes"`
	PeakRSSBytes        uint64  `json:"manager_peak_rss_bytes"`
	RSSFromVMHWM        bool    `json:"rss_from_vmhwm"`
	CPUInitialSeconds   float64 `json:"manager_cpu_initial_seconds"`
	ManagerCPUSeconds   float64 `json:"manager_cpu_seconds"`
	// QueueWaitFull is the initial syncs' wait (all due at once);
	// QueueWaitIncremental the steady phase's.
	QueueWaitFull        waitSummary `json:"queue_wait_full"`
	QueueWaitIncremental waitSummary `json:"queue_wait_incremental"`
	InSyncAtEnd          int         `json:"in_sync_at_end"`
	TargetUsersOK        int         `json:"targets_with_all_users"`

	OrgRows []orgReport `json:"orgs_detail"`
}

func (r *result) budgetOK() bool {
	for _, o := range r.OrgRows {
		if !o.WithinBudget {
			return false
		}
	}
	return true
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func secs(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if v < 10 {
		return fmt.Sprintf("%.2f s", v)
	}
	return fmt.Sprintf("%.1f s", v)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// summaryRows are the headline numbers as label/value pairs.
func summaryRows(r *result) [][2]string {
	var req, thr int64
	for _, o := range r.OrgRows {
		req += o.Requests
		thr += o.Throttled
	}
	return [][2]string{
		{"integrations × users", fmt.Sprintf("%d × %d (%d orgs, %d targets)", r.Integrations, r.UsersPerIntegration, r.Orgs, r.Integrations)},
		{"manager peak RSS (initial / whole run)", mib(r.PeakRSSInitialBytes) + " / " + mib(r.PeakRSSBytes)},
		{"manager CPU (initial / whole run)", fmt.Sprintf("%.1f s / %.1f s", r.CPUInitialSeconds, r.ManagerCPUSeconds)},
		{"all Ready + users in sync", secs(r.AllReadySeconds)},
		{"first / median integration in sync", secs(r.FirstReadySeconds) + " / " + secs(r.MedianReadySecs)},
		{"queue wait p50 / p95, initial (Full)", waitCell(r.QueueWaitFull)},
		{fmt.Sprintf("queue wait p50 / p95, steady (Incremental, %d s)", r.SteadySeconds), waitCell(r.QueueWaitIncremental)},
		{"in sync at the end / targets holding all users", fmt.Sprintf("%d/%d / %d/%d", r.InSyncAtEnd, r.Integrations, r.TargetUsersOK, r.Integrations)},
		{"Okta requests (all orgs), 429s", fmt.Sprintf("%d, %d", req, thr)},
		{"every org within its budget", yes(r.budgetOK())},
		{"manager flags", fmt.Sprintf("--max-concurrent-cycles=%d --target-rate-mode=Fixed --target-requests-per-second=%g --min-cycle-gap=%s", r.MaxConcurrentCycles, r.TargetRPS, r.MinCycleGap)},
		{"Okta limit per bucket / manager share", fmt.Sprintf("%d per minute / %g", r.OktaRateLimit, r.OktaShare)},
		{"load average start / end", r.LoadAvgStart + " / " + r.LoadAvgEnd},
	}
}

func waitCell(w waitSummary) string {
	return fmt.Sprintf("%s / %s (%.0f cycles)", secs(w.P50), secs(w.P95), w.Cycles)
}

var orgHeader = []string{"org", "users", "integrations", "Okta requests initial / total", "429s", "peak bucket/window", "budget", "within"}

func orgCells(o orgReport) []string {
	return []string{fmt.Sprint(o.Org), fmt.Sprint(o.Users), fmt.Sprint(o.Integrations), fmt.Sprintf("%d / %d", o.RequestsInitial, o.Requests),
		fmt.Sprint(o.Throttled), fmt.Sprint(o.PeakPerWindow), fmt.Sprint(o.Budget), yes(o.WithinBudget)}
}

// writeTable prints the summary and the per-org table as plain text.
func writeTable(w io.Writer, r *result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range summaryRows(r) {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, strings.Join(orgHeader, "\t"))
	for _, o := range r.OrgRows {
		fmt.Fprintln(tw, strings.Join(orgCells(o), "\t"))
	}
	return tw.Flush()
}

// writeMarkdown prints the same as Markdown tables.
func writeMarkdown(w io.Writer, r *result) {
	fmt.Fprintln(w, "| measure | value |\n|---|---|")
	for _, row := range summaryRows(r) {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(orgHeader, " | "), strings.Repeat("---|", len(orgHeader)))
	for _, o := range r.OrgRows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(orgCells(o), " | "))
	}
}

func writeJSON(path string, r *result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

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
	"os"
	"path/filepath"
	"text/tabwriter"
)

// modeResult is one mode's changes: their change-to-target latency and
// what they cost.
type modeResult struct {
	Mode    string  `json:"mode"`
	Changes int     `json:"changes"`
	Arrived int     `json:"arrived"`
	Lost    int     `json:"lost"`
	P50     float64 `json:"p50_seconds"`
	P95     float64 `json:"p95_seconds"`
	Max     float64 `json:"max_seconds"`
	Seconds float64 `json:"seconds"`
	// OktaRequests are all the mode's Okta requests, LogRequests the
	// System Log polls among them.
	OktaRequests       int64   `json:"okta_requests"`
	LogRequests        int64   `json:"okta_log_requests"`
	OktaPerChange      float64 `json:"okta_requests_per_change"`
	OktaReadsPerChange float64 `json:"okta_reads_per_change"`
	LogsPerMinute      float64 `json:"log_polls_per_minute"`
	TargetRequests     int     `json:"target_requests"`
	TargetPerChange    float64 `json:"target_requests_per_change"`
	TargetedCycles     int64   `json:"targeted_cycles"`
	HooksDelivered     int     `json:"hooks_delivered"`
	HooksDropped       int     `json:"hooks_dropped"`
	LoadAvg            string  `json:"load_average_end"`
}

// incrementalResult is one scheduled incremental cycle after two changes:
// what every change cost before the feed.
type incrementalResult struct {
	OktaRequests   int64   `json:"okta_requests"`
	PerChange      float64 `json:"okta_requests_per_change"`
	TargetRequests int     `json:"target_requests"`
}

type latencyResult struct {
	Users              int               `json:"users"`
	ChangesPerMode     int               `json:"changes_per_mode"`
	Gap                string            `json:"gap"`
	SyncInterval       string            `json:"sync_interval"`
	InitialSyncSeconds float64           `json:"initial_sync_seconds"`
	LogsLimit          int               `json:"logs_bucket_per_minute"`
	LogsPeakPerMinute  int               `json:"logs_peak_per_minute"`
	Modes              []modeResult      `json:"modes"`
	Incremental        incrementalResult `json:"incremental_cycle"`
	LoadAvgStart       string            `json:"load_average_start"`
	LoadAvgEnd         string            `json:"load_average_end"`
}

// goal is the p95 bound per mode: 10 s with hooks, 60 s from the
// System Log alone.
func goal(mode string) float64 {
	if mode == modeSyslog {
		return 60
	}
	return 10
}

func writeLatencyTable(out io.Writer, r *latencyResult) {
	fmt.Fprintf(out, "\nChange-to-target latency: 1 integration × %d users, %d changes per mode, %s apart (syncInterval %s; initial sync %s)\n\n",
		r.Users, r.ChangesPerMode, r.Gap, r.SyncInterval, secs(r.InitialSyncSeconds))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "mode\tp50\tp95 (goal)\tmax\tlost\tOkta req/change (reads + log polls)\tlog polls/min\ttarget req/change\ttargeted cycles\thooks delivered/dropped\tload avg")
	for _, m := range r.Modes {
		fmt.Fprintf(tw, "%s\t%s\t%s (≤ %.0f s %s)\t%s\t%d/%d\t%.2f (%.2f + %.2f)\t%.1f\t%.2f\t%d\t%d/%d\t%s\n",
			m.Mode, secs(m.P50), secs(m.P95), goal(m.Mode), yes(m.P95 <= goal(m.Mode) && m.Lost == 0), secs(m.Max), m.Lost, m.Changes,
			m.OktaPerChange, m.OktaReadsPerChange, m.OktaPerChange-m.OktaReadsPerChange, m.LogsPerMinute,
			m.TargetPerChange, m.TargetedCycles, m.HooksDelivered, m.HooksDropped, m.LoadAvg)
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "\nSystem Log bucket: peak %d requests in one minute of %d (goal ≤ 10%%: %s)\n",
		r.LogsPeakPerMinute, r.LogsLimit, yes(r.LogsPeakPerMinute*10 <= r.LogsLimit))
	fmt.Fprintf(out, "Today (no feed): a change waits for the next cycle, up to syncInterval (default 10m); one incremental cycle after 2 changes sent %d Okta requests (%.1f per change) and %d target requests\n",
		r.Incremental.OktaRequests, r.Incremental.PerChange, r.Incremental.TargetRequests)
	fmt.Fprintf(out, "Load average: start %s, end %s\n", r.LoadAvgStart, r.LoadAvgEnd)
}

func writeLatencyJSON(path string, r *latencyResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

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

package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

const (
	rulesFile = "../../config/prometheus/alerts/scimbridge.rules.yaml"
	testsFile = "alerts_test.yaml"
)

// The metrics the manager exports (internal/controller/metrics.go). Rules
// and panels may use only these, so a renamed metric fails here and not
// silently in production.
var knownMetrics = map[string]bool{
	"scimbridge_condition":                              true,
	"scimbridge_last_successful_sync_timestamp_seconds": true,
	"scimbridge_sync_interval_seconds":                  true,
	"scimbridge_integration_suspended":                  true,
	"scimbridge_held_changes":                           true,
	"scimbridge_out_of_sync_objects":                    true,
	"scimbridge_target_objects":                         true,
	"scimbridge_group_cap":                              true,
	"scimbridge_target_rate_requests_per_second":        true,
	"scimbridge_cycle_duration_seconds_bucket":          true,
	"scimbridge_cycle_duration_seconds_count":           true,
	"scimbridge_cycle_duration_seconds_sum":             true,
	"scimbridge_requests_total":                         true,
	"scimbridge_request_duration_seconds_bucket":        true,
	"scimbridge_request_duration_seconds_count":         true,
	"scimbridge_request_duration_seconds_sum":           true,
	"scimbridge_throttled_requests_total":               true,
}

var metricName = regexp.MustCompile(`scimbridge_[a-z_]+`)

// unknownMetrics returns the scimbridge_ names in expr that are not exported.
func unknownMetrics(expr string) []string {
	var out []string
	for _, m := range metricName.FindAllString(expr, -1) {
		if !knownMetrics[m] {
			out = append(out, m)
		}
	}
	return out
}

// promtool returns the path of promtool: $PROMTOOL, or bin/promtool.
func promtool(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PROMTOOL")
	if path == "" {
		abs, err := filepath.Abs("../../bin/promtool")
		if err != nil {
			t.Fatal(err)
		}
		path = abs
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("promtool not found (%v): run `make promtool` or set PROMTOOL", err)
	}
	return path
}

// runPromtool runs promtool with args and fails the test with its output on error.
func runPromtool(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), promtool(t), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
	return string(out)
}

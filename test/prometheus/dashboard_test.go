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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const dashboardFile = "../../config/grafana/scimbridge.json"

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// dashboardQueries returns the PromQL of every panel by title.
func dashboardQueries(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string  `json:"uid"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" {
		t.Error("the dashboard needs a fixed uid, so that links to it survive re-imports")
	}
	out := map[string][]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				out[p.Title] = append(out[p.Title], tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Grafana's variables replaced by values PromQL accepts.
var grafanaVariables = strings.NewReplacer(
	"$__rate_interval", "5m",
	"$namespace", ".*",
	"$integration", ".*",
)

// Every panel query is valid PromQL over exported metrics: promtool parses
// them as recording rules. The dashboard covers the cycle, request,
// throttle, held and condition metrics.
func TestDashboardQueriesAreValid(t *testing.T) {
	queries := dashboardQueries(t)
	type rule struct {
		Record string `json:"record"`
		Expr   string `json:"expr"`
	}
	var rules []rule
	used := map[string]bool{}
	for title, exprs := range queries {
		for i, e := range exprs {
			if bad := unknownMetrics(e); len(bad) > 0 {
				t.Errorf("panel %q: unknown metrics %v", title, bad)
			}
			for _, m := range metricName.FindAllString(e, -1) {
				used[m] = true
			}
			rules = append(rules, rule{Record: fmt.Sprintf("dashboard:query_%d:%d", len(rules), i), Expr: grafanaVariables.Replace(e)})
		}
	}
	for _, m := range []string{
		"scimbridge_cycle_duration_seconds_bucket", "scimbridge_requests_total", "scimbridge_request_duration_seconds_bucket",
		"scimbridge_throttled_requests_total", "scimbridge_held_changes", "scimbridge_condition",
	} {
		if !used[m] {
			t.Errorf("no panel shows %s", m)
		}
	}
	data, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.rules.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, "check", "rules", path)
	t.Logf("%d panel queries parse", len(rules))
}

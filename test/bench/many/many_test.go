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
	"bytes"
	"math"
	"strings"
	"testing"
)

// Every integration's group has n distinct users of its org, integrations
// are spread over the orgs, and with several per org each user is in at
// most two groups.
func TestLayout(t *testing.T) {
	for _, tc := range []struct{ integrations, orgs, n int }{{50, 10, 2000}, {5, 2, 200}, {3, 3, 10}, {7, 2, 9}} {
		orgs, plans := layout(tc.integrations, tc.orgs, tc.n)
		if len(orgs) != tc.orgs || len(plans) != tc.integrations {
			t.Fatalf("%+v: %d orgs, %d plans", tc, len(orgs), len(plans))
		}
		perUser := map[[2]int]int{}
		for _, p := range plans {
			seen := map[int]bool{}
			for _, m := range p.Members {
				if m < 0 || m >= orgs[p.Org].Users || seen[m] {
					t.Fatalf("%+v: integration %d has member %d (org users %d, duplicate %t)", tc, p.Index, m, orgs[p.Org].Users, seen[m])
				}
				seen[m] = true
				perUser[[2]int{p.Org, m}]++
			}
			if len(seen) != tc.n {
				t.Fatalf("%+v: integration %d has %d members, want %d", tc, p.Index, len(seen), tc.n)
			}
		}
		for u, c := range perUser {
			if c > 2 {
				t.Fatalf("%+v: user %v in %d groups", tc, u, c)
			}
		}
	}
	orgs, _ := layout(50, 10, 2000)
	if orgs[3].Users != 5000 || len(orgs[3].Integrations) != 5 {
		t.Fatalf("org 3 = %+v, want 5000 users and 5 integrations", orgs[3])
	}
}

const exposition = `# HELP scimbridge_cycle_queue_wait_seconds x
# TYPE scimbridge_cycle_queue_wait_seconds histogram
scimbridge_cycle_queue_wait_seconds_bucket{mode="Full",le="1"} 10
scimbridge_cycle_queue_wait_seconds_bucket{mode="Full",le="10"} 60
scimbridge_cycle_queue_wait_seconds_bucket{mode="Full",le="+Inf"} 100
scimbridge_cycle_queue_wait_seconds_sum{mode="Full"} 900
scimbridge_cycle_queue_wait_seconds_bucket{mode="Incremental",le="1"} 19
scimbridge_cycle_queue_wait_seconds_bucket{mode="Incremental",le="10"} 20
scimbridge_cycle_queue_wait_seconds_bucket{mode="Incremental",le="+Inf"} 20
scimbridge_cycle_duration_seconds_bucket{mode="Full",le="1"} 5
`

func TestQueueWaitQuantiles(t *testing.T) {
	hs, err := parseHistograms(strings.NewReader(exposition), "scimbridge_cycle_queue_wait_seconds", "mode")
	if err != nil {
		t.Fatal(err)
	}
	full, inc := hs["Full"], hs["Incremental"]
	if full.total() != 100 || inc.total() != 20 || len(hs) != 2 {
		t.Fatalf("parsed %+v", hs)
	}
	// Rank 50 lies in (1, 10] holding 50 of them: 1 + 9·40/50.
	if got := full.quantile(0.5); math.Abs(got-8.2) > 1e-9 {
		t.Errorf("Full p50 = %v, want 8.2", got)
	}
	// Rank 95 lies in the +Inf bucket: the highest finite bound.
	if got := full.quantile(0.95); got != 10 {
		t.Errorf("Full p95 = %v, want 10", got)
	}
	// Rank 19 is the top of the first bucket.
	if got := inc.quantile(0.95); got != 1 {
		t.Errorf("Incremental p95 = %v, want 1", got)
	}
	all, _ := parseHistograms(strings.NewReader(exposition), "scimbridge_cycle_queue_wait_seconds", "")
	if all[""].total() != 120 {
		t.Errorf("all modes = %v observations, want 120", all[""].total())
	}
	if q := (histogram{}).quantile(0.95); !math.IsNaN(q) {
		t.Errorf("empty histogram p95 = %v, want NaN", q)
	}
}

func TestBudgetAndStatus(t *testing.T) {
	if b := orgBudget(600, 0.5); b != 300 {
		t.Errorf("budget = %d, want 300", b)
	}
	if b := orgBudget(1, 0.5); b != 1 {
		t.Errorf("budget of a limit of 1 = %d, want 1", b)
	}
	v, err := statusField("Name:\tmanager\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n", "VmHWM")
	if err != nil || v != 123456<<10 {
		t.Errorf("VmHWM = %d, %v", v, err)
	}
	if _, err := statusField("VmRSS: 1 kB\n", "VmHWM"); err == nil {
		t.Error("a missing field was not reported")
	}
}

// The tables show each org's row and flag an org over its budget.
func TestReport(t *testing.T) {
	r := &result{Integrations: 2, Orgs: 2, UsersPerIntegration: 10, OrgRows: []orgReport{
		{Org: 0, Users: 10, Integrations: 1, Requests: 7, Budget: 300, PeakPerWindow: 5, WithinBudget: true},
		{Org: 1, Users: 10, Integrations: 1, Requests: 9, Throttled: 1, Budget: 300, PeakPerWindow: 301},
	}}
	if r.budgetOK() {
		t.Error("an org over its budget was not flagged")
	}
	var plain, md bytes.Buffer
	if err := writeTable(&plain, r); err != nil {
		t.Fatal(err)
	}
	writeMarkdown(&md, r)
	var budgetLine, orgLine string
	for line := range strings.Lines(plain.String()) {
		f := strings.Join(strings.Fields(line), " ")
		switch {
		case strings.HasPrefix(f, "every org within its budget"):
			budgetLine = f
		case strings.HasPrefix(f, "1 10 "):
			orgLine = f
		}
	}
	if budgetLine != "every org within its budget no" || orgLine != "1 10 1 0 / 9 1 301 300 no" {
		t.Errorf("plain table: budget %q, org 1 %q:\n%s", budgetLine, orgLine, plain.String())
	}
	if !strings.Contains(md.String(), "| 1 | 10 | 1 | 0 / 9 | 1 | 301 | 300 | no |") {
		t.Errorf("markdown lacks org 1's row:\n%s", md.String())
	}
}

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
	"strings"
	"testing"
)

// tinySnapshot: "All Staff" with four users of different statuses and a
// 250-member team, so batching shows.
func tinySnapshot() *snapshot {
	s := &snapshot{Users: map[string]*oktaUser{}}
	all := &oktaGroup{ID: "g0", Name: "All Staff", Members: map[string]struct{}{}}
	team := &oktaGroup{ID: "g1", Name: "Team", Members: map[string]struct{}{}}
	add := func(id, status string, inTeam bool) {
		s.Users[id] = &oktaUser{ID: id, Login: id + "@example.com", First: "F", Last: id, Display: "F " + id, Status: status}
		all.Members[id] = struct{}{}
		if inTeam {
			team.Members[id] = struct{}{}
		}
	}
	add("active", "ACTIVE", true)
	add("staged", "STAGED", true)
	add("suspended", "SUSPENDED", true)
	add("locked", "LOCKED_OUT", false)
	for i := range 249 {
		add("t"+string(rune('a'+i/26))+string(rune('a'+i%26)), "ACTIVE", true)
	}
	s.Groups = []*oktaGroup{all, team}
	return s
}

func TestInitialChangeSetAndCounts(t *testing.T) {
	snap := tinySnapshot()
	next := desiredTarget(snap, emptyTarget())
	if _, ok := next.Users["staged"]; ok {
		t.Error("STAGED user provisioned")
	}
	if _, ok := next.Users["suspended"]; ok {
		t.Error("never-provisioned SUSPENDED user created")
	}
	if !next.Users["locked"].Active {
		t.Error("LOCKED_OUT user should be active")
	}
	cs := diff(snap, emptyTarget(), next)
	sum := summarize(cs)
	// 251 active users (active, locked, 249 team members); Team pushes 250.
	if sum.Creates != 251 || sum.GroupCreates != 2 || sum.MembersAdded != 251+250 {
		t.Fatalf("summary = %+v", sum)
	}
	rp := readPlan{Full: true, OktaGroups: map[string]int{"g0": 253, "g1": 252}}
	got := limitRequests(cs, rp)
	// Writes: 251 creates + All Staff POST+2 PATCH (251 members) + Team POST+2 PATCH (250).
	// Reads: one Okta page per group, one list page per empty target collection.
	want := requestCount{OktaReads: 2, TargetReads: 2, TargetWrites: 251 + 3 + 3}
	if got != want {
		t.Errorf("limit = %+v, want %+v", got, want)
	}
	// Okta: GET+POST per user; POST with no members then ceil(n/100) PATCHes.
	if n := oktaPattern(cs, true); n != 2*251+(1+3)+(1+3) {
		t.Errorf("okta pattern = %d", n)
	}
}

func TestChurnChangeSet(t *testing.T) {
	snap := tinySnapshot()
	prev := desiredTarget(snap, emptyTarget())
	// Suspend one, edit one, add one to the team, remove one from the team.
	snap.Users["taa"].Status = "SUSPENDED"
	snap.Users["tab"].Last, snap.Users["tab"].Display = "Smith", "F Smith"
	delete(snap.Groups[1].Members, "tac")
	snap.Users["new"] = &oktaUser{ID: "new", Login: "new@example.com", First: "N", Last: "H", Status: "ACTIVE"}
	snap.Groups[0].Members["new"] = struct{}{}
	snap.Groups[1].Members["new"] = struct{}{}
	next := desiredTarget(snap, prev)
	cs := diff(snap, prev, next)
	sum := summarize(cs)
	want := csSummary{Creates: 1, Updates: 1, Deactivations: 1, MembersAdded: 2, MembersRemove: 3}
	if sum != want {
		t.Fatalf("summary = %+v, want %+v", sum, want)
	}
	for _, u := range cs.Users {
		if u.OktaID == "tab" && (u.Patch["name.familyName"] != "Smith" || u.Patch["displayName"] != "F Smith" || len(u.Patch) != 3) {
			t.Errorf("edit patch = %v", u.Patch)
		}
		if u.OktaID == "taa" && u.Patch["active"] != false {
			t.Errorf("suspend patch = %v", u.Patch)
		}
	}
	rp := readPlan{OktaGroups: map[string]int{"g0": 254, "g1": 250}, ChangedUsers: 3, GroupIDs: []string{"g0", "g1"}}
	// 3 user writes, one PATCH per group; Okta: 2 group pages + the groups-by-id and updated-users queries.
	if got, want := limitRequests(cs, rp), (requestCount{OktaReads: 4, TargetWrites: 5}); got != want {
		t.Errorf("limit = %+v, want %+v", got, want)
	}
	// Okta: create 2, update 2, deactivate 1, and 5 member changes one by one or in 2 batches.
	if got := oktaPattern(cs, true); got != 2+2+1+5 {
		t.Errorf("okta pattern per event = %d", got)
	}
	if got := oktaPattern(cs, false); got != 2+2+1+2 {
		t.Errorf("okta pattern batched = %d", got)
	}
}

func TestBatches(t *testing.T) {
	add := make([]string, 150)
	rm := make([]string, 60)
	bs := batches("g", add, rm, 100)
	if len(bs) != 3 || len(bs[0].add) != 100 || len(bs[1].add) != 50 || len(bs[1].remove) != 50 || len(bs[2].remove) != 10 {
		t.Fatalf("batches: %d", len(bs))
	}
}

func TestPlanChurn(t *testing.T) {
	p := planChurn(20000, 1)
	if p.Total() != 200 || p.Suspends != 20 || p.Adds != 30 {
		t.Errorf("plan = %+v", p)
	}
	if planChurn(10, 1).Total() != 1 {
		t.Error("tiny churn should change one user")
	}
}

func TestTableAndStatus(t *testing.T) {
	one := 1.5
	rows := []phaseReport{
		{Phase: "initial", Users: 10, Groups: 2, WallSeconds: 3, ReplaySeconds: &one, RatioVsLimit: &one, PeakRSSBytes: 64 << 20},
		{Phase: "nochange", Users: 10, Groups: 2},
	}
	var buf bytes.Buffer
	if err := writeTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "vs limit") || !strings.Contains(lines[1], "1.50") || !strings.Contains(lines[1], "64") {
		t.Errorf("table:\n%s", buf.String())
	}
	if f := strings.Fields(lines[2]); f[5] != "-" || f[6] != "-" || f[7] != "-" {
		t.Errorf("nochange ratios should print as -: %q", lines[2])
	}
	buf.Reset()
	writeMarkdown(&buf, rows)
	if !strings.Contains(buf.String(), "| nochange | 10 | 2 |") {
		t.Errorf("markdown:\n%s", buf.String())
	}
	if n := parseStatusField("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t 1024 kB\n", "VmHWM"); n != 2048*1024 {
		t.Errorf("VmHWM = %d", n)
	}
}

func TestAggregateTakesMedianRunAndMaxPeaks(t *testing.T) {
	r := func(v float64) *float64 { return &v }
	run := func(ratio float64, rss uint64) []phaseReport {
		return []phaseReport{
			{Phase: "initial", WallSeconds: ratio * 10, ReplaySeconds: r(10), RatioVsLimit: r(ratio), PeakRSSBytes: rss},
			{Phase: "nochange", WallSeconds: ratio},
		}
	}
	rows := aggregate([][]phaseReport{run(1.4, 10), run(0.9, 30), run(1.1, 20)})
	if len(rows) != 2 || rows[0].Runs != 3 {
		t.Fatalf("rows = %+v", rows)
	}
	if *rows[0].RatioVsLimit != 1.1 || rows[0].WallSeconds != 11 || rows[0].PeakRSSBytes != 30 {
		t.Errorf("initial = %+v", rows[0])
	}
	if got := rows[0].RatioVsLimitRuns; len(got) != 3 || got[0] != 1.4 {
		t.Errorf("runs = %v", got)
	}
	if rows[1].WallSeconds != 1.1 || rows[1].RatioVsLimit != nil {
		t.Errorf("nochange = %+v", rows[1])
	}
}

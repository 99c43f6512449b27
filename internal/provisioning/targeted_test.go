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

package provisioning

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// targeted runs a targeted cycle with fresh request counts.
func (e *env) targeted(t Targets) *Result {
	e.t.Helper()
	e.okta.ResetCounts()
	e.scim.ResetCounts()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := e.engine.RunTargeted(ctx, e.cfg, t)
	if err != nil {
		e.t.Fatalf("targeted cycle: %v", err)
	}
	return res
}

func TestTargetedNeedsViews(t *testing.T) {
	e := seed(t)
	if _, err := e.engine.RunTargeted(context.Background(), e.cfg, Targets{Users: []string{e.users["bob@example.com"]}}); !errors.Is(err, ErrNoState) {
		t.Fatalf("before any cycle: %v", err)
	}
	e.cycle(ModeFull)
	e.cfg.People = []string{"bob@example.com"}
	if _, err := e.engine.RunTargeted(context.Background(), e.cfg, Targets{}); !errors.Is(err, ErrNoState) {
		t.Fatalf("after a change of what is read: %v", err)
	}
}

func TestTargetedSuspensionReadsOneUser(t *testing.T) {
	e := synced(t)
	bob := e.users["bob@example.com"]
	if err := e.okta.Suspend(bob); err != nil {
		t.Fatal(err)
	}
	res := e.targeted(Targets{Users: []string{bob}})
	if res.Mode != ModeTargeted || res.Counts.Deactivated != 1 || !res.InSync {
		t.Fatalf("result %+v", res)
	}
	if u := e.targetUser("bob@example.com"); u["active"] != false {
		t.Fatalf("bob in target: %v", u)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), map[string]int64{"GET /api/v1/users/{id}": 1})
	// The deactivated user leaves the pushed group in the same cycle.
	if got := e.targetMembers("OKTA - Secure Access Users"); fmt.Sprint(got) != "[alice@example.com carol@example.com]" {
		t.Fatalf("pushed members %v", got)
	}
}

func TestTargetedMembershipFollowsOkta(t *testing.T) {
	e := synced(t)
	sa := e.groups["OKTA - Secure Access Users"]
	hank := e.addUser("hank@example.com", "ACTIVE")
	if err := e.okta.AddMember(sa, hank); err != nil {
		t.Fatal(err)
	}
	res := e.targeted(Targets{Members: []string{hank}})
	if res.Counts.Created != 1 || res.Counts.MembersAdded != 1 || !res.InSync {
		t.Fatalf("add: %+v %v", res.Counts, res.OutOfSync)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), map[string]int64{"GET /api/v1/users/{id}": 1, "GET /api/v1/users/{id}/groups": 1})

	// A stale event (the member was added back meanwhile) writes nothing:
	// Okta's current state decides.
	carol := e.users["carol@example.com"]
	_ = e.okta.RemoveMember(sa, carol)
	_ = e.okta.AddMember(sa, carol)
	if res := e.targeted(Targets{Members: []string{carol}}); res.Counts != (Counts{}) {
		t.Fatalf("stale removal wrote %+v", res.Counts)
	}

	_ = e.okta.RemoveMember(sa, carol)
	res = e.targeted(Targets{Members: []string{carol}})
	if res.Counts.Deactivated != 1 || res.Counts.MembersRemoved != 1 {
		t.Fatalf("removal: %+v", res.Counts)
	}
	// A scheduled incremental cycle afterwards finds nothing left to do.
	if res := e.cycle(ModeIncremental); res.Counts != (Counts{}) || !res.InSync {
		t.Fatalf("incremental after targeted: %+v", res.Counts)
	}
}

func TestTargetedFailedReadRemovesNobody(t *testing.T) {
	e := synced(t)
	sa := e.groups["OKTA - Secure Access Users"]
	carol := e.users["carol@example.com"]
	_ = e.okta.RemoveMember(sa, carol)
	e.okta.SetForbidden(true)
	ctx := context.Background()
	res, err := e.engine.RunTargeted(ctx, e.cfg, Targets{Members: []string{carol}})
	if !errors.Is(err, ErrSourceUnavailable) || res.Counts != (Counts{}) {
		t.Fatalf("forbidden read: %v %+v", err, res)
	}
	e.okta.SetForbidden(false)
	// One read fails (the user's groups), another succeeds: still nobody leaves.
	g := e.engine.src.(guardedSource)
	e.engine.src = guardedSource{failingUserGroups{g.src}, g.circuit}
	res = e.targeted(Targets{Members: []string{carol}, Users: []string{e.users["bob@example.com"]}})
	if res.SourceComplete || res.Counts.Deactivated != 0 || res.Gap.SourceIncomplete != true {
		t.Fatalf("incomplete read: %+v complete=%v", res.Counts, res.SourceComplete)
	}
	if u := e.targetUser("carol@example.com"); u["active"] != true {
		t.Fatalf("carol deactivated on an incomplete read: %v", u)
	}
}

// failingUserGroups fails every read of a user's groups.
type failingUserGroups struct{ Source }

func (failingUserGroups) UserGroups(context.Context, string) iter.Seq2[okta.Group, error] {
	return func(yield func(okta.Group, error) bool) { yield(okta.Group{}, errors.New("503 from Okta")) }
}

func TestTargetedCyclesShareOneThreshold(t *testing.T) {
	e := synced(t)
	e.cfg.MaxDeactivationPercent = 10 // 5 managed: the floor of 2 applies
	ids := []string{e.users["alice@example.com"], e.users["bob@example.com"], e.users["carol@example.com"]}
	for _, id := range ids[:2] {
		_ = e.okta.Suspend(id)
	}
	if res := e.targeted(Targets{Users: ids[:2]}); res.Counts.Deactivated != 2 || res.Held != nil {
		t.Fatalf("first two: %+v held %v", res.Counts, res.Held)
	}
	_ = e.okta.Suspend(ids[2])
	res := e.targeted(Targets{Users: ids[2:]})
	if res.Counts.Deactivated != 0 || res.Held == nil || len(res.Held.Changes) != 1 || res.InSync {
		t.Fatalf("a third suspension through the feed was not held: %+v held %+v", res.Counts, res.Held)
	}
	// A scheduled cycle opens a new window and judges its own plan.
	e.cfg.ApprovedPlanID = res.Held.ID
	if res := e.cycle(ModeIncremental); res.Counts.Deactivated != 1 {
		t.Fatalf("approved: %+v", res.Counts)
	}
}

func TestTargetedGroupRenameAndDelete(t *testing.T) {
	e := synced(t)
	eng := e.groups["Engineering"]
	_ = e.okta.RenameGroup(eng, "Engineers")
	if res := e.targeted(Targets{Groups: []string{eng}}); res.Counts.GroupsRenamed != 1 {
		t.Fatalf("rename: %+v", res.Counts)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), map[string]int64{"GET /api/v1/groups/{id}": 1})
	sa := e.groups["OKTA - Secure Access Users"]
	_ = e.okta.DeleteGroup(sa)
	res := e.targeted(Targets{Groups: []string{sa}})
	if res.SourceComplete || res.Counts.Deactivated != 0 {
		t.Fatalf("a deleted assigned group must freeze the scope: %+v complete=%v", res.Counts, res.SourceComplete)
	}
}

func TestTargetsMerge(t *testing.T) {
	got := Targets{Users: []string{"b", "a"}, Groups: []string{"g"}}.Merge(Targets{Users: []string{"a"}, Members: []string{"b"}, Groups: []string{"g"}})
	if fmt.Sprint(got) != "{[a] [b] [g]}" || got.Count() != 3 {
		t.Fatalf("merge %v", got)
	}
}

// A direct assignment whose lookup failed in the last scheduled cycle is
// not known to be out of scope: a targeted cycle for someone else must not
// take the person's absence from the view as a departure.
func TestTargetedCycleKeepsAFailedDirectAssignment(t *testing.T) {
	e := synced(t)
	if _, err := e.okta.AddUser(oktaserver.UserSpec{Login: "pat@example.com", FirstName: "Pat", LastName: "Direct"}); err != nil {
		t.Fatal(err)
	}
	e.cfg.People = []string{"pat@example.com"}
	if res := e.cycle(ModeFull); !e.active("pat@example.com") {
		t.Fatalf("pat not provisioned: %+v", res.Counts)
	}
	e.okta.FailPath("/api/v1/users/pat@example.com", 500)
	if res := e.cycle(ModeFull); res.SourceComplete || !e.active("pat@example.com") {
		t.Fatalf("failed lookup: complete=%v counts=%+v", res.SourceComplete, res.Counts)
	}
	e.okta.ClearFaults()
	res := e.targeted(Targets{Users: []string{e.users["bob@example.com"]}})
	if res.Counts.Deactivated != 0 || !e.active("pat@example.com") || res.SourceComplete {
		t.Fatalf("a targeted cycle deactivated a person whose lookup failed: %+v complete=%v", res.Counts, res.SourceComplete)
	}
}

// A scheduled cycle counts what targeted cycles changed since the last
// scheduled one: a mass suspension that arrives partly through the feed
// and partly in the next scheduled cycle is still one threshold.
func TestScheduledCycleCountsWhatTargetedCyclesChanged(t *testing.T) {
	e := synced(t)
	e.cfg.MaxDeactivationPercent = 10 // 5 managed: the floor of 2 applies
	ids := []string{e.users["alice@example.com"], e.users["bob@example.com"], e.users["carol@example.com"]}
	for _, id := range ids[:2] {
		_ = e.okta.Suspend(id)
	}
	if res := e.targeted(Targets{Users: ids[:2]}); res.Counts.Deactivated != 2 || res.Held != nil {
		t.Fatalf("first two: %+v held %v", res.Counts, res.Held)
	}
	_ = e.okta.Suspend(ids[2])
	res := e.cycle(ModeIncremental)
	if res.Counts.Deactivated != 0 || res.Held == nil || len(res.Held.Changes) != 1 {
		t.Fatalf("a third suspension in the scheduled cycle was not held: %+v held %+v", res.Counts, res.Held)
	}
	// That cycle read everything: the next window starts from nothing.
	e.cfg.ApprovedPlanID = res.Held.ID
	if res := e.cycle(ModeIncremental); res.Counts.Deactivated != 1 {
		t.Fatalf("approved: %+v", res.Counts)
	}
}

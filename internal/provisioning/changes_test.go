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
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// synced returns the seed org after its initial full cycle, with thresholds
// that let single changes through (the safety rules have their own tests).
func synced(t *testing.T, tune ...func(*okta.Options)) *env {
	e := seed(t, tune...)
	e.addGroup("Sales", true, true, "gina@example.com")
	e.cfg.MaxDeactivationPercent = 100
	e.settle()
	if res := e.cycle(ModeFull); res.Counts.Failures != 0 {
		t.Fatalf("initial cycle failed: %v", res.Failures)
	}
	return e
}

// incrementalReads are the Okta requests of every incremental cycle: the
// changed groups and the updated users.
var incrementalReads = map[string]int64{"GET /api/v1/groups": 1, "GET /api/v1/users": 1}

func plus(base map[string]int64, more map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range base {
		out[k] += v
	}
	for k, v := range more {
		out[k] += v
	}
	return out
}

func TestNoChangeIncrementalWritesNothing(t *testing.T) {
	e := synced(t)
	res := e.cycle(ModeIncremental)
	if res.Mode != ModeIncremental {
		t.Fatalf("mode = %s", res.Mode)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), incrementalReads)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{})
	if res.Counts != (Counts{}) {
		t.Errorf("counts = %+v", res.Counts)
	}
}

func TestMemberAdded(t *testing.T) {
	e := synced(t)
	hank := e.addUser("hank@example.com", "ACTIVE")
	if err := e.okta.AddMember(e.groups["OKTA - Secure Access Users"], hank); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Created != 1 || res.Counts.MembersAdded != 1 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if !slices.Contains(e.targetMembers("OKTA - Secure Access Users"), "hank@example.com") {
		t.Error("hank not pushed")
	}
	wantRoutes(t, "okta", e.oktaRoutes(), plus(incrementalReads, map[string]int64{"GET /api/v1/groups/{id}/users": 1}))
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"POST /Users": 1, "PATCH /Groups/{id}": 1})
}

func TestMemberRemovedIsDeactivatedAfterReadingItsRecord(t *testing.T) {
	e := synced(t)
	if err := e.okta.RemoveMember(e.groups["OKTA - Secure Access Users"], e.users["bob@example.com"]); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Deactivated != 1 || res.Counts.MembersRemoved != 1 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if e.targetUser("bob@example.com")["active"] != false {
		t.Error("bob still active")
	}
	if slices.Contains(e.targetMembers("OKTA - Secure Access Users"), "bob@example.com") {
		t.Error("bob still pushed")
	}
	wantRoutes(t, "okta", e.oktaRoutes(), plus(incrementalReads, map[string]int64{
		"GET /api/v1/groups/{id}/users": 1,
		"GET /api/v1/users/{id}":        1, // bob's own record confirms he left the scope
	}))
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Users/{id}": 1, "PATCH /Groups/{id}": 1})
}

func TestSuspendAndReactivate(t *testing.T) {
	e := synced(t)
	carol := e.users["carol@example.com"]
	if err := e.okta.Suspend(carol); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Deactivated != 1 || res.Counts.MembersRemoved != 1 {
		t.Fatalf("suspend counts = %+v", res.Counts)
	}
	if e.targetUser("carol@example.com")["active"] != false {
		t.Error("carol still active")
	}
	wantRoutes(t, "okta", e.oktaRoutes(), incrementalReads)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Users/{id}": 1, "PATCH /Groups/{id}": 1})

	if err := e.okta.Unsuspend(carol); err != nil {
		t.Fatal(err)
	}
	res = e.cycle(ModeIncremental)
	if res.Counts.Reactivated != 1 || res.Counts.MembersAdded != 1 {
		t.Fatalf("unsuspend counts = %+v", res.Counts)
	}
	if e.targetUser("carol@example.com")["active"] != true || !slices.Contains(e.targetMembers("OKTA - Secure Access Users"), "carol@example.com") {
		t.Error("carol not restored")
	}
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Users/{id}": 1, "PATCH /Groups/{id}": 1})
}

func TestProfileEdit(t *testing.T) {
	e := synced(t)
	if err := e.okta.UpdateProfile(e.users["alice@example.com"], map[string]any{"lastName": "Liddell", "displayName": "Alice Liddell"}); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Updated != 1 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	u := e.targetUser("alice@example.com")
	name, _ := u["name"].(map[string]any)
	if u["displayName"] != "Alice Liddell" || name["familyName"] != "Liddell" {
		t.Errorf("alice = %v", u)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), incrementalReads)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Users/{id}": 1})
}

func TestGroupRenamed(t *testing.T) {
	e := synced(t)
	if err := e.okta.RenameGroup(e.groups["Engineering"], "Platform Engineering"); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.GroupsRenamed != 1 || !res.Groups["ns/Engineering"].Renamed {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if got := e.targetMembers("Platform Engineering"); !slices.Equal(got, []string{"alice@example.com", "erin@example.com", "gina@example.com"}) {
		t.Errorf("renamed group members = %v", got)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), plus(incrementalReads, map[string]int64{"GET /api/v1/groups/{id}/users": 1}))
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Groups/{id}": 1})
}

func TestUserMovedBetweenGroups(t *testing.T) {
	e := synced(t)
	bob := e.users["bob@example.com"]
	if err := e.okta.RemoveMember(e.groups["OKTA - Secure Access Users"], bob); err != nil {
		t.Fatal(err)
	}
	if err := e.okta.AddMember(e.groups["Sales"], bob); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Deactivated != 0 || res.Counts.MembersAdded != 1 || res.Counts.MembersRemoved != 1 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if !slices.Contains(e.targetMembers("Sales"), "bob@example.com") || slices.Contains(e.targetMembers("OKTA - Secure Access Users"), "bob@example.com") {
		t.Error("bob not moved")
	}
	wantRoutes(t, "okta", e.oktaRoutes(), plus(incrementalReads, map[string]int64{"GET /api/v1/groups/{id}/users": 2}))
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"PATCH /Groups/{id}": 2})
}

func TestFullCycleRepairsTargetDrift(t *testing.T) {
	e := synced(t)
	// Someone edits the target by hand: adds an unmanaged user to a pushed
	// group, removes a member, and renames a user's displayName.
	stranger, err := e.scim.AddUser(map[string]any{"userName": "stranger@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := e.scim.GroupIDByName("OKTA - Secure Access Users")
	alice, _ := e.scim.UserIDByName("alice@example.com")
	if err := e.engine.dst.UpdateMembers(context.Background(), gid, []string{stranger}, []string{alice}); err != nil {
		t.Fatal(err)
	}

	res := e.cycle(ModeFull)
	if res.Counts.MembersAdded != 1 || res.Counts.MembersRemoved != 1 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if got := e.targetMembers("OKTA - Secure Access Users"); !slices.Equal(got, []string{"alice@example.com", "bob@example.com", "carol@example.com"}) {
		t.Errorf("members after repair = %v", got)
	}
	if n := e.targetRoutes()["PATCH /Groups/{id}"]; n != 1 {
		t.Errorf("group patches = %d, want 1", n)
	}
}

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
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestSourceOutageMidCycleDeactivatesNobody(t *testing.T) {
	// Two members a page, so the group reads are paginated.
	e := synced(t, func(c *okta.Options) { c.PageSize = 2 })
	// bob leaves the group in Okta, then Okta fails while a later member
	// list is read: the read is incomplete, so nobody may leave the scope.
	if err := e.okta.RemoveMember(e.groups["OKTA - Secure Access Users"], e.users["bob@example.com"]); err != nil {
		t.Fatal(err)
	}
	e.okta.InjectOutage(oktaserver.Outage{AfterPages: 1, Status: 503})
	e.cfg.Mode = ModeFull
	res, err := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	e.okta.ClearFaults()
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.SourceComplete {
		t.Fatal("the read should be incomplete")
	}
	if res.Counts.Deactivated != 0 || res.Counts.MembersRemoved != 0 {
		t.Fatalf("deactivations on an incomplete read: %+v", res.Counts)
	}
	if e.targetUser("bob@example.com")["active"] != true {
		t.Error("bob was deactivated")
	}
	if n := e.targetRoutes()["PATCH /Users/{id}"]; n != 0 {
		t.Errorf("user patches = %d", n)
	}

	// Once Okta answers again, the next full cycle deactivates bob.
	res = e.cycle(ModeFull)
	if !res.SourceComplete || res.Counts.Deactivated != 1 {
		t.Fatalf("after recovery: complete=%t counts=%+v", res.SourceComplete, res.Counts)
	}
}

func withMode(c Config, m Mode) Config { c.Mode = m; return c }

func countHeld(h *HeldSet, a Action) int {
	n := 0
	for _, c := range h.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

func TestMassDeactivationIsHeldUntilApproved(t *testing.T) {
	e := newEnv(t)
	var logins []string
	for i := range 20 {
		l := "user" + string(rune('a'+i)) + "@example.com"
		e.addUser(l, "ACTIVE")
		logins = append(logins, l)
	}
	gid := e.addGroup("OKTA - Secure Access Users", true, true, logins...)
	e.cfg.MaxDeactivations = 3
	e.cycle(ModeFull)

	// Five leave: over maxDeactivations (3) and over 10% of 20.
	for _, l := range logins[:5] {
		if err := e.okta.RemoveMember(gid, e.users[l]); err != nil {
			t.Fatal(err)
		}
	}
	res := e.cycle(ModeFull)
	if res.Held == nil || countHeld(res.Held, ActionDeactivate) != 5 || countHeld(res.Held, ActionRemoveMembers) != 5 || res.Counts.Deactivated != 0 {
		t.Fatalf("held = %+v counts = %+v", res.Held, res.Counts)
	}
	if n := e.targetRoutes()["PATCH /Users/{id}"]; n != 0 {
		t.Fatalf("held deactivations were sent: %d", n)
	}
	held := res.Held
	if !strings.Contains(held.Reason, "5 deactivations") {
		t.Errorf("reason = %q", held.Reason)
	}
	// The same set held again keeps its id and since.
	again := e.cycle(ModeFull)
	if again.Held == nil || again.Held.ID != held.ID || !again.Held.Since.Equal(held.Since) {
		t.Fatalf("held set changed: %+v vs %+v", again.Held, held)
	}

	// One of the five comes back before the approval: the approval releases
	// the other four, once.
	if err := e.okta.AddMember(gid, e.users[logins[0]]); err != nil {
		t.Fatal(err)
	}
	e.cfg.ApprovedPlanID = held.ID
	res = e.cycle(ModeFull)
	if res.ApprovalConsumed != held.ID || res.Counts.Deactivated != 4 || res.Held != nil {
		t.Fatalf("approval: consumed=%q counts=%+v held=%+v", res.ApprovalConsumed, res.Counts, res.Held)
	}
	if e.targetUser(logins[0])["active"] != true {
		t.Error("a user no longer a candidate was deactivated")
	}

	// A later, larger set is held again under a new id; the old approval
	// does not release it.
	for _, l := range logins[5:10] {
		if err := e.okta.RemoveMember(gid, e.users[l]); err != nil {
			t.Fatal(err)
		}
	}
	e.cfg.ApprovedPlanID = held.ID
	res = e.cycle(ModeFull)
	if res.Held == nil || res.Held.ID == held.ID || res.Counts.Deactivated != 0 || res.ApprovalConsumed != "" {
		t.Fatalf("second set: held=%+v counts=%+v consumed=%q", res.Held, res.Counts, res.ApprovalConsumed)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	e := seed(t)
	e.cfg.DryRun = true
	res := e.cycle(ModeFull)
	if !res.DryRun || res.Counts.Created != 4 || res.Counts.GroupsCreated != 2 || res.Counts.MembersAdded != 5 {
		t.Fatalf("plan counts = %+v", res.Counts)
	}
	if res.PlanID == "" || len(res.Sample) != 6 {
		t.Errorf("plan id %q, sample %v", res.PlanID, res.Sample)
	}
	for route, n := range e.targetRoutes() {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("dry run sent %d × %s", n, route)
		}
	}
	if e.scim.UserCount() != 0 || e.scim.GroupCount() != 0 {
		t.Error("dry run changed the target")
	}
	// The same dry run again yields the same plan id.
	if again := e.cycle(ModeFull); again.PlanID != res.PlanID {
		t.Errorf("plan id changed: %s vs %s", again.PlanID, res.PlanID)
	}
	// Turning dry run off applies the plan.
	e.cfg.DryRun = false
	if res := e.cycle(ModeFull); res.Counts.Created != 4 {
		t.Errorf("apply counts = %+v", res.Counts)
	}
}

func TestUserNameSwapConverges(t *testing.T) {
	e := synced(t)
	alice, bob := e.users["alice@example.com"], e.users["bob@example.com"]
	if err := e.okta.UpdateProfile(alice, map[string]any{"login": "tmp@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := e.okta.UpdateProfile(bob, map[string]any{"login": "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := e.okta.UpdateProfile(alice, map[string]any{"login": "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	e.cfg.MaxDeactivations = 50
	res := e.cycle(ModeIncremental)
	if res.Counts.Failures != 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	if e.targetUser("alice@example.com")["externalId"] != bob || e.targetUser("bob@example.com")["externalId"] != alice {
		t.Error("names not swapped")
	}
	// Two temporary renames and two final ones.
	if n := e.targetRoutes()["PATCH /Users/{id}"]; n != 4 {
		t.Errorf("user patches = %d, want 4", n)
	}
}

func TestMatchByUserNameLinksOrReportsConflict(t *testing.T) {
	e := seed(t)
	// An unlinked account with alice's name exists: it is linked, not duplicated.
	if _, err := e.scim.AddUser(map[string]any{"userName": "ALICE@example.com", "active": false}); err != nil {
		t.Fatal(err)
	}
	// bob's name belongs to a user linked to another Okta user: conflict.
	if _, err := e.scim.AddUser(map[string]any{"userName": "bob@example.com", "externalId": "00uSomeoneElse000001"}); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeFull)
	if res.Conflicts != 1 || res.Counts.Created != 2 || res.Counts.Reactivated != 1 {
		t.Fatalf("conflicts=%d counts=%+v", res.Conflicts, res.Counts)
	}
	u := e.targetUser("alice@example.com")
	if u["externalId"] != e.users["alice@example.com"] || u["active"] != true {
		t.Errorf("alice = %v", u)
	}
	if e.targetUser("bob@example.com")["externalId"] != "00uSomeoneElse000001" {
		t.Error("a user linked elsewhere was written")
	}
	if e.scim.UserCount() != 4 {
		t.Errorf("users in target = %d, want 4 (no duplicate of alice)", e.scim.UserCount())
	}
}

func TestGroupCapCreatesInOrder(t *testing.T) {
	e := newEnv(t)
	e.addUser("a@example.com", "ACTIVE")
	for _, name := range []string{"Zeta", "alpha", "Beta"} {
		e.addGroup(name, true, true, "a@example.com")
	}
	if _, err := e.scim.AddGroup("Someone else's group"); err != nil {
		t.Fatal(err)
	}
	e.cfg.MaxGroups = 3
	res := e.cycle(ModeFull)
	if res.Counts.GroupsCreated != 2 || !res.Groups["ns/Zeta"].CapBlocked || !res.CapWarning {
		t.Fatalf("counts=%+v zeta=%+v warning=%t", res.Counts, res.Groups["ns/Zeta"], res.CapWarning)
	}
	for _, name := range []string{"alpha", "Beta"} {
		if _, ok := e.scim.GroupIDByName(name); !ok {
			t.Errorf("%s not created", name)
		}
	}
}

func TestGroupGoneFromOktaKeepsTargetGroup(t *testing.T) {
	e := synced(t)
	if err := e.okta.DeleteGroup(e.groups["Engineering"]); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeFull)
	g := res.Groups["ns/Engineering"]
	if !g.OktaDeleted || g.Pushed || g.TargetID == "" || g.RemovalsHeld != 3 {
		t.Fatalf("group = %+v", g)
	}
	if got := e.targetMembers("Engineering"); len(got) != 3 {
		t.Errorf("members = %v", got)
	}
	if n := e.targetRoutes()["PATCH /Groups/{id}"] + e.targetRoutes()["DELETE /Groups/{id}"]; n != 0 {
		t.Errorf("group writes = %d", n)
	}
}

func TestDeletePolicyDeletesTargetGroup(t *testing.T) {
	e := synced(t)
	for i := range e.cfg.Groups {
		if e.cfg.Groups[i].Key == "ns/Engineering" {
			e.cfg.Groups[i].Deleting = true
		}
	}
	res := e.cycle(ModeFull)
	if res.Counts.GroupsDeleted != 1 || !res.Groups["ns/Engineering"].Deleted {
		t.Fatalf("counts=%+v", res.Counts)
	}
	if _, ok := e.scim.GroupIDByName("Engineering"); ok {
		t.Error("group still in target")
	}
	if e.targetRoutes()["DELETE /Groups/{id}"] != 1 {
		t.Error("no DELETE sent")
	}
}

func TestUnresolvedAssignedGroupBlocksDeactivations(t *testing.T) {
	e := synced(t)
	for i := range e.cfg.Groups {
		if e.cfg.Groups[i].Key == "ns/Sales" {
			e.cfg.Groups[i].OktaID = ""
		}
	}
	res := e.cycle(ModeFull)
	if res.SourceComplete || res.Counts.Deactivated != 0 {
		t.Fatalf("complete=%t counts=%+v", res.SourceComplete, res.Counts)
	}
}

func TestEmptyGroupReadIsHeld(t *testing.T) {
	e := synced(t)
	// Engineering is push-only: its members stay users through other
	// assignments, so emptying it in Okta is a removal of every member.
	for _, l := range []string{"alice@example.com", "erin@example.com", "gina@example.com"} {
		if err := e.okta.RemoveMember(e.groups["Engineering"], e.users[l]); err != nil {
			t.Fatal(err)
		}
	}
	e.cfg.MaxDeactivationPercent = 99
	res := e.cycle(ModeFull)
	if res.Held == nil || res.Counts.MembersRemoved != 0 || res.Groups["ns/Engineering"].RemovalsHeld != 3 {
		t.Fatalf("held=%+v counts=%+v", res.Held, res.Counts)
	}
	e.cfg.ApprovedPlanID = res.Held.ID
	res = e.cycle(ModeFull)
	if res.Counts.MembersRemoved != 3 || len(e.targetMembers("Engineering")) != 0 {
		t.Fatalf("after approval counts=%+v", res.Counts)
	}
}

func TestFailedWriteIsIsolatedAndRetriedWithBackoff(t *testing.T) {
	e := seed(t)
	// One create is refused (400, not retryable); the others proceed.
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Times: 1, Status: 400})
	res := e.cycle(ModeFull)
	if res.Counts.Created != 3 || res.Counts.Failures != 1 || len(res.Failures) != 1 || res.Failures[0].Action != ActionCreate {
		t.Fatalf("counts=%+v failures=%v", res.Counts, res.Failures)
	}
	failed := res.Failures[0].Name
	// Within the backoff the failed user is deferred, not retried.
	res = e.cycle(ModeFull)
	if res.Deferred != 1 || e.targetRoutes()["POST /Users"] != 0 {
		t.Fatalf("deferred=%d posts=%d", res.Deferred, e.targetRoutes()["POST /Users"])
	}
	// After the backoff it is retried and succeeds.
	e.engine.opts.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	res = e.cycle(ModeFull)
	if res.Counts.Created != 1 || e.targetUser(failed) == nil {
		t.Fatalf("retry counts=%+v", res.Counts)
	}
	if res.Groups["ns/OKTA - Secure Access Users"].PushedMembers != 3 || res.Groups["ns/Engineering"].PushedMembers != 2 {
		t.Errorf("groups after retry: %+v", res.Groups)
	}
}

func TestUnreadableSourceWritesNothing(t *testing.T) {
	e := synced(t)
	e.okta.SetForbidden(true)
	defer e.okta.ClearFaults()
	e.scim.ResetCounts()
	res, err := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	if !errors.Is(err, ErrSourceUnavailable) || res == nil || res.SourceComplete {
		t.Fatalf("err=%v res=%+v", err, res)
	}
	if n := e.scim.TotalRequests(); n != 0 {
		t.Errorf("target requests = %d, want 0", n)
	}
	if res.OktaRequests.Total() == 0 {
		t.Error("okta requests not counted")
	}
}

func TestUnresolvedGroupAloneIsIncompleteNotUnavailable(t *testing.T) {
	e := newEnv(t)
	e.cfg.Groups = []GroupConfig{{Key: "ns/pending", OktaName: "Not Yet Resolved", Assign: true, Push: true}}
	res, err := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	if err != nil {
		t.Fatalf("a cycle with nothing to read yet must not fail: %v", err)
	}
	if res.SourceComplete || len(res.SourceErrors) != 1 {
		t.Errorf("complete=%t errors=%v", res.SourceComplete, res.SourceErrors)
	}
}

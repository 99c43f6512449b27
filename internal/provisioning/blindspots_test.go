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
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

// A directly assigned login that does not exist yet is provisioned by the
// first incremental cycle after it appears in Okta, not the next full one.
func TestDirectAssignmentCreatedAfterTheFullCycle(t *testing.T) {
	e := synced(t)
	e.cfg.People = append(e.cfg.People, "newhire@example.com")
	e.settle()
	e.cycle(ModeFull)
	if e.targetUser("newhire@example.com") != nil {
		t.Fatal("provisioned before it existed")
	}
	e.settle()
	e.addUser("newhire@example.com", "ACTIVE")
	res := e.cycle(ModeIncremental)
	if res.Mode != ModeIncremental {
		t.Fatalf("mode = %s", res.Mode)
	}
	if u := e.targetUser("newhire@example.com"); u == nil || u["active"] != true {
		t.Fatalf("not provisioned by the incremental cycle: %v", u)
	}
}

// Unknown direct assignments are not looked up again on every cycle: a
// negative answer is cached with backoff.
func TestUnknownAssignmentsAreNotReadEveryCycle(t *testing.T) {
	e := synced(t)
	e.cfg.People = append(e.cfg.People, "ghost1@example.com", "ghost2@example.com", "ghost3@example.com")
	e.settle()
	e.cycle(ModeFull)
	e.settle()
	e.cycle(ModeIncremental)
	// One lookup per direct assignment would be 4 reads of /users/{id}.
	if n := e.oktaRoutes()["GET /api/v1/users/{id}"]; n != 0 {
		t.Errorf("incremental cycle re-read %d assignments within their backoff", n)
	}
}

// A group create whose answer was lost (the group exists, the engine got an
// error) converges in the next incremental cycle: the 409 of the new create
// is resolved by a lookup, not reported again and again.
func TestLostGroupCreateAnswerConvergesIncrementally(t *testing.T) {
	e := seed(t)
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Groups", Times: 1, Status: 500, AfterHandler: true})
	e.settle()
	first := e.cycle(ModeFull)
	if first.Counts.Failures == 0 {
		t.Fatalf("the lost answer should fail the first create: %+v", first.Counts)
	}
	// The next incremental cycle, after the failed group's backoff.
	e.engine.opts.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	e.settle()
	res := e.cycle(ModeIncremental)
	for key, g := range res.Groups {
		if !g.Pushed || g.Err != nil {
			t.Errorf("group %s not pushed after the incremental cycle: %+v", key, g)
		}
	}
	if e.scim.GroupCount() != 2 {
		t.Errorf("groups in target = %d, want 2 (no duplicate)", e.scim.GroupCount())
	}
	if got := e.targetMembers("OKTA - Secure Access Users"); len(got) != 3 {
		t.Errorf("members = %v", got)
	}
}

// A pushed group deleted in Okta is noticed by the next incremental cycle.
func TestGroupDeletedInOktaIsSeenIncrementally(t *testing.T) {
	e := synced(t)
	if err := e.okta.DeleteGroup(e.groups["Engineering"]); err != nil {
		t.Fatal(err)
	}
	e.settle()
	res := e.cycle(ModeIncremental)
	if g := res.Groups["ns/Engineering"]; !g.OktaDeleted || g.Pushed {
		t.Fatalf("group = %+v", g)
	}
}

// A target user list cut short is never taken as complete: the cycle writes
// nothing, reports it, and a later profile edit is not lost.
func TestTruncatedTargetListIsNotComplete(t *testing.T) {
	e := synced(t)
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultTruncatedPage, Method: "GET", Path: "/Users", Times: 1})
	e.scim.ResetCounts()
	res, err := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	if err == nil || !errors.Is(err, ErrTargetRead) {
		t.Fatalf("err = %v, want a target read error", err)
	}
	for route, n := range e.targetRoutes() {
		if route != "GET /Users" {
			t.Errorf("%d × %s after an incomplete read", n, route)
		}
	}
	_ = res
	// A profile edit after the failed cycle reaches the target.
	if err := e.okta.UpdateProfile(e.users["alice@example.com"], map[string]any{"displayName": "Alice Edited"}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.cycle(ModeIncremental)
	if got := e.targetUser("alice@example.com")["displayName"]; got != "Alice Edited" {
		t.Errorf("displayName = %v: the edit was lost", got)
	}
}

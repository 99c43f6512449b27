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
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// directory returns an env with n active users named user<i>@example.com.
func directory(t *testing.T, n int) (*env, []string) {
	t.Helper()
	e := newEnv(t)
	logins := make([]string, n)
	for i := range n {
		logins[i] = fmt.Sprintf("user%02d@example.com", i)
		e.addUser(logins[i], "ACTIVE")
	}
	return e, logins
}

func (e *env) removeMembers(group string, logins ...string) {
	e.t.Helper()
	for _, l := range logins {
		if err := e.okta.RemoveMember(e.groups[group], e.users[l]); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) setStatus(status string, logins ...string) {
	e.t.Helper()
	for _, l := range logins {
		if err := e.okta.SetStatus(e.users[l], status); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) active(login string) bool {
	e.t.Helper()
	u := e.targetUser(login)
	if u == nil {
		e.t.Fatalf("%s is not in the target", login)
	}
	return u["active"] == true
}

// Guard 1: an assigned group that read empty after having members must not
// deactivate its members on its own, whatever the thresholds allow.
func TestEmptiedAssignedGroupHoldsItsDeactivations(t *testing.T) {
	t.Run("within the default thresholds", func(t *testing.T) {
		// 30 users: 10% allows 3, so two departures would pass the bounds.
		e, logins := directory(t, 30)
		e.addGroup("Everyone", true, false, logins[:28]...)
		e.addGroup("Lab", true, false, logins[28:]...)
		e.cycle(ModeFull)

		e.removeMembers("Lab", logins[28:]...)
		res := e.cycle(ModeFull)
		if res.Counts.Deactivated != 0 || !e.active(logins[28]) || !e.active(logins[29]) {
			t.Fatalf("an emptied group deactivated its members: %+v", res.Counts)
		}
		if res.Held == nil || countHeld(res.Held, ActionDeactivate) != 2 {
			t.Fatalf("held = %+v, want the two deactivations", res.Held)
		}
		e.cfg.ApprovedPlanID = res.Held.ID
		if res := e.cycle(ModeFull); res.Counts.Deactivated != 2 || e.active(logins[28]) {
			t.Fatalf("after approval: %+v", res.Counts)
		}
	})
	t.Run("with thresholds raised", func(t *testing.T) {
		e, logins := directory(t, 20)
		e.addGroup("Everyone", true, false, logins...)
		e.cfg.MaxDeactivations, e.cfg.MaxDeactivationPercent = 1000, 100
		e.cycle(ModeFull)

		e.removeMembers("Everyone", logins...)
		res := e.cycle(ModeFull)
		if res.Counts.Deactivated != 0 || res.Held == nil || countHeld(res.Held, ActionDeactivate) != 20 {
			t.Fatalf("counts=%+v held=%+v", res.Counts, res.Held)
		}
		if !strings.Contains(res.Held.Reason, "read empty after 20 members") {
			t.Errorf("reason %q does not say the group read empty", res.Held.Reason)
		}
	})
	t.Run("a group that shrank past the bound", func(t *testing.T) {
		// 200 users: the directory-wide bounds allow 20; Lab losing 10 of
		// its 20 in one cycle is past its own 10%.
		e, logins := directory(t, 200)
		e.addGroup("Everyone", true, false, logins[:180]...)
		e.addGroup("Lab", true, false, logins[180:]...)
		e.cycle(ModeFull)

		e.removeMembers("Lab", logins[180:190]...)
		res := e.cycle(ModeFull)
		if res.Counts.Deactivated != 0 || res.Held == nil || countHeld(res.Held, ActionDeactivate) != 10 {
			t.Fatalf("counts=%+v held=%+v", res.Counts, res.Held)
		}
		if !strings.Contains(res.Held.Reason, "Lab lost 10 of its 20 members") {
			t.Errorf("reason %q does not name the shrunken group", res.Held.Reason)
		}
	})
}

// Guard 2: a one- or two-person change in a small directory is not a mass event.
func TestSmallDirectoryChangeIsNotHeld(t *testing.T) {
	e, logins := directory(t, 6)
	e.addGroup("OKTA - Secure Access Users", true, true, logins...)
	e.cycle(ModeFull)

	e.removeMembers("OKTA - Secure Access Users", logins[0])
	e.setStatus("SUSPENDED", logins[1])
	res := e.cycle(ModeFull)
	if res.Held != nil || res.Counts.Deactivated != 2 {
		t.Fatalf("held=%+v counts=%+v", res.Held, res.Counts)
	}
	if e.active(logins[0]) || e.active(logins[1]) || !e.active(logins[2]) {
		t.Error("wrong users deactivated")
	}
}

// A held set approved once and then held again with the same content is a
// new hold: it gets a new id, which a new approval releases.
func TestSameContentHeldAgainGetsANewPlanID(t *testing.T) {
	e, logins := directory(t, 40)
	e.addGroup("Everyone", true, false, logins...)
	e.cycle(ModeFull)
	suspended := logins[:12]

	e.setStatus("SUSPENDED", suspended...)
	first := e.cycle(ModeFull)
	if first.Held == nil || countHeld(first.Held, ActionDeactivate) != 12 {
		t.Fatalf("first hold = %+v", first.Held)
	}
	e.cfg.ApprovedPlanID = first.Held.ID
	if res := e.cycle(ModeFull); res.Counts.Deactivated != 12 || res.ApprovalConsumed != first.Held.ID {
		t.Fatalf("approval: %+v consumed %q", res.Counts, res.ApprovalConsumed)
	}

	e.setStatus("ACTIVE", suspended...)
	if res := e.cycle(ModeFull); res.Counts.Reactivated != 12 {
		t.Fatalf("reactivation: %+v", res.Counts)
	}
	e.setStatus("SUSPENDED", suspended...)
	second := e.cycle(ModeFull)
	if second.Held == nil || second.Held.ID == first.Held.ID {
		t.Fatalf("second hold = %+v, first id %s", second.Held, first.Held.ID)
	}
	e.cfg.ApprovedPlanID = second.Held.ID
	if res := e.cycle(ModeFull); res.Counts.Deactivated != 12 {
		t.Fatalf("second approval: %+v", res.Counts)
	}
}

// The first 401 from the target stops the cycle's writes: the other creates
// are not sent with a dead token.
func TestRevokedTargetTokenStopsWrites(t *testing.T) {
	e, logins := directory(t, 40)
	e.addGroup("Everyone", true, true, logins...)
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Status: 401})
	res, _ := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	if res == nil {
		t.Fatal("no result")
	}
	if n := e.scim.Count("POST", "/Users"); n > e.engine.opts.WriteConcurrency {
		t.Errorf("%d creates were sent with a refused token; at most the %d in flight may be", n, e.engine.opts.WriteConcurrency)
	}
	if n := e.scim.Count("POST", "/Groups"); n != 0 {
		t.Errorf("group creates after the token was refused: %d", n)
	}
}

// A long Retry-After outlasts the object's own backoff, and the target is
// not called again before it has passed.
func TestLongRetryAfterIsHonouredAcrossCycles(t *testing.T) {
	e, logins := directory(t, 2)
	e.cfg.People = logins
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Times: 1, Status: 429, RetryAfter: "3600"})
	start := time.Now()
	e.cycle(ModeFull)
	// The other user's POST lands only if it went out before the 429 came
	// back; one still waiting for its turn is held by the pause. Two would
	// mean the 429'd create was retried within the Retry-After.
	if n := e.scim.UserCount(); n > 1 {
		t.Fatalf("users in target = %d, want at most 1", n)
	}
	for key, r := range e.engine.state.retry {
		if r.next.Before(start.Add(59 * time.Minute)) {
			t.Errorf("%s is retried at %s, before the server's Retry-After", key, r.next.Sub(start))
		}
	}
	// Ten minutes later (past the 1m object backoff, within the hour).
	e.engine.opts.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
	e.scim.ResetCounts()
	if _, err := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull)); err == nil {
		t.Error("a cycle within the server's Retry-After succeeded")
	}
	if n := e.scim.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent within the server's Retry-After", n)
	}
}

// A 404 while paging a group's members is a failed read, not a deletion:
// the group itself still exists.
func TestNotFoundOnAMemberPageIsNotADeletion(t *testing.T) {
	e := synced(t, func(c *okta.Options) { c.PageSize = 2 })
	e.okta.InjectOutage(oktaserver.Outage{AfterPages: 0, Status: 404, Failures: 1})
	res, _ := e.engine.Run(t.Context(), withMode(e.cfg, ModeFull))
	e.okta.ClearFaults()
	for key, g := range res.Groups {
		if g.OktaDeleted {
			t.Errorf("a 404 on a member page marked group %s deleted: %+v", key, g)
		}
	}
	if res.SourceComplete {
		t.Error("the read should be incomplete")
	}
}

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
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestInSyncAfterACompleteCycle(t *testing.T) {
	e := synced(t)
	e.settle()
	res := e.cycle(ModeIncremental)
	if !res.InSync || res.Gap != (SyncGap{}) {
		t.Fatalf("in sync = %t, gap %+v, out of sync %v", res.InSync, res.Gap, res.OutOfSync)
	}
	// alice, bob, carol, erin, gina are in scope and active; dave is suspended.
	if u := res.UserCounts; u.InScope != 5 || u.Synced != 5 || u.Managed != 5 || u.Active != 5 {
		t.Errorf("users = %+v", u)
	}
	if g := res.GroupCounts; g.Wanted != 3 || g.Pushed != 3 || g.Existing != 3 || g.InTarget != 3 || g.Cap != DefaultCiscoMaxGroups {
		t.Errorf("groups = %+v", g)
	}
}

func TestDeferredUserIsNotInSync(t *testing.T) {
	e := seed(t)
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Times: 1, Status: 400})
	first := e.cycle(ModeFull)
	if first.InSync || first.Gap.Pending == 0 || first.UserCounts.Failed != 1 {
		t.Fatalf("failed cycle: in sync %t, gap %+v, users %+v", first.InSync, first.Gap, first.UserCounts)
	}
	res := e.cycle(ModeFull)
	if res.InSync || res.Deferred != 1 || res.UserCounts.Deferred != 1 || res.UserCounts.Synced != res.UserCounts.InScope-1 {
		t.Fatalf("deferred cycle: in sync %t, deferred %d, users %+v", res.InSync, res.Deferred, res.UserCounts)
	}
	if len(res.OutOfSync) == 0 || !strings.Contains(res.OutOfSync[0].Reason, "to retry after a failure") {
		t.Errorf("out of sync = %+v", res.OutOfSync)
	}
	// A person's request retries it at once.
	e.cfg.RetryDeferred = true
	res = e.cycle(ModeFull)
	if !res.InSync || res.Counts.Created != 1 {
		t.Fatalf("requested cycle: in sync %t, counts %+v, out of sync %v", res.InSync, res.Counts, res.OutOfSync)
	}
}

func TestHeldCappedAndDryRunAreNotInSync(t *testing.T) {
	t.Run("held", func(t *testing.T) {
		e, logins := directory(t, 40)
		e.addGroup("Everyone", true, false, logins...)
		e.cycle(ModeFull)
		e.setStatus("SUSPENDED", logins[:10]...)
		res := e.cycle(ModeFull)
		if res.InSync || res.Gap.Held != 10 || res.UserCounts.Held != 10 || res.Gap.Pending != 0 {
			t.Fatalf("in sync %t, gap %+v, users %+v", res.InSync, res.Gap, res.UserCounts)
		}
	})
	t.Run("group cap", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("a@example.com", "ACTIVE")
		e.addGroup("Alpha", true, true, "a@example.com")
		e.addGroup("Beta", false, true, "a@example.com")
		e.cfg.MaxGroups = 1
		res := e.cycle(ModeFull)
		if res.InSync || res.Gap.Capped != 1 || res.GroupCounts.Capped != 1 || res.GroupCounts.Pushed != 1 {
			t.Fatalf("in sync %t, gap %+v, groups %+v", res.InSync, res.Gap, res.GroupCounts)
		}
	})
	t.Run("dry run", func(t *testing.T) {
		e := seed(t)
		e.cfg.DryRun = true
		res := e.cycle(ModeFull)
		if res.InSync || res.UserCounts.InScope != 4 || res.UserCounts.Synced != 0 || res.Gap.Pending == 0 {
			t.Fatalf("in sync %t, users %+v, gap %+v", res.InSync, res.UserCounts, res.Gap)
		}
	})
	t.Run("source incomplete", func(t *testing.T) {
		e := synced(t)
		for i := range e.cfg.Groups {
			if e.cfg.Groups[i].Key == "ns/Sales" {
				e.cfg.Groups[i].Blocked = "it repeats another ProvisionedGroup"
			}
		}
		res := e.cycle(ModeFull)
		if res.InSync || !res.Gap.SourceIncomplete || res.Counts.Deactivated != 0 || !e.active("gina@example.com") {
			t.Fatalf("in sync %t, gap %+v, counts %+v", res.InSync, res.Gap, res.Counts)
		}
	})
}

func TestRevokedTokenIsReported(t *testing.T) {
	e := seed(t)
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: "POST", Path: "/Users", Status: 403})
	res := e.cycle(ModeFull)
	if res.TargetAuthErr == nil || res.SourceAuthErr != nil || res.InSync {
		t.Fatalf("target auth %v, source auth %v, in sync %t", res.TargetAuthErr, res.SourceAuthErr, res.InSync)
	}
	e.scim.ClearFaults()
	if res := e.cycle(ModeFull); res.TargetAuthErr != nil || res.Counts.Created == 0 {
		t.Fatalf("the circuit must close for the next cycle: %v %+v", res.TargetAuthErr, res.Counts)
	}
}

// After a restart the engine has no memory: the same held content keeps its
// id (the last approval comes from status), and an approval given before
// the restart releases it on the following cycle.
func TestHeldSetSurvivesARestart(t *testing.T) {
	e, logins := directory(t, 40)
	e.addGroup("Everyone", true, false, logins...)
	e.cycle(ModeFull)
	e.setStatus("SUSPENDED", logins[:10]...)
	e.cfg.LastApprovedPlanID = "an-earlier-approval"
	held := e.cycle(ModeFull).Held
	if held == nil {
		t.Fatal("nothing held")
	}
	e.engine.Reset()
	e.cfg.ApprovedPlanID = held.ID
	again := e.cycle(ModeFull)
	if again.Held == nil || again.Held.ID != held.ID || again.Counts.Deactivated != 0 {
		t.Fatalf("after restart: held %+v, counts %+v", again.Held, again.Counts)
	}
	e.cfg.ApprovedPlanID = held.ID
	if res := e.cycle(ModeFull); res.Counts.Deactivated != 10 || res.ApprovalConsumed != held.ID {
		t.Fatalf("approval after restart: %+v consumed %q", res.Counts, res.ApprovalConsumed)
	}
}

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
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// A target user in sync shares the desired user's values; a change to the
// target view copies them first, so the desired view keeps its own.
func TestTargetChangesDoNotReachTheSharedDesiredValues(t *testing.T) {
	d := &desiredUser{OktaID: "00u1", Attrs: userAttrs{UserName: "a@x", DisplayName: "A", Extra: []string{"x"}}}
	tu := &targetUser{ID: "t1", Attrs: &userAttrs{UserName: "a@x", DisplayName: "A", Extra: []string{"x"}}}
	tu.shareAttrs(d)
	if tu.Attrs != &d.Attrs {
		t.Fatal("equal values were not shared")
	}
	applyToTarget(tu, &userChange{NewUserName: "b@x", Attrs: []attrChange{{ref: attrRef(0), stored: "y"}}}, 1)
	if d.Attrs.UserName != "a@x" || !slices.Equal(d.Attrs.Extra, []string{"x"}) {
		t.Fatalf("the desired values changed with the target's: %+v", d.Attrs)
	}
	if tu.Attrs.UserName != "b@x" || tu.Attrs == &d.Attrs {
		t.Fatalf("target = %+v", tu.Attrs)
	}
	// Out of sync, the equal strings are shared on the target's own copy.
	other := &targetUser{ID: "t2", Attrs: &userAttrs{UserName: "a@x", DisplayName: "Old"}}
	before := other.Attrs
	other.shareAttrs(d)
	if other.Attrs == before || other.Attrs.DisplayName != "Old" || other.Attrs.UserName != "a@x" {
		t.Fatalf("out-of-sync share = %+v", other.Attrs)
	}
}

// A dry run simulates its writes on a copy of the target view whose users
// share their values with the remembered ones: the real cycle after it must
// still see, and make, the change.
func TestDryRunLeavesTheSharedViewsAsTheyWere(t *testing.T) {
	e := newEnv(t)
	e.addProfileUser("ann@example.com", map[string]any{"displayName": "Ann"})
	e.addGroup("Staff", true, false, "ann@example.com")
	mustSync(t, e.cycle(ModeFull))
	e.profile("ann@example.com", map[string]any{"displayName": "Ann B"})
	e.cfg.DryRun = true
	if res := e.cycle(ModeIncremental); res.Counts.Updated != 1 {
		t.Fatalf("dry run planned %+v, want one update", res.Counts)
	}
	e.cfg.DryRun = false
	res := e.cycle(ModeIncremental)
	mustSync(t, res)
	if res.Counts.Updated != 1 {
		t.Fatalf("after the dry run the cycle made %+v, want one update", res.Counts)
	}
	if got := e.targetUser("ann@example.com")["displayName"]; got != "Ann B" {
		t.Fatalf("displayName = %v", got)
	}
}

// A user in several groups is decoded once per cycle (okta.SkipKnown):
// every group still gets all its members, a push-only group included, a
// STAGED member is not provisioned from any of its groups, and once
// activated an incremental cycle creates it.
func TestUsersInSeveralGroupsAreReadOnceAndMissNothing(t *testing.T) {
	e := newEnv(t)
	e.addUser("ann@example.com", "ACTIVE")
	e.addUser("bob@example.com", "ACTIVE")
	staged := e.addUser("cy@example.com", oktaserver.Staged)
	e.addGroup("All", true, false, "ann@example.com", "bob@example.com", "cy@example.com")
	e.addGroup("Eng", true, true, "ann@example.com", "cy@example.com")
	e.addGroup("Pushed", false, true, "ann@example.com", "bob@example.com")
	res := e.cycle(ModeFull)
	mustSync(t, res)
	if res.Counts.Created != 2 {
		t.Fatalf("created %d users, want 2 (the STAGED one waits)", res.Counts.Created)
	}
	if got := e.targetMembers("Eng"); !slices.Equal(got, []string{"ann@example.com"}) {
		t.Fatalf("Eng members = %v", got)
	}
	if got := e.targetMembers("Pushed"); !slices.Equal(got, []string{"ann@example.com", "bob@example.com"}) {
		t.Fatalf("Pushed members = %v", got)
	}
	if err := e.okta.SetStatus(staged, oktaserver.Active); err != nil {
		t.Fatal(err)
	}
	res = e.cycle(ModeIncremental)
	mustSync(t, res)
	if res.Counts.Created != 1 {
		t.Fatalf("after activation created %d, want 1", res.Counts.Created)
	}
	if got := e.targetMembers("Eng"); !slices.Equal(got, []string{"ann@example.com", "cy@example.com"}) {
		t.Fatalf("Eng members after activation = %v", got)
	}
}

// The userName index serves planning only: a plan builds it and drops it.
func TestPlanDropsTheUserNameIndex(t *testing.T) {
	have := newActual(newIDTable())
	have.putUser(&targetUser{ID: "t1", Attrs: &userAttrs{UserName: "Ann@x"}})
	if have.userByName("ann@x") == nil {
		t.Fatal("lookup by folded name failed")
	}
	want := newDesired(have.ids)
	want.put(&desiredUser{OktaID: "00u1", Active: true, Attrs: userAttrs{UserName: "ann@x"}})
	p := planUsers(&Config{CreateUsers: true, UpdateUsers: true}, want, have, nil, nil)
	if len(p.Changes) != 1 || !p.Changes[0].Link {
		t.Fatalf("plan = %+v, want a link by name", p.Changes)
	}
	if have.byUserName != nil {
		t.Fatal("the plan left its userName index behind")
	}
}

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
	"slices"
	"testing"
	"time"
)

// Builders for the planner's pure inputs.

func du(id, userName string, active bool) *desiredUser {
	return &desiredUser{OktaID: id, Status: map[bool]string{true: "ACTIVE", false: "SUSPENDED"}[active], Active: active,
		Attrs: userAttrs{UserName: userName, GivenName: "G", FamilyName: "F", Formatted: "G F", DisplayName: "G F"}}
}

func tu(id, ext, userName string, active bool) *targetUser {
	return &targetUser{ID: id, ExternalID: ext, Active: active,
		Attrs: &userAttrs{UserName: userName, GivenName: "G", FamilyName: "F", Formatted: "G F", DisplayName: "G F"}}
}

func mkDesired(users ...*desiredUser) *desired {
	d := newDesired(newIDTable())
	for _, u := range users {
		d.put(u)
	}
	return d
}

// desiredFor is an empty source view sharing the target view's ids, as a
// cycle's views do.
func desiredFor(have *actual) *desired { return newDesired(have.ids) }

func mkActual(users ...*targetUser) *actual {
	a := newActual(newIDTable())
	for _, u := range users {
		a.putUser(u)
	}
	return a
}

func baseConfig() *Config {
	return &Config{Profile: ProfileCiscoSecureAccess, CreateUsers: true, UpdateUsers: true, DeactivateUsers: true,
		MaxDeactivations: 50, MaxDeactivationPercent: 100, DeactivationFloor: 2, Mapping: Mapping{UserName: "login"}}
}

// summary renders a user plan as "action:name" lines for comparison.
func summary(p *userPlan) []string {
	var out []string
	for _, c := range p.Changes {
		s := string(c.action()) + ":" + c.Name
		if c.ViaTemp {
			s += "(via temp)"
		}
		out = append(out, s)
	}
	for _, h := range p.Held {
		out = append(out, "held "+string(h.Action)+":"+h.Name)
	}
	for _, c := range p.Conflicts {
		out = append(out, "conflict:"+c.Name)
	}
	if p.Blocked > 0 {
		out = append(out, fmt.Sprintf("blocked:%d", p.Blocked))
	}
	slices.Sort(out)
	return out
}

func TestPlanUsers(t *testing.T) {
	found := confirmation{Found: true, Status: "ACTIVE"}
	tests := []struct {
		name      string
		cfg       func(*Config)
		want      *desired
		have      *actual
		confirmed map[string]confirmation
		released  map[string]bool
		expect    []string
	}{
		{name: "active user in scope is created",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(),
			expect: []string{"Create:a@x"}},
		{name: "inactive user never provisioned is not created",
			want: mkDesired(du("o1", "a@x", false)), have: mkActual()},
		{name: "createUsers off creates nothing",
			cfg:  func(c *Config) { c.CreateUsers = false },
			want: mkDesired(du("o1", "a@x", true)), have: mkActual()},
		{name: "user without userName is reported",
			want: mkDesired(&desiredUser{OktaID: "o1", Active: true, Invalid: "Okta attribute login is empty"}), have: mkActual(),
			expect: []string{"conflict:o1"}},
		{name: "in sync writes nothing",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(tu("t1", "o1", "a@x", true))},
		{name: "unlinked user with the same userName (any case) is linked",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(tu("t1", "", "A@X", true)),
			expect: []string{"Link:A@X"}},
		{name: "unlinked inactive target user is linked and reactivated",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(tu("t1", "", "a@x", false)),
			expect: []string{"Reactivate:a@x"}},
		{name: "unlinked account is not taken over only to be deactivated",
			want: mkDesired(du("o1", "a@x", false)), have: mkActual(tu("t1", "", "a@x", true))},
		{name: "userName linked to another Okta user is a conflict",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(tu("t1", "o9", "a@x", true)),
			expect: []string{"conflict:a@x"}},
		{name: "changed attribute is updated",
			want: func() *desired { d := du("o1", "a@x", true); d.Attrs.DisplayName = "New"; return mkDesired(d) }(),
			have: mkActual(tu("t1", "o1", "a@x", true)), expect: []string{"Update:a@x"}},
		{name: "updateUserAttributes off leaves attributes",
			cfg:  func(c *Config) { c.UpdateUsers = false },
			want: func() *desired { d := du("o1", "a@x", true); d.Attrs.DisplayName = "New"; return mkDesired(d) }(),
			have: mkActual(tu("t1", "o1", "a@x", true))},
		{name: "suspended user is deactivated even on an incomplete read",
			want: func() *desired { d := mkDesired(du("o1", "a@x", false)); d.Complete = false; return d }(),
			have: mkActual(tu("t1", "o1", "a@x", true)), expect: []string{"Deactivate:a@x"}},
		{name: "deactivateUsers off keeps the user active",
			cfg:  func(c *Config) { c.DeactivateUsers = false },
			want: mkDesired(du("o1", "a@x", false)), have: mkActual(tu("t1", "o1", "a@x", true))},
		{name: "reactivated in Okta is reactivated",
			want: mkDesired(du("o1", "a@x", true)), have: mkActual(tu("t1", "o1", "a@x", false)),
			expect: []string{"Reactivate:a@x"}},
		{name: "out of scope and confirmed by its record is deactivated",
			want: mkDesired(), have: mkActual(tu("t1", "o1", "a@x", true)),
			confirmed: map[string]confirmation{"o1": found}, expect: []string{"Deactivate:a@x"}},
		{name: "deleted in Okta (404) is deactivated",
			want: mkDesired(), have: mkActual(tu("t1", "o1", "a@x", true)),
			confirmed: map[string]confirmation{"o1": {Found: false}}, expect: []string{"Deactivate:a@x"}},
		{name: "candidate whose record could not be read is left alone",
			want: mkDesired(), have: mkActual(tu("t1", "o1", "a@x", true)),
			confirmed: map[string]confirmation{"o1": {Err: fmt.Errorf("timeout")}}},
		{name: "candidate not yet confirmed is left alone",
			want: mkDesired(), have: mkActual(tu("t1", "o1", "a@x", true))},
		{name: "incomplete read blocks scope-based deactivation",
			want: func() *desired { d := mkDesired(); d.Complete = false; return d }(),
			have: mkActual(tu("t1", "o1", "a@x", true)), confirmed: map[string]confirmation{"o1": found},
			expect: []string{"blocked:1"}},
		{name: "unmanaged target users are never deactivated",
			want: mkDesired(), have: mkActual(tu("t1", "", "a@x", true))},
		{name: "deactivations over maxDeactivations are all held",
			cfg:    func(c *Config) { c.MaxDeactivations = 1 },
			want:   mkDesired(du("o1", "a@x", false), du("o2", "b@x", false)),
			have:   mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			expect: []string{"held Deactivate:a@x", "held Deactivate:b@x"}},
		{name: "deactivations over maxDeactivationPercent and the floor are held",
			cfg:  func(c *Config) { c.MaxDeactivationPercent = 10 },
			want: tenUsers(3), have: tenTargets(),
			expect: []string{"held Deactivate:u1@x", "held Deactivate:u2@x", "held Deactivate:u3@x"}},
		{name: "the floor lets a two-person change through a small directory",
			cfg:  func(c *Config) { c.MaxDeactivationPercent = 10 },
			want: tenUsers(2), have: tenTargets(),
			expect: []string{"Deactivate:u1@x", "Deactivate:u2@x"}},
		{name: "without a floor the percentage alone decides",
			cfg:  func(c *Config) { c.MaxDeactivationPercent, c.DeactivationFloor = 10, 0 },
			want: tenUsers(2), have: tenTargets(),
			expect: []string{"held Deactivate:u1@x", "held Deactivate:u2@x"}},
		{name: "a departure resting on a suspicious group read is held whatever the thresholds",
			want:      suspectScope(mkDesired(du("o2", "b@x", true))),
			have:      mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			confirmed: map[string]confirmation{"o1": found},
			expect:    []string{"held Deactivate:a@x"}},
		{name: "a suspicious read does not hold what the user's own record decides",
			want:      suspectScope(mkDesired(du("o2", "b@x", true))),
			have:      mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			confirmed: map[string]confirmation{"o1": {Found: true, Status: "SUSPENDED"}},
			expect:    []string{"Deactivate:a@x"}},
		{name: "an approved departure resting on a suspicious read proceeds",
			want:      suspectScope(mkDesired(du("o2", "b@x", true))),
			have:      mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			confirmed: map[string]confirmation{"o1": found},
			released:  map[string]bool{"deactivate:t1": true},
			expect:    []string{"Deactivate:a@x"}},
		{name: "the percentage allows one deactivation in a small directory",
			cfg:    func(c *Config) { c.MaxDeactivationPercent = 10 },
			want:   mkDesired(du("o1", "a@x", false), du("o2", "b@x", true)),
			have:   mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			expect: []string{"Deactivate:a@x"}},
		{name: "zero thresholds hold every deactivation",
			cfg:  func(c *Config) { c.MaxDeactivations, c.MaxDeactivationPercent = 0, 0 },
			want: mkDesired(du("o1", "a@x", false)), have: mkActual(tu("t1", "o1", "a@x", true)),
			expect: []string{"held Deactivate:a@x"}},
		{name: "approved deactivations proceed; new ones within threshold too",
			cfg:      func(c *Config) { c.MaxDeactivations = 1 },
			want:     mkDesired(du("o1", "a@x", false), du("o2", "b@x", false), du("o3", "c@x", false)),
			have:     mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true), tu("t3", "o3", "c@x", true)),
			released: map[string]bool{"deactivate:t1": true, "deactivate:t2": true},
			expect:   []string{"Deactivate:a@x", "Deactivate:b@x", "Deactivate:c@x"}},
		{name: "new candidates beyond an approval form a new held set",
			cfg:      func(c *Config) { c.MaxDeactivations = 1 },
			want:     mkDesired(du("o1", "a@x", false), du("o2", "b@x", false), du("o3", "c@x", false)),
			have:     mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true), tu("t3", "o3", "c@x", true)),
			released: map[string]bool{"deactivate:t1": true},
			expect:   []string{"Deactivate:a@x", "held Deactivate:b@x", "held Deactivate:c@x"}},
		{name: "login rename is a PATCH of userName",
			want: mkDesired(du("o1", "a2@x", true)), have: mkActual(tu("t1", "o1", "a@x", true)),
			expect: []string{"Rename:a@x"}},
		{name: "renames over the threshold are held like deactivations",
			cfg:    func(c *Config) { c.MaxDeactivations = 1 },
			want:   mkDesired(du("o1", "a2@x", true), du("o2", "b2@x", true)),
			have:   mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			expect: []string{"held Rename:a@x", "held Rename:b@x"}},
		{name: "a swap of userNames goes through temporary names",
			want:   mkDesired(du("o1", "b@x", true), du("o2", "a@x", true)),
			have:   mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			expect: []string{"Rename:a@x(via temp)", "Rename:b@x(via temp)"}},
		{name: "rename onto a name another user keeps is a conflict",
			want:   mkDesired(du("o1", "b@x", true), du("o2", "b@x", true)),
			have:   mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "b@x", true)),
			expect: []string{"conflict:b@x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			got := summary(planUsers(cfg, tt.want, tt.have, tt.confirmed, tt.released))
			want := tt.expect
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("plan:\n got  %q\n want %q", got, want)
			}
		})
	}
}

// suspectScope adds an assigned group whose read is suspicious.
func suspectScope(d *desired) *desired {
	d.Groups["ns/lab"] = &desiredGroup{Config: GroupConfig{Key: "ns/lab", Assign: true}, Read: true, Suspect: "Okta group Lab read empty after 1 members"}
	return d
}

// tenUsers is ten in-scope users of whom the first n are suspended.
func tenUsers(n int) *desired {
	d := mkDesired()
	for i := 1; i <= 10; i++ {
		u := du(fmt.Sprintf("o%d", i), fmt.Sprintf("u%d@x", i), i > n)
		d.Users[u.OktaID] = u
	}
	return d
}

func tenTargets() *actual {
	a := mkActual()
	for i := 1; i <= 10; i++ {
		a.putUser(tu(fmt.Sprintf("t%d", i), fmt.Sprintf("o%d", i), fmt.Sprintf("u%d@x", i), true))
	}
	return a
}

func TestPlanUsersSendsOnlyChangedAttributes(t *testing.T) {
	d := du("o1", "a@x", true)
	d.Attrs.FamilyName, d.Attrs.Formatted = "Liddell", "G Liddell"
	p := planUsers(baseConfig(), mkDesired(d), mkActual(tu("t1", "o1", "a@x", true)), nil, nil)
	if len(p.Changes) != 1 {
		t.Fatalf("changes = %d", len(p.Changes))
	}
	var paths []string
	for _, op := range patchOps(p.Changes[0]) {
		paths = append(paths, op.Path)
	}
	if !slices.Equal(paths, []string{"name.familyName", "name.formatted"}) {
		t.Errorf("patched paths = %v", paths)
	}
}

// Group planner inputs: members are Okta ids; target users t<n> link o<n>.
func groupWorld(activeUsers int) *actual {
	a := newActual(newIDTable())
	for i := 1; i <= activeUsers; i++ {
		a.putUser(tu(fmt.Sprintf("t%d", i), fmt.Sprintf("o%d", i), fmt.Sprintf("u%d@x", i), true))
	}
	return a
}

func pushGroup(want *desired, key, oktaID string, members ...string) *desiredGroup {
	g := &desiredGroup{Config: GroupConfig{Key: key, OktaID: oktaID, Push: true}, Name: key, Found: true, Read: true, Members: refsIn(want.ids, members)}
	want.Groups[key] = g
	return g
}

func refsIn(t *idTable, ids []string) refSet {
	var refs []userRef
	for _, id := range ids {
		refs = append(refs, t.ref(id))
	}
	return newRefSet(refs)
}

func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

func targetGroupWith(a *actual, id, name, ext string, members ...string) {
	g := &targetGroup{ID: id, DisplayName: name, ExternalID: ext, Members: refsIn(a.ids, members)}
	a.Groups[id] = g
	a.GroupCount++
}

func TestPlanGroups(t *testing.T) {
	t.Run("creates with active managed members and counts the skipped", func(t *testing.T) {
		have := groupWorld(3)
		have.Users["t3"].Active = false
		want := desiredFor(have)
		pushGroup(want, "g", "og", "o1", "o2", "o3", "o4")
		p := planGroups(baseConfig(), want, have, nil)
		if len(p.Changes) != 1 || !p.Changes[0].Create || !slices.Equal(have.ids.namesOf(p.Changes[0].Add), []string{"t1", "t2"}) {
			t.Fatalf("changes = %+v", p.Changes)
		}
		if p.Status["g"].Skipped != 2 {
			t.Errorf("skipped = %d", p.Status["g"].Skipped)
		}
	})
	t.Run("finds the target group by externalId and renames it", func(t *testing.T) {
		have := groupWorld(1)
		targetGroupWith(have, "tg", "Old", "og", "t1")
		want := desiredFor(have)
		pushGroup(want, "New", "og", "o1")
		p := planGroups(baseConfig(), want, have, nil)
		if len(p.Changes) != 1 || !p.Changes[0].Rename || p.Changes[0].TargetID != "tg" || len(p.Changes[0].Add)+len(p.Changes[0].Remove) != 0 {
			t.Fatalf("changes = %+v", p.Changes)
		}
	})
	t.Run("does not adopt a same-named group of another Okta group", func(t *testing.T) {
		have := groupWorld(1)
		targetGroupWith(have, "tg", "g", "other")
		want := desiredFor(have)
		pushGroup(want, "g", "og", "o1")
		p := planGroups(baseConfig(), want, have, nil)
		if len(p.Changes) != 1 || !p.Changes[0].Create {
			t.Fatalf("changes = %+v", p.Changes)
		}
	})
	t.Run("repairs drift: adds missing, removes unmanaged", func(t *testing.T) {
		have := groupWorld(2)
		have.putUser(tu("stranger", "", "s@x", true))
		targetGroupWith(have, "tg", "g", "og", "t1", "stranger")
		want := desiredFor(have)
		pushGroup(want, "g", "og", "o1", "o2")
		p := planGroups(baseConfig(), want, have, nil)
		c := p.Changes[0]
		if !slices.Equal(have.ids.namesOf(c.Add), []string{"t2"}) || !slices.Equal(have.ids.namesOf(c.Remove), []string{"stranger"}) {
			t.Fatalf("change = %+v", c)
		}
	})
	t.Run("removals over the percent are held, with an allowance of one", func(t *testing.T) {
		cfg := baseConfig()
		cfg.MaxDeactivationPercent = 10
		have := groupWorld(10)
		targetGroupWith(have, "tg", "g", "og", ids("t", 1, 10)...)
		want := desiredFor(have)
		pushGroup(want, "g", "og", ids("o", 1, 9)...) // one leaves: within the allowance
		if p := planGroups(cfg, want, have, nil); len(p.Held) != 0 || len(p.Changes[0].Remove) != 1 {
			t.Fatalf("one removal: held=%v changes=%+v", p.Held, p.Changes)
		}
		pushGroup(want, "g", "og", ids("o", 1, 7)...) // three leave: 30% > 10%
		p := planGroups(cfg, want, have, nil)
		if len(p.Held) != 3 || len(p.Changes) != 0 || p.Status["g"].RemovalsHeld != 3 {
			t.Fatalf("three removals: held=%v changes=%+v", p.Held, p.Changes)
		}
		released := map[string]bool{}
		for _, h := range p.Held {
			released[h.key] = true
		}
		if p := planGroups(cfg, want, have, released); len(p.Held) != 0 || len(p.Changes[0].Remove) != 3 {
			t.Fatalf("released: held=%v changes=%+v", p.Held, p.Changes)
		}
	})
	t.Run("a group that had members and reads empty is always held", func(t *testing.T) {
		have := groupWorld(1)
		targetGroupWith(have, "tg", "g", "og", "t1")
		want := desiredFor(have)
		pushGroup(want, "g", "og")
		if p := planGroups(baseConfig(), want, have, nil); len(p.Held) != 1 || len(p.Changes) != 0 {
			t.Fatalf("held=%v changes=%+v", p.Held, p.Changes)
		}
	})
	t.Run("incomplete read blocks removals but not adds or deactivated users leaving", func(t *testing.T) {
		have := groupWorld(3)
		have.Users["t3"].Active = false
		targetGroupWith(have, "tg", "g", "og", "t1", "t3")
		want := desiredFor(have)
		want.Complete = false
		pushGroup(want, "g", "og", "o2", "o3")
		p := planGroups(baseConfig(), want, have, nil)
		c := p.Changes[0]
		if !slices.Equal(have.ids.namesOf(c.Add), []string{"t2"}) || !slices.Equal(have.ids.namesOf(c.Remove), []string{"t3"}) || len(p.Held) != 0 || p.Status["g"].RemovalsHeld != 1 {
			t.Fatalf("change=%+v held=%v status=%+v", c, p.Held, p.Status["g"])
		}
	})
	t.Run("a group gone from Okta keeps its target group untouched", func(t *testing.T) {
		have := groupWorld(1)
		targetGroupWith(have, "tg", "g", "og", "t1")
		want := desiredFor(have)
		pushGroup(want, "g", "og").Deleted = true
		if p := planGroups(baseConfig(), want, have, nil); len(p.Changes) != 0 || p.Status["g"].RemovalsHeld != 1 {
			t.Fatalf("changes=%+v", p.Changes)
		}
	})
	t.Run("deleting a Delete-policy group deletes its target group", func(t *testing.T) {
		have := groupWorld(1)
		targetGroupWith(have, "tg", "g", "og", "t1")
		want := desiredFor(have)
		pushGroup(want, "g", "og", "o1").Config.Deleting = true
		if p := planGroups(baseConfig(), want, have, nil); len(p.Changes) != 1 || !p.Changes[0].Delete {
			t.Fatalf("changes=%+v", p.Changes)
		}
	})
	t.Run("the cap counts every target group and creates in name order", func(t *testing.T) {
		cfg := baseConfig()
		cfg.MaxGroups = 10
		have := groupWorld(1)
		for i := range 7 {
			targetGroupWith(have, fmt.Sprintf("x%d", i), fmt.Sprintf("theirs %d", i), "")
		}
		want := desiredFor(have)
		for _, k := range []string{"delta", "Alpha", "charlie", "Bravo"} {
			pushGroup(want, k, "o-"+k, "o1")
		}
		p := planGroups(cfg, want, have, nil)
		var created []string
		for _, c := range p.Changes {
			created = append(created, c.Name)
		}
		if !slices.Equal(created, []string{"Alpha", "Bravo", "charlie"}) || !p.Status["delta"].CapBlocked || !p.CapWarning {
			t.Fatalf("created=%v delta=%+v warning=%t", created, p.Status["delta"], p.CapWarning)
		}
	})
	t.Run("no warning below 90% of the cap", func(t *testing.T) {
		cfg := baseConfig()
		cfg.MaxGroups = 100
		have := groupWorld(1)
		want := desiredFor(have)
		pushGroup(want, "g", "og", "o1")
		if p := planGroups(cfg, want, have, nil); p.CapWarning {
			t.Error("warning at 1%")
		}
	})
}

func TestHeldSetIDIsContentDerived(t *testing.T) {
	cfg := baseConfig()
	a := []HeldChange{{Action: ActionDeactivate, key: "deactivate:t1"}, {Action: ActionDeactivate, key: "deactivate:t2"}}
	b := []HeldChange{{Action: ActionDeactivate, key: "deactivate:t2"}, {Action: ActionDeactivate, key: "deactivate:t1"}}
	c := []HeldChange{{Action: ActionDeactivate, key: "deactivate:t1"}}
	ha, hb, hc := newHeldSet(a, nil, cfg, nil, "", time.Time{}), newHeldSet(b, nil, cfg, nil, "", time.Time{}), newHeldSet(c, nil, cfg, nil, "", time.Time{})
	if ha.ID != hb.ID || ha.ID == hc.ID {
		t.Errorf("ids: %s %s %s", ha.ID, hb.ID, hc.ID)
	}
	if newHeldSet(nil, nil, cfg, nil, "", time.Time{}) != nil {
		t.Error("empty set must be nil")
	}
	cfg.ApprovedPlanID = ha.ID
	if keys, id := releasedKeys(cfg, hc); keys != nil || id != "" {
		t.Error("an approval released a different set")
	}
	if keys, id := releasedKeys(cfg, ha); len(keys) != 2 || id != ha.ID {
		t.Error("the approved set was not released")
	}
}

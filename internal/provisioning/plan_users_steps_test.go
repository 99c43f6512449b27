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
)

func TestPlanInScopeSortsOutGuardedChanges(t *testing.T) {
	renamed := du("o2", "new@x", true)
	want := mkDesired(du("o1", "a@x", false), renamed, du("o3", "c@x", true), du("o4", "d@x", true))
	have := mkActual(tu("t1", "o1", "a@x", true), tu("t2", "o2", "old@x", true), tu("t3", "o3", "c@x", true))
	p := &userPlan{}
	deactivations, renames := planInScope(baseConfig(), want, have, p)

	names := func(cs []*userChange) []string {
		var out []string
		for _, c := range cs {
			out = append(out, string(c.action())+":"+c.Name)
		}
		slices.Sort(out)
		return out
	}
	if got := names(deactivations); !slices.Equal(got, []string{"Deactivate:a@x"}) {
		t.Errorf("deactivations = %v", got)
	}
	if got := names(renames); !slices.Equal(got, []string{"Rename:old@x"}) {
		t.Errorf("renames = %v", got)
	}
	// The user in sync plans nothing; the new one is a create.
	if got := names(p.Changes); !slices.Equal(got, []string{"Create:d@x", "Deactivate:a@x", "Rename:old@x"}) {
		t.Errorf("changes = %v", got)
	}
}

func TestHoldUserChanges(t *testing.T) {
	deactivation := func(id string, scopeBased bool) *userChange {
		return &userChange{TargetID: id, Name: id + "@x", SetActive: ptr(false), Reason: "r", scopeBased: scopeBased}
	}
	rename := func(id string) *userChange {
		return &userChange{TargetID: id, Name: id + "@x", NewUserName: id + "-new@x"}
	}
	tests := []struct {
		name          string
		max           int
		want          *desired
		deactivations []*userChange
		renames       []*userChange
		released      map[string]bool
		held          []string
		reasons       int
	}{
		{name: "within the thresholds nothing is held", max: 5, want: mkDesired(),
			deactivations: []*userChange{deactivation("t1", false)}, renames: []*userChange{rename("t2")}},
		{name: "deactivations over the threshold are all held", max: 1, want: mkDesired(),
			deactivations: []*userChange{deactivation("t1", false), deactivation("t2", false)},
			held:          []string{"Deactivate:t1@x", "Deactivate:t2@x"}, reasons: 1},
		{name: "renames over the threshold are held on their own", max: 1, want: mkDesired(),
			deactivations: []*userChange{deactivation("t1", false)}, renames: []*userChange{rename("t2"), rename("t3")},
			held: []string{"Rename:t2@x", "Rename:t3@x"}, reasons: 1},
		{name: "released changes pass", max: 1, want: mkDesired(),
			deactivations: []*userChange{deactivation("t1", false), deactivation("t2", false)},
			released:      map[string]bool{"deactivate:t1": true, "deactivate:t2": true}},
		{name: "a departure resting on a suspect read is held within the thresholds", max: 5, want: suspectScope(mkDesired()),
			deactivations: []*userChange{deactivation("t1", true), deactivation("t2", false)},
			held:          []string{"Deactivate:t1@x"}, reasons: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.MaxDeactivations = tt.max
			held, reasons := holdUserChanges(cfg, tt.want, 10, tt.deactivations, tt.renames, tt.released)
			var got []string
			for _, h := range held {
				got = append(got, string(h.Action)+":"+h.Name)
			}
			if !slices.Equal(got, tt.held) || len(reasons) != tt.reasons {
				t.Fatalf("held %v reasons %q; want %v and %d reasons", got, reasons, tt.held, tt.reasons)
			}
			// A held change no longer writes what is held.
			for _, c := range append(tt.deactivations, tt.renames...) {
				isHeld := slices.Contains(tt.held, string(ActionDeactivate)+":"+c.Name) || slices.Contains(tt.held, string(ActionRename)+":"+c.Name)
				if isHeld && !c.empty() {
					t.Errorf("held change %s still writes: %+v", c.Name, c)
				}
				if !isHeld && c.empty() {
					t.Errorf("change %s was emptied but not held", c.Name)
				}
			}
		})
	}
}

func TestTidyUserPlan(t *testing.T) {
	tests := []struct {
		name      string
		changes   []*userChange
		conflicts []conflict
		order     []string
		names     []string
	}{
		{name: "empty plan stays empty"},
		{name: "changes emptied by holds are dropped",
			changes: []*userChange{{OktaID: "o1", TargetID: "t1"}, {OktaID: "o2", TargetID: "t2", Link: true}},
			order:   []string{"o2/t2"}},
		{name: "changes sort by Okta id, then target id",
			changes: []*userChange{{OktaID: "o2", Link: true}, {OktaID: "", TargetID: "t9", SetActive: ptr(false)},
				{OktaID: "o1", TargetID: "t2", Link: true}, {OktaID: "o1", TargetID: "t1", Link: true}},
			order: []string{"/t9", "o1/t1", "o1/t2", "o2/"}},
		{name: "conflicts sort by name",
			conflicts: []conflict{{Name: "b"}, {Name: "a"}, {Name: "c"}}, names: []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &userPlan{Changes: tt.changes, Conflicts: tt.conflicts}
			tidyUserPlan(p)
			var order, names []string
			for _, c := range p.Changes {
				order = append(order, c.OktaID+"/"+c.TargetID)
			}
			for _, c := range p.Conflicts {
				names = append(names, c.Name)
			}
			if !slices.Equal(order, tt.order) || !slices.Equal(names, tt.names) {
				t.Fatalf("changes %v conflicts %v; want %v and %v", order, names, tt.order, tt.names)
			}
		})
	}
}

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
	"maps"
	"slices"
	"strings"
)

// The model is the harness's own idea of what the target must hold, derived
// from the Okta data it seeded and changed. It is deliberately independent of
// the engine: the replay set, the Okta-pattern count and the verification of
// the engine's target all come from it, never from the engine's requests.

// oktaUser is one Okta user as far as provisioning cares.
type oktaUser struct {
	ID, Login, First, Last, Display, Status string
	// Department and EmployeeNumber are provisioned by the cel mapping only.
	Department, EmployeeNumber string
}

// oktaGroup is one Okta group; every group is configured Assign+Push.
type oktaGroup struct {
	ID, Name string
	Members  map[string]struct{} // Okta user ids
}

// snapshot is the Okta directory as the harness knows it.
type snapshot struct {
	Users  map[string]*oktaUser
	Groups []*oktaGroup // configuration order
}

// userAttrs are the SCIM attributes a user is provisioned with.
type userAttrs struct {
	UserName, DisplayName, GivenName, FamilyName, Formatted string
	// Department and EmployeeNumber (the enterprise extension) are empty
	// unless BENCH_MAPPING=cel maps them.
	Department, EmployeeNumber string
}

// targetUser is a managed user in the target, keyed by Okta id elsewhere.
type targetUser struct {
	Attrs  userAttrs
	Active bool
}

// targetState is what the target holds after a cycle, in Okta ids.
type targetState struct {
	Users  map[string]targetUser
	Groups map[string]map[string]struct{} // Okta group id → member Okta ids
}

func emptyTarget() targetState {
	return targetState{Users: map[string]targetUser{}, Groups: map[string]map[string]struct{}{}}
}

// statusActive maps an Okta status to (active in the target, provisioned at
// all), following the issue: STAGED is never provisioned.
func statusActive(status string) (active, provision bool) {
	switch status {
	case "ACTIVE", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT":
		return true, true
	case "SUSPENDED", "DEPROVISIONED":
		return false, true
	}
	return false, false
}

// mapAttrs is the bench mapping: userName=login, displayName=displayName
// (falling back to "first last"), name from firstName/lastName, and with
// BENCH_MAPPING=cel the department and employee number too.
func mapAttrs(u *oktaUser) userAttrs {
	formatted := strings.TrimSpace(u.First + " " + u.Last)
	display := u.Display
	if display == "" {
		display = formatted
	}
	if display == "" {
		display = u.Login
	}
	a := userAttrs{UserName: u.Login, DisplayName: display, GivenName: u.First, FamilyName: u.Last, Formatted: formatted}
	if celMapping {
		a.Department, a.EmployeeNumber = u.Department, u.EmployeeNumber
	}
	return a
}

// desiredTarget computes the target after a correct cycle over snap, given
// what the target held before (prev): users in scope are created or kept,
// managed users out of scope are deactivated, pushed groups hold their Okta
// members that are managed and active.
func desiredTarget(snap *snapshot, prev targetState) targetState {
	next := emptyTarget()
	inScope := map[string]bool{}
	for _, g := range snap.Groups {
		for id := range g.Members {
			inScope[id] = true
		}
	}
	for id := range inScope {
		u, ok := snap.Users[id]
		if !ok {
			continue
		}
		active, provision := statusActive(u.Status)
		_, known := prev.Users[id]
		switch {
		case !provision:
			if known {
				// Left as it was: STAGED again is not a deactivation reason here.
				next.Users[id] = prev.Users[id]
			}
		case active || known:
			// A user never provisioned is not created just to be inactive.
			next.Users[id] = targetUser{Attrs: mapAttrs(u), Active: active}
		}
	}
	for id, tu := range prev.Users {
		if _, ok := next.Users[id]; !ok {
			tu.Active = false
			next.Users[id] = tu
		}
	}
	for _, g := range snap.Groups {
		ms := map[string]struct{}{}
		for id := range g.Members {
			if tu, ok := next.Users[id]; ok && tu.Active {
				ms[id] = struct{}{}
			}
		}
		next.Groups[g.ID] = ms
	}
	return next
}

// userChange is one user write of a change set.
type userChange struct {
	OktaID string
	// Create, or else Patch holds the changed attributes (active included).
	Create bool
	User   targetUser
	Patch  map[string]any
	// Kind classifies the change for the Okta pattern: create, update,
	// deactivate, reactivate (an update plus an activity flip counts both).
	Update, Deactivate, Reactivate bool
}

// groupChange is one group's membership delta (or its creation).
type groupChange struct {
	OktaID, Name string
	Create       bool
	Add, Remove  []string // Okta user ids, sorted
}

// changeSet is the difference between two target states.
type changeSet struct {
	Users  []userChange
	Groups []groupChange
}

// attrPatch lists the changed attributes by SCIM path.
func attrPatch(want, have userAttrs) map[string]any {
	p := map[string]any{}
	set := func(path, w, h string) {
		if w != h {
			p[path] = w
		}
	}
	set("userName", want.UserName, have.UserName)
	set("displayName", want.DisplayName, have.DisplayName)
	set("name.givenName", want.GivenName, have.GivenName)
	set("name.familyName", want.FamilyName, have.FamilyName)
	set("name.formatted", want.Formatted, have.Formatted)
	set(enterpriseSchema+":department", want.Department, have.Department)
	set(enterpriseSchema+":employeeNumber", want.EmployeeNumber, have.EmployeeNumber)
	return p
}

// diff derives the change set that takes the target from prev to next.
func diff(snap *snapshot, prev, next targetState) changeSet {
	var cs changeSet
	for _, id := range slices.Sorted(maps.Keys(next.Users)) {
		n := next.Users[id]
		p, ok := prev.Users[id]
		if !ok {
			cs.Users = append(cs.Users, userChange{OktaID: id, Create: true, User: n})
			continue
		}
		patch := attrPatch(n.Attrs, p.Attrs)
		ch := userChange{OktaID: id, User: n, Update: len(patch) > 0}
		if n.Active != p.Active {
			patch["active"] = n.Active
			ch.Deactivate, ch.Reactivate = !n.Active, n.Active
		}
		if len(patch) > 0 {
			ch.Patch = patch
			cs.Users = append(cs.Users, ch)
		}
	}
	for _, g := range snap.Groups {
		want := next.Groups[g.ID]
		have, existed := prev.Groups[g.ID]
		gc := groupChange{OktaID: g.ID, Name: g.Name, Create: !existed}
		for id := range want {
			if _, ok := have[id]; !ok {
				gc.Add = append(gc.Add, id)
			}
		}
		for id := range have {
			if _, ok := want[id]; !ok {
				gc.Remove = append(gc.Remove, id)
			}
		}
		slices.Sort(gc.Add)
		slices.Sort(gc.Remove)
		if gc.Create || len(gc.Add)+len(gc.Remove) > 0 {
			cs.Groups = append(cs.Groups, gc)
		}
	}
	return cs
}

// Request sizes of the clients and of the limit.
const (
	membersPerPatch = 100  // scim.Options.MembersPerPatch default, and the limit's batch
	oktaMemberPage  = 1000 // okta.Options.PageSize default (Okta's maximum)
	oktaSearchPage  = 200  // okta.Options.SearchPageSize default
	oktaIDBatch     = 50   // groups asked for per okta.Client.GroupsByID request
	scimListPage    = 100  // scim.Options.PageSize default; the test server's max
	// oktaPatchBatch is how many member changes Okta's engine puts in one
	// group PATCH. Okta does not publish it; 100 is the most favourable
	// plausible value for Okta (a smaller batch only raises its count).
	oktaPatchBatch = 100
)

func ceilDiv(n, d int) int { return (n + d - 1) / d }

// pages is the number of list requests needed for n items (an empty list
// still costs one request).
func pages(n, per int) int { return max(1, ceilDiv(n, per)) }

// readPlan is the reads the limit allows: each side listed once.
type readPlan struct {
	// Full lists every configured group's members; otherwise only the
	// changed groups plus the two incremental queries.
	Full bool
	// OktaGroups are the groups whose members are read, with sizes.
	OktaGroups map[string]int
	// ChangedUsers is how many users the incremental user search returns;
	// GroupIDs are the configured groups, which an incremental cycle lists
	// by id (to see renames, membership changes and deletions).
	ChangedUsers int
	GroupIDs     []string
	// TargetUsers and TargetGroups size the target listing (full cycles).
	TargetUsers, TargetGroups int
}

// requestCount is a number of requests by side.
type requestCount struct {
	OktaReads    int `json:"okta_reads"`
	TargetReads  int `json:"target_reads"`
	TargetWrites int `json:"target_writes"`
}

func (r requestCount) Total() int { return r.OktaReads + r.TargetReads + r.TargetWrites }

// limitRequests counts the minimal request set: one write per changed user,
// a group create carrying up to 100 members, member changes in PATCHes of at
// most 100, plus the page reads of rp.
func limitRequests(cs changeSet, rp readPlan) requestCount {
	var rc requestCount
	for _, n := range rp.OktaGroups {
		rc.OktaReads += pages(n, oktaMemberPage)
	}
	if rp.Full {
		rc.TargetReads = pages(rp.TargetUsers, scimListPage) + pages(rp.TargetGroups, scimListPage)
	} else {
		// Incremental: the groups-by-id listing and the updated-users query;
		// the target is not listed (its ids are known from earlier cycles).
		rc.OktaReads += pages(len(rp.GroupIDs), oktaIDBatch) + pages(rp.ChangedUsers, oktaSearchPage)
	}
	rc.TargetWrites = len(cs.Users)
	for _, g := range cs.Groups {
		rc.TargetWrites += groupWrites(g, membersPerPatch, true)
	}
	return rc
}

// groupWrites counts the requests of one group change with batch members per
// request; inline lets a create carry the first batch in its POST.
func groupWrites(g groupChange, batch int, inline bool) int {
	delta := len(g.Add) + len(g.Remove)
	if !g.Create {
		return ceilDiv(delta, batch)
	}
	if inline {
		return max(1, ceilDiv(delta, batch))
	}
	return 1 + ceilDiv(delta, batch)
}

// oktaPattern counts the target requests Okta's own engine would send for
// the change set, per its documented behaviour: create = filter GET + POST,
// update = GET + PUT, deactivate or reactivate = PATCH, pushed group = POST
// with no members then membership PATCHes of oktaPatchBatch members. For
// existing groups, perEvent counts one PATCH per member change, as Okta's
// Group Push sends each membership change when it happens; otherwise the
// changes of one group are batched like a first push (a lower bound).
func oktaPattern(cs changeSet, perEvent bool) int {
	n := 0
	for _, u := range cs.Users {
		switch {
		case u.Create:
			n += 2
		default:
			if u.Update {
				n += 2
			}
			if u.Deactivate || u.Reactivate {
				n++
			}
		}
	}
	for _, g := range cs.Groups {
		if perEvent && !g.Create {
			n += len(g.Add) + len(g.Remove)
			continue
		}
		n += groupWrites(g, oktaPatchBatch, false)
	}
	return n
}

// summary counts a change set's contents for the report.
type csSummary struct {
	Creates       int `json:"creates"`
	Updates       int `json:"updates"`
	Deactivations int `json:"deactivations"`
	Reactivations int `json:"reactivations"`
	GroupCreates  int `json:"group_creates"`
	MembersAdded  int `json:"members_added"`
	MembersRemove int `json:"members_removed"`
}

func summarize(cs changeSet) csSummary {
	var s csSummary
	for _, u := range cs.Users {
		switch {
		case u.Create:
			s.Creates++
		default:
			if u.Update {
				s.Updates++
			}
			if u.Deactivate {
				s.Deactivations++
			}
			if u.Reactivate {
				s.Reactivations++
			}
		}
	}
	for _, g := range cs.Groups {
		if g.Create {
			s.GroupCreates++
		}
		s.MembersAdded += len(g.Add)
		s.MembersRemove += len(g.Remove)
	}
	return s
}

func (s csSummary) empty() bool { return s == csSummary{} }

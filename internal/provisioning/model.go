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
	"strings"
)

// userAttrs are the SCIM attributes the engine manages. Strings only, so a
// 100k-user state stays small.
type userAttrs struct {
	UserName       string
	GivenName      string
	FamilyName     string
	Formatted      string
	DisplayName    string
	Email          string
	NativeObjectID string
	// Extra holds the values of the attributes only expressions map
	// (title, the enterprise extension, ...), aligned with the compiled
	// mapping's list of them; nil when the configuration maps none.
	Extra []string
}

// desiredUser is an in-scope Okta user mapped to the target's attributes.
type desiredUser struct {
	OktaID string
	Status string
	Attrs  userAttrs
	// Invalid explains why the user cannot be provisioned (e.g. no userName).
	Invalid string
	// ref is OktaID's handle in the views' idTable. Last, beside Active:
	// packed there the struct fits a smaller allocation class.
	ref userRef
	// Active is the desired SCIM active flag.
	Active bool
}

// targetUser is a SCIM user as read from the target.
type targetUser struct {
	ID         string
	ExternalID string
	// Attrs are never written in place: once in sync they are the desired
	// user's (shareAttrs), and copies of this user share them too. Changes
	// go through editAttrs.
	Attrs *userAttrs
	// ref and extRef are the handles of ID and ExternalID, set by putUser.
	ref, extRef userRef
	Active      bool
	// HasCisco records whether the extension was present, so an absent
	// nativeObjectId is not mistaken for a change.
	HasCisco bool
}

// editAttrs changes the user's attribute values on a copy of them, which
// then becomes the user's own.
func (u *targetUser) editAttrs(edit func(*userAttrs)) {
	own := *u.Attrs
	own.Extra = slices.Clone(own.Extra)
	edit(&own)
	u.Attrs = &own
}

// shareAttrs lets a target user just read or created share the desired
// user's attribute values: all of them when all are equal (in sync, the
// common case: the target view then costs no attribute values of its
// own), else each equal string.
func (u *targetUser) shareAttrs(d *desiredUser) {
	if d == nil {
		return
	}
	if u.Attrs.equal(&d.Attrs) {
		u.Attrs = &d.Attrs
		return
	}
	// Out of sync: the equal strings are shared, on the user's own copy
	// like every change (editAttrs), whoever else holds its values.
	u.editAttrs(func(a *userAttrs) {
		want := d.Attrs.fixed()
		for i, have := range a.fixed() {
			if *have == *want[i] {
				*have = *want[i]
			}
		}
		if len(a.Extra) == len(d.Attrs.Extra) {
			for i, v := range d.Attrs.Extra {
				if a.Extra[i] == v {
					a.Extra[i] = v
				}
			}
		}
	})
}

// fixed lists the attributes every configuration has, for code that
// treats them all alike.
func (a *userAttrs) fixed() [7]*string {
	return [7]*string{&a.UserName, &a.GivenName, &a.FamilyName, &a.Formatted, &a.DisplayName, &a.Email, &a.NativeObjectID}
}

// equal reports whether two sets of attribute values are the same.
func (a *userAttrs) equal(b *userAttrs) bool {
	theirs := b.fixed()
	for i, v := range a.fixed() {
		if *v != *theirs[i] {
			return false
		}
	}
	return slices.Equal(a.Extra, b.Extra)
}

// managed reports whether the user is linked to an Okta user.
func (u *targetUser) managed() bool { return u.ExternalID != "" }

// desiredGroup is one configured group as read from Okta.
type desiredGroup struct {
	Config GroupConfig
	// Name is the Okta group's current name.
	Name string
	// Found is true once the group was read; Deleted is true when Okta
	// answered 404 for its id.
	Found   bool
	Deleted bool
	// Read is true when the member list was read completely.
	Read bool
	// Members are the refs of all members' Okta ids, in scope or not.
	Members refSet
	// Suspect says why this complete read must not shrink the scope on its
	// own (an assigned group that went empty or lost too many members).
	Suspect string
	// Err is the read error, if any.
	Err error
}

// displayName names the group for messages: its Okta name when known.
func (g *desiredGroup) displayName() string {
	for _, n := range []string{g.Name, g.Config.OktaName} {
		if n != "" {
			return n
		}
	}
	return g.Config.Key
}

// targetName is the displayName the group should have in the target.
func (g *desiredGroup) targetName() string {
	if g.Config.TargetName != "" {
		return g.Config.TargetName
	}
	if g.Name != "" {
		return g.Name
	}
	return g.Config.OktaName
}

// desired is the source side of a cycle.
type desired struct {
	// Users are the users in scope, by Okta id.
	Users map[string]*desiredUser
	// Groups are the configured groups, by GroupConfig.Key.
	Groups map[string]*desiredGroup
	// Unprovisioned are in-scope users whose status is not provisioned
	// (STAGED) or who are outside spec.scope, so incremental cycles need
	// not read them again.
	Unprovisioned map[string]bool
	// People maps each directly assigned login or id to the Okta id found
	// ("" when not found), so incremental cycles need not read them again.
	People map[string]string
	// Complete is false when any read failed or any assigned group is not
	// resolved: the scope may then be too small, so nothing may leave it.
	Complete bool
	Errors   []string
	// ReadsOK and ReadsFailed count source reads, to tell an unreadable
	// source (every read failed) from an incomplete one.
	ReadsOK, ReadsFailed int
	// fresh marks the users mapped in the current cycle.
	fresh map[string]bool
	// ids interns the user ids of this view and of the target view.
	ids *idTable
}

func newDesired(ids *idTable) *desired {
	return &desired{
		ids:           ids,
		Users:         map[string]*desiredUser{},
		Unprovisioned: map[string]bool{},
		Groups:        map[string]*desiredGroup{},
		People:        map[string]string{},
		Complete:      true,
		fresh:         map[string]bool{},
	}
}

const maxSourceErrors = 10

// put adds or replaces a mapped user in scope, keeping the interned id.
func (d *desired) put(u *desiredUser) {
	u.ref, u.OktaID = d.ids.intern(u.OktaID)
	d.Users[u.OktaID] = u
	delete(d.Unprovisioned, u.OktaID)
}

// knows reports whether the view has a record of the user, provisioned or
// not. The caller holds the lock of concurrent reads.
func (d *desired) knows(id string) bool {
	_, ok := d.Users[id]
	return ok || d.Unprovisioned[id]
}

// scope marks the users in scope: the assigned people found and the
// members of the assigned groups that can be used.
func (d *desired) scope() refMark {
	people := make([]userRef, 0, len(d.People))
	for _, id := range d.People {
		if id != "" {
			people = append(people, d.ids.ref(id))
		}
	}
	scope := newRefMark(d.ids)
	for _, r := range people {
		scope.set(r)
	}
	for _, dg := range d.Groups {
		if dg.Config.Assign && dg.Config.Blocked == "" {
			for _, r := range dg.Members {
				scope.set(r)
			}
		}
	}
	return scope
}

// unprovisioned records a user in scope who is not provisioned (STAGED).
func (d *desired) unprovisioned(id string) {
	delete(d.Users, id)
	_, id = d.ids.intern(id)
	d.Unprovisioned[id] = true
}

// suspects returns why assigned groups' reads must not shrink the scope.
func (d *desired) suspects() []string {
	var out []string
	for _, dg := range d.Groups {
		if dg.Config.Assign && dg.Suspect != "" {
			out = append(out, dg.Suspect)
		}
	}
	slices.Sort(out)
	return out
}

// fail records a failed read: the scope is incomplete.
func (d *desired) fail(msg string) {
	d.ReadsFailed++
	d.incomplete(msg)
}

// incomplete records that the scope may be too small without a failed read
// (for example an assigned group that is not resolved yet).
func (d *desired) incomplete(msg string) {
	d.Complete = false
	if len(d.Errors) < maxSourceErrors {
		d.Errors = append(d.Errors, msg)
	}
}

// targetGroup is a SCIM group as read from the target.
type targetGroup struct {
	ID          string
	ExternalID  string
	DisplayName string
	// Members are the refs of the members' target ids; nil until read.
	Members refSet
}

// actual is the target side of a cycle.
type actual struct {
	Users map[string]*targetUser // by SCIM id
	// byRef and byOkta find users by the ref of their id and of their
	// externalId (the Okta id): slices indexed by ref, no hashing.
	byRef, byOkta []*targetUser
	// byUserName finds users by folded userName. Only planning needs it,
	// so it is built when a plan asks (userByName) and dropped after: at
	// 100k users it is a map of 100k through all of a cycle's writes.
	byUserName map[string]*targetUser
	ids        *idTable
	Groups     map[string]*targetGroup
	// GroupCount counts every group in the target, ours or not.
	GroupCount int
	// groupIndex finds groups by externalId and by lower-cased name; it is
	// rebuilt after any change to Groups.
	groupIndex *groupIndex
}

type groupIndex struct {
	byExternal map[string]*targetGroup
	byName     map[string]*targetGroup
}

// putGroup adds or replaces a group.
func (a *actual) putGroup(g *targetGroup) {
	if _, ok := a.Groups[g.ID]; !ok {
		a.GroupCount++
	}
	a.Groups[g.ID] = g
	a.groupIndex = nil
}

// removeGroup forgets a group.
func (a *actual) removeGroup(id string) {
	if _, ok := a.Groups[id]; ok {
		delete(a.Groups, id)
		a.GroupCount--
		a.groupIndex = nil
	}
}

// renameGroup changes a group's displayName.
func (a *actual) renameGroup(g *targetGroup, name string) {
	g.DisplayName = name
	a.groupIndex = nil
}

// index returns the group index, building it when needed. Where several
// groups match, the smallest id wins, so the choice is stable.
func (a *actual) index() *groupIndex {
	if a.groupIndex != nil {
		return a.groupIndex
	}
	idx := &groupIndex{byExternal: map[string]*targetGroup{}, byName: map[string]*targetGroup{}}
	better := func(m map[string]*targetGroup, k string, g *targetGroup) {
		if cur, ok := m[k]; !ok || g.ID < cur.ID {
			m[k] = g
		}
	}
	for _, g := range a.Groups {
		if g.ExternalID != "" {
			better(idx.byExternal, g.ExternalID, g)
		}
		better(idx.byName, foldName(g.DisplayName), g)
	}
	a.groupIndex = idx
	return idx
}

func newActual(ids *idTable) *actual {
	return &actual{
		ids:    ids,
		Users:  map[string]*targetUser{},
		Groups: map[string]*targetGroup{},
	}
}

// foldName is the one case folding of names (userNames, group displayNames,
// logins): SCIM and Okta compare them case-insensitively, and every index
// and comparison must fold them the same way.
func foldName(s string) string { return strings.ToLower(s) }

// putUser adds or replaces a user and keeps the indexes in step. The ids
// are interned: the view keeps the table's copies.
func (a *actual) putUser(u *targetUser) {
	if old, ok := a.Users[u.ID]; ok {
		a.unindex(old)
	}
	u.ref, u.ID = a.ids.intern(u.ID)
	a.Users[u.ID] = u
	a.byRef = setAt(a.byRef, u.ref, u)
	if u.ExternalID != "" {
		u.extRef, u.ExternalID = a.ids.intern(u.ExternalID)
		// Two users with one externalId is drift we cannot resolve; keep the
		// first so the choice is stable.
		if a.userByOktaRef(u.extRef) == nil {
			a.byOkta = setAt(a.byOkta, u.extRef, u)
		}
	}
	if a.byUserName != nil {
		a.byUserName[foldName(u.Attrs.UserName)] = u
	}
}

// removeUser forgets a user.
func (a *actual) removeUser(u *targetUser) {
	a.unindex(u)
	delete(a.Users, u.ID)
}

func (a *actual) unindex(u *targetUser) {
	if u.ExternalID != "" && a.userByOktaRef(u.extRef) == u {
		a.byOkta[u.extRef] = nil
	}
	if a.userByRef(u.ref) == u {
		a.byRef[u.ref] = nil
	}
	if a.byUserName != nil && a.byUserName[foldName(u.Attrs.UserName)] == u {
		delete(a.byUserName, foldName(u.Attrs.UserName))
	}
}

// userByName returns the user holding a userName (folded), building the
// index on first use. Where two users fold to one name the later in ref
// order (the order ids were first seen) wins, as when users are put in
// the order read.
func (a *actual) userByName(name string) *targetUser {
	if a.byUserName == nil {
		a.byUserName = make(map[string]*targetUser, len(a.Users))
		for _, u := range a.byRef {
			if u != nil {
				a.byUserName[foldName(u.Attrs.UserName)] = u
			}
		}
	}
	return a.byUserName[foldName(name)]
}

// dropNameIndex lets the userName index go until the next plan.
func (a *actual) dropNameIndex() { a.byUserName = nil }

// userByRef returns the user whose id has ref r.
func (a *actual) userByRef(r userRef) *targetUser { return at(a.byRef, r) }

// userByOktaRef returns the user linked to the Okta id with ref r.
func (a *actual) userByOktaRef(r userRef) *targetUser { return at(a.byOkta, r) }

// userByOktaID returns the user linked to an Okta id.
func (a *actual) userByOktaID(id string) *targetUser {
	r, ok := a.ids.lookup(id)
	if !ok {
		return nil
	}
	return a.userByOktaRef(r)
}

func at(s []*targetUser, r userRef) *targetUser {
	if int(r) < len(s) {
		return s[r]
	}
	return nil
}

// setAt stores u at index r, growing s as needed.
func setAt(s []*targetUser, r userRef, u *targetUser) []*targetUser {
	if int(r) >= len(s) {
		s = slices.Grow(s, int(r)+1-len(s))[:int(r)+1]
	}
	s[r] = u
	return s
}

// counts returns the managed and active-managed users.
func (a *actual) counts() (managed, active int) {
	for _, u := range a.Users {
		if u.managed() {
			managed++
			if u.Active {
				active++
			}
		}
	}
	return managed, active
}

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
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// groupChange is everything one cycle does to one pushed group.
type groupChange struct {
	Key string
	// TargetID is the target group's id ("" for a create).
	TargetID string
	// Name is the target displayName after the change.
	Name string
	// ExternalID is the Okta group id, set on create.
	ExternalID string

	Create bool
	Rename bool
	Delete bool
	// Add and Remove are members by the refs of their target ids.
	Add    refSet
	Remove refSet
}

// groupStatus is what the planner learned about one group, for the result.
type groupStatus struct {
	TargetID       string
	TargetName     string
	Members        int
	Desired        int
	Skipped        int
	RemovalsHeld   int
	CapBlocked     bool
	Blocked        string
	MembersUnknown bool
}

// groupPlan is the planned group changes.
type groupPlan struct {
	Changes []*groupChange
	Held    []HeldChange
	// HoldReasons say why the held removals are held.
	HoldReasons []string
	Status      map[string]*groupStatus
	// CapWarning is set when the target holds 90% or more of the cap.
	CapWarning bool
}

// Groups past the cap are created in this order: by target displayName,
// case-insensitively, then by ProvisionedGroup key. It is fixed so that the
// same groups win on every cycle.
func createOrder(a, b *groupChange) int {
	if c := cmp.Compare(foldName(a.Name), foldName(b.Name)); c != 0 {
		return c
	}
	return cmp.Compare(a.Key, b.Key)
}

// planGroups is a pure function of the configuration, both sides after the
// user changes, and the approved held keys.
func planGroups(cfg *Config, want *desired, have *actual, released map[string]bool) *groupPlan {
	p := &groupPlan{Status: map[string]*groupStatus{}}
	var creates []*groupChange
	for _, key := range slices.Sorted(maps.Keys(want.Groups)) {
		g := want.Groups[key]
		if !g.Config.Push {
			continue
		}
		st := &groupStatus{}
		p.Status[key] = st
		tg := findTargetGroup(g, have)
		if tg != nil {
			st.TargetID, st.TargetName = tg.ID, tg.DisplayName
			st.Members = len(tg.Members)
			st.MembersUnknown = tg.Members == nil
		}
		if g.Config.Deleting && g.Config.Blocked == "" {
			if tg != nil {
				p.Changes = append(p.Changes, &groupChange{Key: key, TargetID: tg.ID, Name: tg.DisplayName, Delete: true})
			}
			continue
		}
		if why, deleted := groupBlocked(g); why != "" {
			st.Blocked = why
			if deleted {
				st.RemovalsHeld = st.Members
			}
			continue
		}
		members, skipped := desiredMembers(g, have)
		st.Desired, st.Skipped = len(members), skipped
		switch {
		case tg == nil:
			creates = append(creates, &groupChange{Key: key, Name: g.targetName(), ExternalID: g.Config.OktaID, Create: true, Add: members})
		case tg.Members == nil:
			st.Blocked = "reading the target group's members failed"
		default:
			if c := p.planGroupUpdate(cfg, want, have, g, tg, members, st, released); c != nil {
				p.Changes = append(p.Changes, c)
			}
		}
	}
	p.admitCreates(cfg, have, creates)
	return p
}

// groupBlocked says why a pushed group cannot be planned this cycle, or
// "", and whether it is because the Okta group was deleted (its target
// members then stay, counted as held removals).
func groupBlocked(g *desiredGroup) (why string, deleted bool) {
	switch {
	case g.Config.Blocked != "":
		return g.Config.Blocked, false
	case g.Config.OktaID == "":
		return "the Okta group is not resolved", false
	case g.Deleted:
		return "the Okta group no longer exists; its target group is kept until the ProvisionedGroup is deleted", true
	case !g.Found || !g.Read:
		return "reading the Okta group's members failed", false
	}
	return "", false
}

// planGroupUpdate plans a rename and the membership delta of an existing
// target group, screening removals through the guards; nil when nothing
// changes.
func (p *groupPlan) planGroupUpdate(cfg *Config, want *desired, have *actual, g *desiredGroup, tg *targetGroup,
	members refSet, st *groupStatus, released map[string]bool) *groupChange {
	name := g.targetName()
	c := &groupChange{Key: g.Config.Key, TargetID: tg.ID, Name: name, Rename: tg.DisplayName != name}
	add, extra := diff(members, tg.Members)
	c.Add = add
	var removals refSet
	for _, r := range extra {
		if u := have.userByRef(r); u != nil && u.managed() && !u.Active {
			// Deactivated users leave pushed groups whatever the read.
			c.Remove = append(c.Remove, r)
			continue
		}
		removals = append(removals, r)
	}
	if !want.Complete && len(removals) > 0 {
		// Blocked, not held: nothing to approve, a complete read decides.
		st.Blocked = "member removals wait for a complete read of Okta"
		st.RemovalsHeld = len(removals)
		removals = nil
	}
	allowed, held, why := screenRemovals(cfg, g, tg, removals, released, have.ids)
	c.Remove = newRefSet(append(c.Remove, allowed...))
	for _, r := range held {
		p.Held = append(p.Held, HeldChange{Action: ActionRemoveMembers, Kind: "Group", Name: tg.DisplayName,
			Detail: "remove " + memberName(have, r), key: removalKey(tg.ID, have.ids.name(r))})
	}
	if why != "" {
		p.HoldReasons = append(p.HoldReasons, why)
	}
	st.RemovalsHeld += len(held)
	if c.Rename || len(c.Add) > 0 || len(c.Remove) > 0 {
		return c
	}
	return nil
}

// admitCreates adds the group creates the target's group cap allows, in
// the fixed creation order, and marks the others capped.
func (p *groupPlan) admitCreates(cfg *Config, have *actual, creates []*groupChange) {
	capacity := cfg.EffectiveMaxGroups()
	slices.SortFunc(creates, createOrder)
	total := have.GroupCount
	for _, c := range creates {
		if capacity > 0 && total >= capacity {
			p.Status[c.Key].CapBlocked = true
			continue
		}
		total++
		p.Changes = append(p.Changes, c)
	}
	p.CapWarning = capacity > 0 && total*10 >= capacity*9
}

// findTargetGroup finds the target group of a pushed group: by the id an
// earlier cycle reported, by externalId (the Okta group id), or by
// displayName when the target group carries no externalId of another group.
func findTargetGroup(g *desiredGroup, have *actual) *targetGroup {
	if tg := have.Groups[g.Config.TargetID]; g.Config.TargetID != "" && tg != nil {
		return tg
	}
	idx := have.index()
	if tg := idx.byExternal[g.Config.OktaID]; g.Config.OktaID != "" && tg != nil {
		return tg
	}
	if tg := idx.byName[foldName(g.targetName())]; tg != nil && (tg.ExternalID == "" || tg.ExternalID == g.Config.OktaID) {
		return tg
	}
	return nil
}

// desiredMembers maps the Okta members to target ids: only users managed and
// active in the target are pushed, like Okta pushes only active, assigned users.
func desiredMembers(g *desiredGroup, have *actual) (refSet, int) {
	out := make([]userRef, 0, len(g.Members))
	skipped := 0
	for _, r := range g.Members {
		if u := have.userByOktaRef(r); u != nil && u.Active {
			out = append(out, u.ref)
		} else {
			skipped++
		}
	}
	return newRefSet(out), skipped
}

// removalKey identifies a held member removal for approvals.
func removalKey(groupID, memberID string) string { return "remove:" + groupID + ":" + memberID }

// screenRemovals splits scope-based member removals into those that may
// proceed and those held, and says why. A group that had members and now
// reads empty holds every removal; otherwise the removals not released by
// approval are held when they exceed the percentage bound of the group's
// members (at least the floor, so small groups are not held for every change).
func screenRemovals(cfg *Config, g *desiredGroup, tg *targetGroup, removals refSet, released map[string]bool, ids *idTable) (allowed, held refSet, why string) {
	if len(removals) == 0 {
		return nil, nil, ""
	}
	var pending refSet
	for _, r := range removals {
		if released[removalKey(tg.ID, ids.name(r))] {
			allowed = append(allowed, r)
		} else {
			pending = append(pending, r)
		}
	}
	if len(pending) == 0 {
		return allowed, nil, ""
	}
	baseline := max(len(tg.Members), g.Config.BaselineMembers)
	switch {
	case len(g.Members) == 0 && baseline > 0:
		return allowed, pending, fmt.Sprintf("Okta group %s read empty while its target group has %d members", g.displayName(), baseline)
	case len(pending) > percentAllowance(cfg, baseline):
		return allowed, pending, fmt.Sprintf("%d removals from group %s exceed maxDeactivationPercent %d%% of its %d members (at least %d)",
			len(pending), tg.DisplayName, cfg.MaxDeactivationPercent, baseline, cfg.DeactivationFloor)
	}
	return append(allowed, pending...), nil, ""
}

func memberName(have *actual, r userRef) string {
	if u := have.userByRef(r); u != nil && u.Attrs.UserName != "" {
		return u.Attrs.UserName
	}
	return have.ids.name(r)
}

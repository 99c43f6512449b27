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
	"slices"
)

// userChange is everything one cycle does to one user: at most one request
// (a POST, or one PATCH carrying every changed attribute and the active flag).
type userChange struct {
	OktaID   string
	TargetID string
	// Name is the userName shown in reports (the new one for a rename).
	Name string

	// Create makes the change a POST; its body is built from want when sent
	// (body), so a 100k-user initial plan holds no bodies.
	Create bool
	// managerIDs are the target ids of a create's managers, resolved when
	// planned so the body sent is the body planned.
	managerIDs []string
	// Link sets externalId on a user matched by userName.
	Link bool
	// NewUserName renames the user; ViaTemp routes the rename through a
	// temporary name because the new name is held by another renamed user.
	NewUserName string
	ViaTemp     bool
	Attrs       []attrChange
	// SetActive changes the active flag.
	SetActive *bool
	// Reason says why a deactivation happens.
	Reason string
	// scopeBased is set for a deactivation because the user left the scope
	// while its own Okta record is active: it rests on the group reads.
	scopeBased bool

	want *desiredUser
}

// action is the change's main action, for counts and reports.
func (c *userChange) action() Action {
	switch {
	case c.Create:
		return ActionCreate
	case c.SetActive != nil && !*c.SetActive:
		return ActionDeactivate
	case c.SetActive != nil && *c.SetActive:
		return ActionReactivate
	case c.Link:
		return ActionLink
	case c.NewUserName != "":
		return ActionRename
	}
	return ActionUpdate
}

// empty reports whether the change writes nothing.
func (c *userChange) empty() bool {
	return !c.Create && !c.Link && c.NewUserName == "" && len(c.Attrs) == 0 && c.SetActive == nil
}

// confirmation is the result of reading one deactivation candidate's own
// Okta record by id.
type confirmation struct {
	Found  bool
	Status string
	// OutOfScope is set when the record fails spec.scope.
	OutOfScope bool
	Err        error
}

// conflict is a desired user that cannot be written.
type conflict struct {
	Name   string
	Reason string
}

// userPlan is the planned user changes.
type userPlan struct {
	Changes []*userChange
	Held    []HeldChange
	// HoldReasons say why the held changes are held.
	HoldReasons []string
	Conflicts   []conflict
	// Blocked counts scope-based deactivations skipped because the source
	// read was incomplete.
	Blocked int
	// Unconfirmed counts users outside the scope whose own Okta record could
	// not be read, so whether they leave is not known yet.
	Unconfirmed int
	// ManagerWaits are the Okta ids of users whose manager is created in
	// this cycle: their manager is set after the creates.
	ManagerWaits []string
}

// planUsers is a pure function of the configuration, both sides, the
// confirmations of deactivation candidates and the approved held keys.
func planUsers(cfg *Config, want *desired, have *actual, confirmed map[string]confirmation, released map[string]bool) *userPlan {
	p := &userPlan{}
	deactivations, renames := planInScope(cfg, want, have, p)
	for _, c := range planDepartures(cfg, want, have, confirmed, p) {
		deactivations = append(deactivations, c)
		p.Changes = append(p.Changes, c)
	}
	managed, _ := have.counts()
	p.Held, p.HoldReasons = holdUserChanges(cfg, want, managed, deactivations, renames, released)
	markRenameChains(p.Changes, have)
	p.Conflicts = append(p.Conflicts, renameConflicts(p.Changes, have)...)
	tidyUserPlan(p)
	have.dropNameIndex()
	return p
}

// planInScope plans every in-scope user into p and returns the
// deactivations and renames among the changes, for the guards.
func planInScope(cfg *Config, want *desired, have *actual, p *userPlan) (deactivations, renames []*userChange) {
	// Maps are walked in any order and only the (few) changes are sorted at
	// the end: sorting 100k users every cycle would dominate a quiet cycle.
	for _, d := range want.Users {
		c := planUser(cfg, d, want, have, p)
		if c == nil {
			continue
		}
		if c.SetActive != nil && !*c.SetActive {
			deactivations = append(deactivations, c)
		}
		if c.NewUserName != "" {
			renames = append(renames, c)
		}
		if !c.empty() {
			p.Changes = append(p.Changes, c)
		}
	}
	return deactivations, renames
}

// holdUserChanges takes out of the changes the deactivations and renames
// the guards and thresholds hold, and returns them with the reasons.
func holdUserChanges(cfg *Config, want *desired, managed int, deactivations, renames []*userChange, released map[string]bool) ([]HeldChange, []string) {
	var out []HeldChange
	held, reasons := screenDeactivations(cfg, want, managed, deactivations, released)
	for _, c := range held {
		out = append(out, HeldChange{Action: ActionDeactivate, Kind: "User", Name: c.Name, Detail: c.Reason, key: deactivationKey(c)})
		c.SetActive = nil
	}
	if heldRenames := holdOverThreshold(cfg, managed, renames, released, renameKey); len(heldRenames) > 0 {
		reasons = append(reasons, thresholdReason(cfg, "userName changes", len(heldRenames), managed))
		for _, c := range heldRenames {
			out = append(out, HeldChange{Action: ActionRename, Kind: "User", Name: c.Name, Detail: "to " + c.NewUserName, key: renameKey(c)})
			c.NewUserName = ""
		}
	}
	return out, reasons
}

// tidyUserPlan drops the changes left empty by holds and conflicts and
// sorts the rest, so plans compare and report the same way every cycle.
func tidyUserPlan(p *userPlan) {
	p.Changes = slices.DeleteFunc(p.Changes, (*userChange).empty)
	slices.SortFunc(p.Changes, func(a, b *userChange) int {
		return cmp.Or(cmp.Compare(a.OktaID, b.OktaID), cmp.Compare(a.TargetID, b.TargetID))
	})
	slices.SortFunc(p.Conflicts, func(a, b conflict) int { return cmp.Compare(a.Name, b.Name) })
}

// planUser plans one in-scope user: create, link, update, rename,
// reactivate or deactivate (its own record says so). nil means nothing to
// do or nothing allowed; conflicts are recorded on p.
func planUser(cfg *Config, d *desiredUser, want *desired, have *actual, p *userPlan) *userChange {
	if d.Invalid != "" {
		p.Conflicts = append(p.Conflicts, conflict{Name: d.OktaID, Reason: d.Invalid})
		// Its own record still decides the active flag, which needs no
		// attribute: a suspended user is deactivated all the same.
		if t := have.userByOktaID(d.OktaID); t != nil && !d.Active && t.Active && cfg.DeactivateUsers {
			return &userChange{OktaID: d.OktaID, TargetID: t.ID, Name: t.Attrs.UserName, SetActive: ptr(false),
				Reason: "user is " + d.Status + " in Okta"}
		}
		return nil
	}
	t := have.userByOktaID(d.OktaID)
	link := false
	if t == nil {
		if match := have.userByName(d.Attrs.UserName); match != nil {
			if match.managed() {
				p.Conflicts = append(p.Conflicts, conflict{Name: d.Attrs.UserName,
					Reason: "userName is taken by a target user linked to another Okta user"})
				return nil
			}
			if !d.Active {
				// Never take over an unlinked account only to deactivate it.
				return nil
			}
			t, link = match, true
		}
	}
	if t == nil {
		if d.Active && cfg.CreateUsers {
			ids, waits := createManagers(cfg, managers{have, want}, d)
			if waits {
				p.ManagerWaits = append(p.ManagerWaits, d.OktaID)
			}
			return &userChange{OktaID: d.OktaID, Name: d.Attrs.UserName, Create: true, managerIDs: ids, want: d}
		}
		return nil
	}
	if link && !cfg.CreateUsers {
		return nil
	}
	c := &userChange{OktaID: d.OktaID, TargetID: t.ID, Name: t.Attrs.UserName, Link: link, want: d}
	if cfg.UpdateUsers {
		var waits bool
		c.Attrs, waits = attrDiff(cfg, managers{have, want}, d.Attrs, *t.Attrs)
		if waits {
			p.ManagerWaits = append(p.ManagerWaits, d.OktaID)
		}
		// userName is case-insensitive in SCIM: a case-only difference is
		// not worth a rename (and would count toward the threshold).
		if foldName(d.Attrs.UserName) != foldName(t.Attrs.UserName) && !cfg.compiled.createOnly(refUserName) {
			c.NewUserName = d.Attrs.UserName
		}
	}
	switch {
	case d.Active && !t.Active && cfg.CreateUsers:
		c.SetActive = ptr(true)
	case !d.Active && t.Active && cfg.DeactivateUsers:
		c.SetActive, c.Reason = ptr(false), "user is "+d.Status+" in Okta"
	}
	return c
}

// planDepartures deactivates managed, active target users outside the
// scope, only after their own Okta record confirmed it, and never on an
// incomplete read.
func planDepartures(cfg *Config, want *desired, have *actual, confirmed map[string]confirmation, p *userPlan) []*userChange {
	if !cfg.DeactivateUsers {
		return nil
	}
	var out []*userChange
	for _, t := range have.Users {
		if !t.managed() || !t.Active || want.Users[t.ExternalID] != nil {
			continue
		}
		if !want.Complete {
			p.Blocked++
			continue
		}
		conf, ok := confirmed[t.ExternalID]
		if !ok || conf.Err != nil {
			p.Unconfirmed++
			continue
		}
		c := &userChange{OktaID: t.ExternalID, TargetID: t.ID, Name: t.Attrs.UserName, SetActive: ptr(false)}
		switch active, _ := oktaActive(conf.Status); {
		case !conf.Found:
			c.Reason = "deleted in Okta"
		case !active:
			c.Reason = "user is " + conf.Status + " in Okta"
		case conf.OutOfScope:
			// Like a departure from a group: the guards and thresholds apply.
			c.Reason, c.scopeBased = "outside spec.scope", true
		default:
			c.Reason, c.scopeBased = "no longer assigned in Okta", true
		}
		out = append(out, c)
	}
	return out
}

func deactivationKey(c *userChange) string { return "deactivate:" + c.TargetID }
func renameKey(c *userChange) string       { return "rename:" + c.TargetID + ":" + c.NewUserName }

// screenDeactivations returns the deactivations to hold and why: every
// departure that rests on a suspicious group read (guard 1: the group went
// empty or lost too many members), whatever the thresholds allow, and all
// the others when they exceed the thresholds.
func screenDeactivations(cfg *Config, want *desired, managed int, changes []*userChange, released map[string]bool) ([]*userChange, []string) {
	suspects := want.suspects()
	var held, rest []*userChange
	for _, c := range changes {
		if c.scopeBased && len(suspects) > 0 && !released[deactivationKey(c)] {
			c.Reason += "; " + suspects[0]
			held = append(held, c)
			continue
		}
		rest = append(rest, c)
	}
	var reasons []string
	if len(held) > 0 {
		reasons = append(reasons, suspects...)
	}
	if over := holdOverThreshold(cfg, managed, rest, released, deactivationKey); len(over) > 0 {
		held = append(held, over...)
		reasons = append(reasons, thresholdReason(cfg, "deactivations", len(over), managed))
	}
	return held, reasons
}

// holdOverThreshold returns the changes to hold: when the changes not
// released by an approval exceed maxDeactivations or the percentage bound of
// the managed users, all of them are held.
func holdOverThreshold(cfg *Config, managed int, changes []*userChange, released map[string]bool, key func(*userChange) string) []*userChange {
	var pending []*userChange
	for _, c := range changes {
		if !released[key(c)] {
			pending = append(pending, c)
		}
	}
	if len(pending) == 0 || withinThreshold(cfg, len(pending)+cfg.spent, managed) {
		return nil
	}
	return pending
}

// withinThreshold reports whether n changes among managed users may proceed.
func withinThreshold(cfg *Config, n, managed int) bool {
	return n <= cfg.MaxDeactivations && n <= percentAllowance(cfg, managed)
}

// percentAllowance is how many of total may change under the percentage
// bound: at least the floor (unless the percentage is 0), so that in a small
// directory a one- or two-person change is not a "mass" event; the same
// allowance applies to group member removals.
func percentAllowance(cfg *Config, total int) int {
	if cfg.MaxDeactivationPercent <= 0 {
		return 0
	}
	return max(cfg.DeactivationFloor, total*cfg.MaxDeactivationPercent/100)
}

func thresholdReason(cfg *Config, what string, n, total int) string {
	return fmt.Sprintf("%d %s exceed the thresholds (maxDeactivations %d; maxDeactivationPercent %d%% of %d, at least %d)",
		n, what, cfg.MaxDeactivations, cfg.MaxDeactivationPercent, total, cfg.DeactivationFloor)
}

// markRenameChains routes a rename through a temporary name when its new
// userName is currently held by another user that this plan also renames
// (swaps and chains), so every rename converges instead of failing on 409.
func markRenameChains(changes []*userChange, have *actual) {
	renamed := map[string]bool{}
	for _, c := range changes {
		if c.NewUserName != "" {
			renamed[c.TargetID] = true
		}
	}
	for _, c := range changes {
		if c.NewUserName == "" {
			continue
		}
		if holder := have.userByName(c.NewUserName); holder != nil && holder.ID != c.TargetID && renamed[holder.ID] {
			c.ViaTemp = true
		}
	}
}

// renameConflicts reports renames whose new userName belongs to a user that
// keeps it; they are dropped from the plan and retried next cycle.
func renameConflicts(changes []*userChange, have *actual) []conflict {
	renamed := map[string]bool{}
	for _, c := range changes {
		if c.NewUserName != "" {
			renamed[c.TargetID] = true
		}
	}
	var out []conflict
	for _, c := range changes {
		if c.NewUserName == "" {
			continue
		}
		holder := have.userByName(c.NewUserName)
		if holder == nil || holder.ID == c.TargetID || renamed[holder.ID] {
			continue
		}
		out = append(out, conflict{Name: c.NewUserName, Reason: "userName is taken by another target user"})
		c.NewUserName = ""
	}
	return out
}

func ptr[T any](v T) *T { return &v }

package provisioning

import (
	"cmp"
	"slices"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// userChange is everything one cycle does to one user: at most one request
// (a POST, or one PATCH carrying every changed attribute and the active flag).
type userChange struct {
	OktaID   string
	TargetID string
	// Name is the userName shown in reports (the new one for a rename).
	Name string

	// Create is the body of a POST; nil for a PATCH.
	Create *scim.User
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

	want *desiredUser
}

// action is the change's main action, for counts and reports.
func (c *userChange) action() Action {
	switch {
	case c.Create != nil:
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
	return c.Create == nil && !c.Link && c.NewUserName == "" && len(c.Attrs) == 0 && c.SetActive == nil
}

// confirmation is the result of reading one deactivation candidate's own
// Okta record by id.
type confirmation struct {
	Found  bool
	Status string
	Err    error
}

// conflict is a desired user that cannot be written.
type conflict struct {
	Name   string
	Reason string
}

// userPlan is the planned user changes.
type userPlan struct {
	Changes   []*userChange
	Held      []HeldChange
	Conflicts []conflict
	// Blocked counts scope-based deactivations skipped because the source
	// read was incomplete.
	Blocked int
}

// planUsers is a pure function of the configuration, both sides, the
// confirmations of deactivation candidates and the approved held keys.
func planUsers(cfg *Config, want *desired, have *actual, confirmed map[string]confirmation, released map[string]bool) *userPlan {
	p := &userPlan{}
	var deactivations, renames []*userChange

	// Maps are walked in any order and only the (few) changes are sorted at
	// the end: sorting 100k users every cycle would dominate a quiet cycle.
	for _, d := range want.Users {
		if d.Invalid != "" {
			p.Conflicts = append(p.Conflicts, conflict{Name: d.OktaID, Reason: d.Invalid})
			continue
		}
		t := have.byExternal[d.OktaID]
		link := false
		if t == nil {
			if match := have.byUserName[foldName(d.Attrs.UserName)]; match != nil {
				if match.managed() {
					p.Conflicts = append(p.Conflicts, conflict{Name: d.Attrs.UserName,
						Reason: "userName is taken by a target user linked to another Okta user"})
					continue
				}
				if !d.Active {
					// Never take over an unlinked account only to deactivate it.
					continue
				}
				t, link = match, true
			}
		}
		if t == nil {
			if d.Active && cfg.CreateUsers {
				u := toSCIM(cfg, d)
				p.Changes = append(p.Changes, &userChange{OktaID: d.OktaID, Name: d.Attrs.UserName, Create: &u, want: d})
			}
			continue
		}
		c := &userChange{OktaID: d.OktaID, TargetID: t.ID, Name: t.Attrs.UserName, Link: link && cfg.CreateUsers, want: d}
		if link && !cfg.CreateUsers {
			continue
		}
		if cfg.UpdateUsers {
			c.Attrs = attrDiff(cfg, d.Attrs, t.Attrs)
			// userName is case-insensitive in SCIM: a case-only difference is
			// not worth a rename (and would count toward the threshold).
			if foldName(d.Attrs.UserName) != foldName(t.Attrs.UserName) {
				c.NewUserName = d.Attrs.UserName
			}
		}
		switch {
		case d.Active && !t.Active && cfg.CreateUsers:
			c.SetActive = ptr(true)
		case !d.Active && t.Active && cfg.DeactivateUsers:
			c.SetActive, c.Reason = ptr(false), "user is "+d.Status+" in Okta"
			deactivations = append(deactivations, c)
		}
		if c.NewUserName != "" {
			renames = append(renames, c)
		}
		if !c.empty() {
			p.Changes = append(p.Changes, c)
		}
	}

	// Managed, active target users outside the scope leave it only after
	// their own Okta record confirmed it, and never on an incomplete read.
	if cfg.DeactivateUsers {
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
				continue
			}
			reason := "no longer assigned in Okta"
			if !conf.Found {
				reason = "deleted in Okta"
			} else if active, _ := oktaActive(conf.Status); !active {
				reason = "user is " + conf.Status + " in Okta"
			}
			c := &userChange{OktaID: t.ExternalID, TargetID: t.ID, Name: t.Attrs.UserName, SetActive: ptr(false), Reason: reason}
			deactivations = append(deactivations, c)
			p.Changes = append(p.Changes, c)
		}
	}

	managed, _ := have.counts()
	held := holdOverThreshold(cfg, managed, deactivations, released, deactivationKey)
	heldRenames := holdOverThreshold(cfg, managed, renames, released, renameKey)
	for _, c := range held {
		p.Held = append(p.Held, HeldChange{Action: ActionDeactivate, Kind: "User", Name: c.Name, Detail: c.Reason, key: deactivationKey(c)})
		c.SetActive = nil
	}
	for _, c := range heldRenames {
		p.Held = append(p.Held, HeldChange{Action: ActionRename, Kind: "User", Name: c.Name, Detail: "to " + c.NewUserName, key: renameKey(c)})
		c.NewUserName = ""
	}
	markRenameChains(p.Changes, have)
	p.Conflicts = append(p.Conflicts, renameConflicts(p.Changes, have)...)
	p.Changes = slices.DeleteFunc(p.Changes, (*userChange).empty)
	slices.SortFunc(p.Changes, func(a, b *userChange) int {
		return cmp.Or(cmp.Compare(a.OktaID, b.OktaID), cmp.Compare(a.TargetID, b.TargetID))
	})
	slices.SortFunc(p.Conflicts, func(a, b conflict) int { return cmp.Compare(a.Name, b.Name) })
	return p
}

func deactivationKey(c *userChange) string { return "deactivate:" + c.TargetID }
func renameKey(c *userChange) string       { return "rename:" + c.TargetID + ":" + c.NewUserName }

// holdOverThreshold returns the changes to hold: when the changes not
// released by an approval exceed maxDeactivations or maxDeactivationPercent
// of the managed users, all of them are held.
func holdOverThreshold(cfg *Config, managed int, changes []*userChange, released map[string]bool, key func(*userChange) string) []*userChange {
	var pending []*userChange
	for _, c := range changes {
		if !released[key(c)] {
			pending = append(pending, c)
		}
	}
	if len(pending) == 0 || withinThreshold(cfg, len(pending), managed) {
		return nil
	}
	return pending
}

// withinThreshold reports whether n changes among managed users may proceed.
// The percentage allows at least one change per cycle (unless it is 0), so
// that in a small directory a single departure is not a "mass" event; the
// same allowance applies to group member removals.
func withinThreshold(cfg *Config, n, managed int) bool {
	return n <= cfg.MaxDeactivations && n <= percentAllowance(cfg.MaxDeactivationPercent, managed)
}

// percentAllowance is how many of total may change under percent.
func percentAllowance(percent, total int) int {
	if percent <= 0 {
		return 0
	}
	return max(1, total*percent/100)
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
		if holder := have.byUserName[foldName(c.NewUserName)]; holder != nil && holder.ID != c.TargetID && renamed[holder.ID] {
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
		holder := have.byUserName[foldName(c.NewUserName)]
		if holder == nil || holder.ID == c.TargetID || renamed[holder.ID] {
			continue
		}
		out = append(out, conflict{Name: c.NewUserName, Reason: "userName is taken by another target user"})
		c.NewUserName = ""
	}
	return out
}

func ptr[T any](v T) *T { return &v }

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
	"context"
	"errors"
	"fmt"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// userKey identifies a user for the retry backoff.
func userKey(c *userChange) string {
	if c.OktaID != "" {
		return "user:" + c.OktaID
	}
	return "user:target:" + c.TargetID
}

// applyUsers runs the user changes in three steps: renames routed through a
// temporary name first, then every other change, then those renames' final
// names, so swaps and chains of userNames converge.
func (a *applier) applyUsers(ctx context.Context, changes []*userChange) {
	var viaTemp, rest []*userChange
	for _, c := range changes {
		if c.ViaTemp {
			viaTemp = append(viaTemp, c)
		} else {
			rest = append(rest, c)
		}
	}
	// The caller's slice goes too: what is applied can be collected while
	// the rest is written.
	clear(changes)
	n := a.e.opts.WriteConcurrency
	each(ctx, n, viaTemp, a.renameToTemp)
	eachOnce(ctx, n, rest, a.applyUser)
	each(ctx, n, viaTemp, a.applyUser)
}

// tempUserName is unique per target user and keeps the old name readable.
func tempUserName(c *userChange, old string) string {
	return fmt.Sprintf("%s.rename-%s", old, c.TargetID)
}

func (a *applier) renameToTemp(ctx context.Context, c *userChange) {
	a.mu.Lock()
	t := a.have.Users[c.TargetID]
	a.mu.Unlock()
	if t == nil {
		return
	}
	temp := tempUserName(c, t.Attrs.UserName)
	var err error
	if !a.dryRun {
		err = a.e.dst.PatchUser(ctx, c.TargetID, scim.ReplaceOp("userName", temp))
	}
	a.finishTemp(c, temp, err)
}

// finishTemp records the outcome of a rename to the temporary name.
func (a *applier) finishTemp(c *userChange, temp string, err error) {
	if err != nil {
		a.fail(userKey(c), "User", c.Name, ActionRename, err)
		a.mu.Lock()
		a.renamesFailed++
		a.mu.Unlock()
		c.NewUserName = "" // the final step must not run either
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if t := a.have.Users[c.TargetID]; t != nil {
		moved := *t
		moved.editAttrs(func(a *userAttrs) { a.UserName = temp })
		a.have.putUser(&moved)
	}
}

func (a *applier) applyUser(ctx context.Context, c *userChange) {
	if c.Create {
		a.createUser(ctx, c)
		return
	}
	ops := userPatch(c)
	if len(ops) == 0 {
		return
	}
	var err error
	if !a.dryRun {
		err = a.e.dst.PatchUser(ctx, c.TargetID, ops...)
	}
	a.finishPatch(c, err)
}

// userPatch is the PATCH of a change that is not a create; none when the
// final step of a rename through a temporary name has nothing left to do.
func userPatch(c *userChange) []scim.PatchOp {
	if c.ViaTemp && c.NewUserName == "" && len(c.Attrs) == 0 && c.SetActive == nil && !c.Link {
		return nil
	}
	return patchOps(c)
}

// finishPatch records the outcome of a user PATCH.
func (a *applier) finishPatch(c *userChange, err error) {
	if err != nil {
		if errors.Is(err, scim.ErrNotFound) {
			// Deleted in the target: forget it, the next cycle recreates it.
			a.mu.Lock()
			if t := a.have.Users[c.TargetID]; t != nil {
				a.have.removeUser(t)
			}
			a.mu.Unlock()
		}
		a.fail(userKey(c), "User", c.Name, c.action(), err)
		return
	}
	a.mu.Lock()
	if t := a.have.Users[c.TargetID]; t != nil {
		next := *t
		applyToTarget(&next, c, a.cfg.compiled.extras())
		a.have.putUser(&next)
	}
	a.mu.Unlock()
	a.ok(userKey(c), func(n *Counts) { countUserChange(n, c) })
}

// patchOps builds the one PATCH of a change: attribute replaces by path, and
// the active flag in the path-less form Okta's engine sends.
func patchOps(c *userChange) []scim.PatchOp {
	var ops []scim.PatchOp
	if c.Link {
		ops = append(ops, scim.ReplaceOp("externalId", c.OktaID))
	}
	if c.NewUserName != "" {
		ops = append(ops, scim.ReplaceOp("userName", c.NewUserName))
	}
	for _, ch := range c.Attrs {
		if ch.Remove {
			ops = append(ops, scim.RemoveOp(ch.Path))
		} else {
			ops = append(ops, scim.ReplaceOp(ch.Path, ch.Value))
		}
	}
	if c.SetActive != nil {
		ops = append(ops, scim.ReplaceValuesOp(map[string]any{"active": *c.SetActive}))
	}
	return ops
}

// applyToTarget mirrors a successful change into the target view; extras
// is the number of Extra attributes the configuration maps.
func applyToTarget(t *targetUser, c *userChange, extras int) {
	if c.Link {
		t.ExternalID = c.OktaID
	}
	if c.NewUserName != "" || len(c.Attrs) > 0 {
		t.editAttrs(func(a *userAttrs) {
			if c.NewUserName != "" {
				a.UserName = c.NewUserName
			}
			for _, ch := range c.Attrs {
				a.set(ch.ref, ch.stored, extras)
			}
		})
	}
	for _, ch := range c.Attrs {
		if ch.ref == refNativeObjectID {
			t.HasCisco = true
		}
	}
	if c.SetActive != nil {
		t.Active = *c.SetActive
	}
}

func countUserChange(n *Counts, c *userChange) {
	switch c.action() {
	case ActionCreate:
		n.Created++
	case ActionDeactivate:
		n.Deactivated++
	case ActionReactivate:
		n.Reactivated++
	default:
		n.Updated++
	}
	if c.SetActive != nil && (c.Link || c.NewUserName != "" || len(c.Attrs) > 0) {
		n.Updated++
	}
}

// createUser POSTs a new user. A 409 means a user with that userName exists
// (created by someone else, or by a create whose answer was lost): an
// unlinked one is linked, one linked to this Okta user is adopted, and one
// linked to another Okta user is a conflict. No path leaves an orphan that
// the next cycle cannot find by externalId or userName.
func (a *applier) createUser(ctx context.Context, c *userChange) {
	if a.dryRun {
		a.mu.Lock()
		t := fromSCIM(a.cfg, c.body(a.cfg))
		t.ID = "new:" + c.OktaID
		a.have.putUser(t)
		a.mu.Unlock()
		a.ok(userKey(c), func(n *Counts) { n.Created++ })
		return
	}
	created, err := a.e.dst.CreateUser(ctx, c.body(a.cfg))
	a.finishCreate(ctx, c, created, err)
}

// finishCreate records the outcome of a user POST.
func (a *applier) finishCreate(ctx context.Context, c *userChange, created scim.User, err error) {
	if errors.Is(err, scim.ErrConflict) {
		a.resolveCreateConflict(ctx, c, err)
		return
	}
	if err != nil {
		a.fail(userKey(c), "User", c.Name, ActionCreate, err)
		return
	}
	t := fromSCIM(a.cfg, created)
	if t.ExternalID == "" {
		t.ExternalID = c.OktaID
	}
	t.shareAttrs(c.want)
	a.mu.Lock()
	a.have.putUser(t)
	a.mu.Unlock()
	a.ok(userKey(c), func(n *Counts) { n.Created++ })
}

func (a *applier) resolveCreateConflict(ctx context.Context, c *userChange, createErr error) {
	existing, err := a.e.dst.FindUserByUserName(ctx, c.Name)
	if err != nil {
		a.fail(userKey(c), "User", c.Name, ActionCreate, fmt.Errorf("%w; looking up the existing user: %w", createErr, err))
		return
	}
	t := fromSCIM(a.cfg, existing)
	switch t.ExternalID {
	case c.OktaID:
		a.mu.Lock()
		a.have.putUser(t)
		a.mu.Unlock()
		// Adopted: converge its attributes through a normal update.
		link := &userChange{OktaID: c.OktaID, TargetID: t.ID, Name: c.Name, want: c.want,
			Attrs: a.diff(c.want, t)}
		if !t.Active {
			link.SetActive = ptr(true)
		}
		a.applyUser(ctx, link)
		a.mu.Lock()
		a.counts.Created++
		a.mu.Unlock()
	case "":
		a.mu.Lock()
		a.have.putUser(t)
		a.mu.Unlock()
		link := &userChange{OktaID: c.OktaID, TargetID: t.ID, Name: c.Name, want: c.want, Link: true,
			Attrs: a.diff(c.want, t)}
		if !t.Active {
			link.SetActive = ptr(true)
		}
		a.applyUser(ctx, link)
	default:
		a.fail(userKey(c), "User", c.Name, ActionCreate,
			fmt.Errorf("userName %q is taken by a target user linked to another Okta user", c.Name))
	}
}

// diff is the attribute changes that converge an adopted or linked user.
// The target owns attributes mapped with applyOn Create, so they are kept.
func (a *applier) diff(d *desiredUser, t *targetUser) []attrChange {
	a.mu.Lock()
	defer a.mu.Unlock()
	out, _ := attrDiff(a.cfg, managers{a.have, a.want}, d.Attrs, *t.Attrs)
	return out
}

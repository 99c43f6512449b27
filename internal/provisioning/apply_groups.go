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

// groupRetryKey identifies a ProvisionedGroup for the retry backoff.
func groupRetryKey(key string) string { return "group:" + key }

func groupKey(c *groupChange) string { return groupRetryKey(c.Key) }

// applyGroups runs the group changes: deletes, creates (with their first
// members in the POST), renames and membership deltas in batches. They are
// writes, so the write bound applies, as for users.
func (a *applier) applyGroups(ctx context.Context, changes []*groupChange) {
	each(ctx, a.e.opts.WriteConcurrency, changes, a.applyGroup)
}

func (a *applier) applyGroup(ctx context.Context, c *groupChange) {
	switch {
	case c.Delete:
		a.deleteGroup(ctx, c)
	case c.Create:
		a.createGroup(ctx, c)
	default:
		a.updateGroup(ctx, c)
	}
}

func (a *applier) deleteGroup(ctx context.Context, c *groupChange) {
	var err error
	if !a.dryRun {
		err = a.e.dst.DeleteGroup(ctx, c.TargetID)
	}
	a.finishDelete(c, err)
}

// finishDelete records the outcome of a group DELETE; 404 means it is gone.
func (a *applier) finishDelete(c *groupChange, err error) {
	if err != nil && !errors.Is(err, scim.ErrNotFound) {
		a.fail(groupKey(c), "Group", c.Name, ActionDeleteGroup, err)
		return
	}
	a.mu.Lock()
	a.have.removeGroup(c.TargetID)
	a.mu.Unlock()
	a.ok(groupKey(c), func(n *Counts) { n.GroupsDeleted++ })
}

func (a *applier) createGroup(ctx context.Context, c *groupChange) {
	if a.dryRun {
		a.finishCreateGroup(ctx, c, scim.Group{ID: "new:" + c.Key}, nil)
		return
	}
	g := scim.Group{DisplayName: c.Name, ExternalID: c.ExternalID}
	ids := a.names(c.Add)
	// Sized once: "All Staff" of a large directory is one body per group.
	if len(ids) > 0 {
		g.Members = make([]scim.Member, len(ids))
	}
	for i, id := range ids {
		g.Members[i] = scim.Member{Value: id}
	}
	created, err := a.e.dst.CreateGroup(ctx, g)
	a.finishCreateGroup(ctx, c, created, err)
}

// finishCreateGroup records the outcome of a group create: created carries
// the new id, err a failure of the POST or of a later member batch.
func (a *applier) finishCreateGroup(ctx context.Context, c *groupChange, created scim.Group, err error) {
	tg := &targetGroup{ExternalID: c.ExternalID, DisplayName: c.Name, Members: newRefSet(c.Add)}
	if errors.Is(err, scim.ErrConflict) {
		a.adoptGroup(ctx, c, err)
		return
	}
	if created.ID == "" {
		if err == nil {
			err = errors.New("created group has no id")
		}
		a.fail(groupKey(c), "Group", c.Name, ActionCreateGroup, err)
		return
	}
	tg.ID = created.ID
	if err != nil {
		// Created, but a later member batch failed: membership is
		// unknown, the next full cycle reads and repairs it.
		tg.Members = nil
		a.mu.Lock()
		a.have.putGroup(tg)
		a.mu.Unlock()
		a.fail(groupKey(c), "Group", c.Name, ActionAddMembers, err)
		return
	}
	c.TargetID = tg.ID
	a.mu.Lock()
	a.have.putGroup(tg)
	a.mu.Unlock()
	a.ok(groupKey(c), func(n *Counts) {
		n.GroupsCreated++
		n.MembersAdded += len(c.Add)
	})
}

// adoptGroup resolves a create answered 409: the group exists, typically
// because an earlier create's answer was lost. It is found by displayName
// and adopted when it carries this group's externalId or none, and the
// members the create would have added are added to it.
func (a *applier) adoptGroup(ctx context.Context, c *groupChange, createErr error) {
	fail := func(err error) { a.fail(groupKey(c), "Group", c.Name, ActionCreateGroup, err) }
	found, err := a.e.dst.FindGroupByDisplayName(ctx, c.Name)
	if err != nil {
		fail(fmt.Errorf("%w; looking up the existing group: %w", createErr, err))
		return
	}
	if found.ExternalID != "" && found.ExternalID != c.ExternalID {
		fail(fmt.Errorf("%w; the displayName belongs to a target group of another Okta group", createErr))
		return
	}
	full, err := a.e.dst.GetGroupWithMembers(ctx, found.ID)
	if err != nil {
		fail(fmt.Errorf("%w; reading the existing group: %w", createErr, err))
		return
	}
	tg := &targetGroup{ID: full.ID, ExternalID: full.ExternalID, DisplayName: full.DisplayName, Members: a.refsOf(full.Members)}
	add, _ := diff(c.Add, tg.Members)
	if len(add) > 0 {
		if err := a.e.dst.UpdateMembers(ctx, tg.ID, a.names(add), nil); err != nil {
			tg.Members = nil
			a.mu.Lock()
			a.have.putGroup(tg)
			a.mu.Unlock()
			a.fail(groupKey(c), "Group", c.Name, ActionAddMembers, err)
			return
		}
		tg.Members = tg.Members.with(add, nil)
	}
	c.TargetID = tg.ID
	a.mu.Lock()
	a.have.putGroup(tg)
	a.mu.Unlock()
	a.ok(groupKey(c), func(n *Counts) {
		n.GroupsCreated++
		n.MembersAdded += len(add)
	})
}

func (a *applier) updateGroup(ctx context.Context, c *groupChange) {
	if c.Rename {
		var err error
		if !a.dryRun {
			err = a.e.dst.RenameGroup(ctx, c.TargetID, c.Name)
		}
		if !a.finishRename(c, err) {
			return
		}
	}
	if len(c.Add) == 0 && len(c.Remove) == 0 {
		return
	}
	var err error
	if !a.dryRun {
		err = a.e.dst.UpdateMembers(ctx, c.TargetID, a.names(c.Add), a.names(c.Remove))
	}
	a.finishMembers(c, err)
}

// finishRename records the outcome of a group rename and reports success.
func (a *applier) finishRename(c *groupChange, err error) bool {
	if err != nil {
		a.fail(groupKey(c), "Group", c.Name, ActionRenameGroup, err)
		return false
	}
	a.mu.Lock()
	if tg := a.have.Groups[c.TargetID]; tg != nil {
		a.have.renameGroup(tg, c.Name)
	}
	a.mu.Unlock()
	a.ok(groupKey(c), func(n *Counts) { n.GroupsRenamed++ })
	return true
}

// finishMembers records the outcome of a membership delta.
func (a *applier) finishMembers(c *groupChange, err error) {
	if err != nil {
		// Some batches may have landed: membership is unknown until re-read.
		a.mu.Lock()
		if tg := a.have.Groups[c.TargetID]; tg != nil {
			tg.Members = nil
		}
		a.mu.Unlock()
		a.fail(groupKey(c), "Group", c.Name, ActionAddMembers, err)
		return
	}
	a.mu.Lock()
	if tg := a.have.Groups[c.TargetID]; tg != nil && tg.Members != nil {
		tg.Members = tg.Members.with(c.Add, c.Remove)
	}
	a.mu.Unlock()
	a.ok(groupKey(c), func(n *Counts) {
		n.MembersAdded += len(c.Add)
		n.MembersRemoved += len(c.Remove)
	})
}

// names returns the target ids of member refs, for a request.
func (a *applier) names(refs refSet) []string {
	if len(refs) == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.have.ids.namesOf(refs)
}

// refsOf interns the members of a group as read.
func (a *applier) refsOf(members []scim.Member) refSet {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.Value
	}
	return a.refsFor(ids)
}

// refsFor interns target user ids.
func (a *applier) refsFor(ids []string) refSet {
	a.mu.Lock()
	defer a.mu.Unlock()
	refs := make([]userRef, len(ids))
	for i, id := range ids {
		refs[i] = a.have.ids.ref(id)
	}
	return newRefSet(refs)
}

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
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// membersPerOp bounds the member changes of one group operation, like the
// client's MembersPerPatch: a Bulk operation fails or succeeds like the
// single PATCH it replaces.
const membersPerOp = 100

// The items below turn planned changes into Bulk operations. Each records
// its outcome with the applier's finish* functions, exactly as the single
// requests do.

// tempItems renames users to their temporary names (renames through a
// temporary name, first step).
func (a *applier) tempItems(changes []*userChange) []*bulkItem {
	var items []*bulkItem
	for _, c := range changes {
		a.mu.Lock()
		t := a.have.Users[c.TargetID]
		a.mu.Unlock()
		if t == nil {
			continue
		}
		temp := tempUserName(c, t.Attrs.UserName)
		op := scim.BulkOperation{Kind: "users.patch", Method: http.MethodPatch, Path: scim.UserPath(c.TargetID),
			Data: scim.PatchData(scim.ReplaceOp("userName", temp))}
		items = append(items, &bulkItem{
			render: func(func(string) (string, bool)) (scim.BulkOperation, bool) { return op, true },
			finish: func(_ context.Context, res scim.BulkResult) string { a.finishTemp(c, temp, res.Err); return "" },
		})
	}
	return items
}

// userItems are the creates and PATCHes of changes. With pending, each
// create also enters the view under its placeholder, so the group plan can
// name it before it exists.
func (a *applier) userItems(changes []*userChange, pending bool) []*bulkItem {
	var items []*bulkItem
	for _, c := range changes {
		if c.Create {
			items = append(items, a.createItem(c, pending))
			continue
		}
		ops := userPatch(c)
		if len(ops) == 0 {
			continue
		}
		op := scim.BulkOperation{Kind: "users.patch", Method: http.MethodPatch, Path: scim.UserPath(c.TargetID), Data: scim.PatchData(ops...)}
		items = append(items, &bulkItem{
			render: func(func(string) (string, bool)) (scim.BulkOperation, bool) { return op, true },
			finish: func(_ context.Context, res scim.BulkResult) string { a.finishPatch(c, res.Err); return "" },
		})
	}
	return items
}

func (a *applier) createItem(c *userChange, pending bool) *bulkItem {
	bulkID := "u-" + c.OktaID
	ph := placeholderPrefix + bulkID
	if pending {
		t := fromSCIM(a.cfg, c.body(a.cfg))
		t.ID, t.ExternalID, t.Active = ph, c.OktaID, true
		a.mu.Lock()
		a.have.putUser(t)
		a.placeholders = append(a.placeholders, ph)
		a.mu.Unlock()
	}
	return &bulkItem{bulkID: bulkID, produces: ph,
		// The body is built when the request is, not for every item up front.
		render: func(func(string) (string, bool)) (scim.BulkOperation, bool) {
			return scim.BulkOperation{Kind: "users.create", Method: http.MethodPost, Path: "/Users", Data: c.body(a.cfg)}, true
		},
		finish: func(ctx context.Context, res scim.BulkResult) string {
			a.dropPlaceholder(ph)
			created, err := createdUser(c.body(a.cfg), res)
			a.finishCreate(ctx, c, created, err)
			return a.provisionedID(c.OktaID)
		},
	}
}

// createdUser is the user a create's answer describes: the resource when
// the server sent it, else what was sent with the id from the location.
func createdUser(sent scim.User, res scim.BulkResult) (scim.User, error) {
	if res.Err != nil {
		return scim.User{}, res.Err
	}
	var u scim.User
	if len(res.Response) > 0 && json.Unmarshal(res.Response, &u) == nil && u.ID != "" {
		return u, nil
	}
	sent.ID = res.ResourceID()
	if sent.ID == "" {
		return scim.User{}, fmt.Errorf("scim users.create: %w: created user has no id", scim.ErrInvalidResponse)
	}
	return sent, nil
}

// provisionedID is the target id of an Okta user now managed and active in
// the target ("" if none), what group members name.
func (a *applier) provisionedID(oktaID string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t := a.have.userByOktaID(oktaID); t != nil && t.Active && !isPlaceholder(t.ID) {
		return t.ID
	}
	return ""
}

// dropPlaceholder takes a pending create out of the view; its outcome puts
// the real user there.
func (a *applier) dropPlaceholder(ph string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t := a.have.Users[ph]; t != nil {
		a.have.removeUser(t)
	}
}

// dropPlaceholders removes every pending create left in the view (the
// cycle ended before it was answered).
func (a *applier) dropPlaceholders() {
	for _, ph := range a.placeholders {
		a.dropPlaceholder(ph)
	}
	a.placeholders = nil
}

// placeholders returns the placeholders among ids.
func placeholders(ids []string) []string {
	var out []string
	for _, id := range ids {
		if isPlaceholder(id) {
			out = append(out, id)
		}
	}
	return out
}

// resolveList maps ids for one operation, leaving out failed creates.
func resolveList(ids []string, resolve func(string) (string, bool)) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !isPlaceholder(id) {
			out = append(out, id)
		} else if v, ok := resolve(id); ok {
			out = append(out, v)
		}
	}
	return out
}

// memberChunk is the member changes of one operation.
type memberChunk struct{ add, remove []string }

// memberChunks splits a delta into chunks of at most membersPerOp
// changes, adds first, as UpdateMembers batches it.
func memberChunks(add, remove []string) []memberChunk {
	var out []memberChunk
	for len(add)+len(remove) > 0 {
		var ch memberChunk
		k := min(membersPerOp, len(add))
		ch.add, add = add[:k], add[k:]
		k = min(membersPerOp-len(ch.add), len(remove))
		ch.remove, remove = remove[:k], remove[k:]
		out = append(out, ch)
	}
	return out
}

// groupWrite records one group change once all its operations answered.
type groupWrite struct {
	a *applier
	w *bulkWriter
	c *groupChange

	mu        sync.Mutex
	left      int
	created   scim.Group
	createErr error
	err       error
}

func (g *groupWrite) done(ctx context.Context, res scim.BulkResult, create bool) {
	g.mu.Lock()
	switch {
	case create && res.Err != nil:
		g.createErr = res.Err
	case create:
		g.created.ID = res.ResourceID()
	case res.Err != nil && g.err == nil:
		g.err = res.Err
	}
	g.left--
	last := g.left == 0
	g.mu.Unlock()
	if !last {
		return
	}
	c := g.c
	c.Add = g.a.refsFor(g.w.resolveAll(g.a.names(c.Add)))
	if !c.Create {
		g.a.finishMembers(c, g.err)
		return
	}
	err := g.createErr
	if err == nil {
		err = g.err
	}
	g.a.finishCreateGroup(ctx, c, g.created, err)
}

// groupItems are the operations of group changes: deletes, renames and
// membership deltas of existing groups first, then creates and the
// members that did not fit in their POST.
func (a *applier) groupItems(w *bulkWriter, changes []*groupChange) []*bulkItem {
	var items, later []*bulkItem
	for _, c := range changes {
		switch {
		case c.Delete:
			op := scim.BulkOperation{Kind: "groups.delete", Method: http.MethodDelete, Path: scim.GroupPath(c.TargetID)}
			items = append(items, &bulkItem{
				render: func(func(string) (string, bool)) (scim.BulkOperation, bool) { return op, true },
				finish: func(_ context.Context, res scim.BulkResult) string { a.finishDelete(c, res.Err); return "" },
			})
		case c.Create:
			later = append(later, a.createGroupItems(w, c)...)
		default:
			items = append(items, a.updateGroupItems(w, c)...)
		}
	}
	return append(items, later...)
}

func (a *applier) createGroupItems(w *bulkWriter, c *groupChange) []*bulkItem {
	chunks := memberChunks(a.names(c.Add), nil)
	var first memberChunk
	if len(chunks) > 0 {
		first, chunks = chunks[0], chunks[1:]
	}
	gw := &groupWrite{a: a, w: w, c: c, left: 1 + len(chunks)}
	bulkID := "g-" + c.ExternalID
	ph := placeholderPrefix + bulkID
	items := []*bulkItem{{bulkID: bulkID, produces: ph, refs: placeholders(first.add),
		render: func(resolve func(string) (string, bool)) (scim.BulkOperation, bool) {
			g := scim.Group{DisplayName: c.Name, ExternalID: c.ExternalID, Members: []scim.Member{}}
			for _, id := range resolveList(first.add, resolve) {
				g.Members = append(g.Members, scim.Member{Value: id})
			}
			return scim.BulkOperation{Kind: "groups.create", Method: http.MethodPost, Path: "/Groups", Data: g}, true
		},
		finish: func(ctx context.Context, res scim.BulkResult) string {
			gw.done(ctx, res, true)
			if res.Err != nil {
				return ""
			}
			return res.ResourceID()
		},
	}}
	for _, ch := range chunks {
		items = append(items, memberItem(gw, ch, ph))
	}
	return items
}

func (a *applier) updateGroupItems(w *bulkWriter, c *groupChange) []*bulkItem {
	var items []*bulkItem
	if c.Rename {
		op := scim.BulkOperation{Kind: "groups.rename", Method: http.MethodPatch, Path: scim.GroupPath(c.TargetID),
			Data: scim.PatchData(scim.ReplaceValuesOp(map[string]any{"displayName": c.Name}))}
		items = append(items, &bulkItem{
			render: func(func(string) (string, bool)) (scim.BulkOperation, bool) { return op, true },
			finish: func(_ context.Context, res scim.BulkResult) string { a.finishRename(c, res.Err); return "" },
		})
	}
	chunks := memberChunks(a.names(c.Add), a.names(c.Remove))
	gw := &groupWrite{a: a, w: w, c: c, left: len(chunks)}
	for _, ch := range chunks {
		items = append(items, memberItem(gw, ch, ""))
	}
	return items
}

// memberItem is one membership PATCH of gw's group: the group's id, or
// the placeholder of its create (group).
func memberItem(gw *groupWrite, ch memberChunk, group string) *bulkItem {
	removes, buildErr := scim.MemberOps(nil, ch.remove)
	it := &bulkItem{refs: placeholders(ch.add),
		render: func(resolve func(string) (string, bool)) (scim.BulkOperation, bool) {
			id := gw.c.TargetID
			if group != "" {
				id, _ = resolve(group)
			}
			adds := resolveList(ch.add, resolve)
			if buildErr != nil || len(adds)+len(removes) == 0 {
				return scim.BulkOperation{}, false
			}
			ops := removes
			if len(adds) > 0 {
				ops = append([]scim.PatchOp{scim.AddOp("members", memberValues(adds))}, removes...)
			}
			return scim.BulkOperation{Kind: "groups.patch_members", Method: http.MethodPatch, Path: scim.GroupPath(id), Data: scim.PatchData(ops...)}, true
		},
		finish: func(ctx context.Context, res scim.BulkResult) string {
			if buildErr != nil {
				res = scim.BulkResult{Err: buildErr}
			}
			gw.done(ctx, res, false)
			return ""
		},
	}
	if group != "" {
		it.needs = []string{group}
	}
	return it
}

func memberValues(ids []string) []scim.Member {
	out := make([]scim.Member, len(ids))
	for i, id := range ids {
		out[i] = scim.Member{Value: id}
	}
	return out
}

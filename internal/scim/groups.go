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

package scim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
)

func groupPath(id string) string { return "/Groups/" + url.PathEscape(id) }

func groupID(g Group) string { return g.ID }

// GetGroup reads a group's metadata with excludedAttributes=members. Members
// are dropped even from servers that ignore the exclusion.
func (c *Client) GetGroup(ctx context.Context, id string) (Group, error) {
	return c.getGroup(ctx, "groups.get", id, false)
}

// GetGroupWithMembers reads a group with its full member list, streamed and
// capped at Options.MaxGroupBytes.
func (c *Client) GetGroupWithMembers(ctx context.Context, id string) (Group, error) {
	return c.getGroup(ctx, "groups.get_members", id, true)
}

func (c *Client) getGroup(ctx context.Context, op, id string, withMembers bool) (Group, error) {
	var g Group
	cl := &call{op: op, method: http.MethodGet, path: groupPath(id), limit: c.opts.MaxGroupBytes,
		decode: func(r io.Reader) (err error) {
			g, err = decodeGroup(r, withMembers)
			return err
		}}
	if !withMembers {
		cl.query = encodeQuery(url.Values{"excludedAttributes": {"members"}})
	}
	err := c.do(ctx, cl)
	return g, err
}

// ListGroups streams groups across pages, without members unless
// opts.IncludeMembers is set.
func (c *Client) ListGroups(ctx context.Context, opts ListOptions) iter.Seq2[Group, error] {
	if !opts.IncludeMembers && len(opts.Attributes) == 0 && len(opts.ExcludedAttributes) == 0 {
		opts.ExcludedAttributes = []string{"members"}
	}
	return list(ctx, c, "groups.list", "/Groups", opts, groupID)
}

// FindGroupByDisplayName looks a group up with `displayName eq "…"`,
// without members. ErrNotFound if none.
func (c *Client) FindGroupByDisplayName(ctx context.Context, displayName string) (Group, error) {
	f, err := eqFilter("displayName", displayName)
	if err != nil {
		return Group{}, err
	}
	return findOne[Group](ctx, c, "groups.find", "/Groups", f, ListOptions{ExcludedAttributes: []string{"members"}})
}

// CreateGroup POSTs a group. At most MembersPerPatch members go in the
// POST; the rest follow as PATCH batches. Before a create is retried after
// an answer that may hide a success, the group is looked up by displayName
// so a retry never makes a second group; such a found group is returned
// as is. When a later batch fails the created group is returned with the
// error.
func (c *Client) CreateGroup(ctx context.Context, g Group) (Group, error) {
	g.ID = ""
	members := g.Members
	rest := []Member(nil)
	if n := c.opts.MembersPerPatch; len(members) > n {
		members, rest = members[:n], members[n:]
	}
	g.Members = members
	var out Group
	lookup := func(ctx context.Context) (bool, error) {
		found, err := c.FindGroupByDisplayName(ctx, g.DisplayName)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		out = found
		return true, nil
	}
	cl := &call{op: "groups.create", method: http.MethodPost, path: "/Groups", body: g, limit: c.opts.MaxGroupBytes,
		decode: func(r io.Reader) (err error) {
			out, err = decodeGroup(r, false)
			return err
		},
		beforeReplay: lookup}
	if err := c.do(ctx, cl); err != nil {
		if cl.attempts > 1 && errors.Is(err, ErrConflict) {
			if done, lerr := lookup(ctx); lerr == nil && done {
				return out, nil
			}
		}
		return Group{}, err
	}
	if out.ID == "" {
		return Group{}, fmt.Errorf("scim groups.create: %w: created group has no id", ErrInvalidResponse)
	}
	if len(rest) > 0 {
		ids := make([]string, len(rest))
		for i, m := range rest {
			ids[i] = m.Value
		}
		if err := c.UpdateMembers(ctx, out.ID, ids, nil); err != nil {
			return out, err
		}
	}
	return out, nil
}

// RenameGroup replaces the display name with a path-less replace, the form
// Okta sends.
func (c *Client) RenameGroup(ctx context.Context, id, displayName string) error {
	return c.do(ctx, &call{op: "groups.rename", method: http.MethodPatch, path: groupPath(id),
		body: newPatch([]PatchOp{ReplaceValuesOp(map[string]any{"displayName": displayName})})})
}

// UpdateMembers applies a membership delta: `add` on members and `remove`
// with path members[value eq "id"], at most Options.MembersPerPatch changes
// per request. Batches run in order and stop at the first failure; adding a
// present member or removing an absent one is harmless, so a caller can
// retry the whole delta. Each batch is built when it is sent: a delta of
// 100k members never exists as 1,000 request bodies at once.
func (c *Client) UpdateMembers(ctx context.Context, groupID string, add, remove []string) error {
	d, err := newMemberDelta(add, remove, c.opts.MembersPerPatch)
	if err != nil {
		return err
	}
	for i := range d.batches() {
		err := c.do(ctx, &call{op: "groups.patch_members", method: http.MethodPatch, path: groupPath(groupID), body: newPatch(d.batch(i))})
		if err != nil {
			return fmt.Errorf("member batch %d of %d: %w", i+1, d.batches(), err)
		}
	}
	return nil
}

// memberDelta is a membership change cut into PATCH batches of at most n
// member changes each: adds first, then removes, each in the caller's order
// without duplicates.
type memberDelta struct {
	add, remove []string
	n           int
}

// newMemberDelta checks every id up front, so that a bad one fails the
// delta before any batch is sent.
func newMemberDelta(add, remove []string, n int) (*memberDelta, error) {
	if n <= 0 {
		n = 100
	}
	for _, id := range remove {
		if _, err := quoteFilterValue(id); err != nil {
			return nil, fmt.Errorf("scim: member id: %w", err)
		}
	}
	return &memberDelta{add: unique(add), remove: unique(remove), n: n}, nil
}

// unique drops repeated ids, keeping the first of each.
func unique(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

func (d *memberDelta) batches() int { return (len(d.add) + len(d.remove) + d.n - 1) / d.n }

// batch returns the operations of batch i.
func (d *memberDelta) batch(i int) []PatchOp {
	start, end := i*d.n, min((i+1)*d.n, len(d.add)+len(d.remove))
	var ops []PatchOp
	if start < len(d.add) {
		adds := make([]Member, 0, min(end, len(d.add))-start)
		for _, id := range d.add[start:min(end, len(d.add))] {
			adds = append(adds, Member{Value: id})
		}
		ops = append(ops, AddOp("members", adds))
	}
	for k := max(start, len(d.add)); k < end; k++ {
		f, _ := eqFilter("value", d.remove[k-len(d.add)]) // checked by newMemberDelta
		ops = append(ops, RemoveOp("members["+f+"]"))
	}
	return ops
}

// DeleteGroup deletes a group. A 404 after a retried attempt means an
// earlier attempt succeeded and is not an error.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	cl := &call{op: "groups.delete", method: http.MethodDelete, path: groupPath(id)}
	err := c.do(ctx, cl)
	if err != nil && cl.attempts > 1 && errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

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
	f, err := EqFilter("displayName", displayName)
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
// retry the whole delta.
func (c *Client) UpdateMembers(ctx context.Context, groupID string, add, remove []string) error {
	batches, err := memberBatches(add, remove, c.opts.MembersPerPatch)
	if err != nil {
		return err
	}
	for i, ops := range batches {
		err := c.do(ctx, &call{op: "groups.patch_members", method: http.MethodPatch, path: groupPath(groupID), body: newPatch(ops)})
		if err != nil {
			return fmt.Errorf("member batch %d of %d: %w", i+1, len(batches), err)
		}
	}
	return nil
}

// memberBatches splits a delta into PATCH operation lists of at most n
// member changes each; duplicates within add or remove are dropped.
func memberBatches(add, remove []string, n int) ([][]PatchOp, error) {
	if n <= 0 {
		n = 100
	}
	type change struct {
		add bool
		id  string
	}
	var changes []change
	seen := map[change]bool{}
	for _, id := range add {
		if ch := (change{true, id}); !seen[ch] {
			seen[ch] = true
			changes = append(changes, ch)
		}
	}
	for _, id := range remove {
		if ch := (change{false, id}); !seen[ch] {
			seen[ch] = true
			changes = append(changes, ch)
		}
	}
	var batches [][]PatchOp
	for start := 0; start < len(changes); start += n {
		chunk := changes[start:min(start+n, len(changes))]
		var ops []PatchOp
		var adds []Member
		for _, ch := range chunk {
			if ch.add {
				adds = append(adds, Member{Value: ch.id})
				continue
			}
			f, err := EqFilter("value", ch.id)
			if err != nil {
				return nil, fmt.Errorf("scim: member id: %w", err)
			}
			ops = append(ops, RemoveOp("members["+f+"]"))
		}
		if len(adds) > 0 {
			ops = append([]PatchOp{AddOp("members", adds)}, ops...)
		}
		batches = append(batches, ops)
	}
	return batches, nil
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

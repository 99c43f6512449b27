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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
)

// into returns a decoder that resets *dst first, so a retried attempt never
// sees fields left over from a failed one.
func into[T any](dst *T) func(io.Reader) error {
	return func(r io.Reader) error {
		var zero T
		*dst = zero
		return json.NewDecoder(r).Decode(dst)
	}
}

func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

func userID(u User) string { return u.ID }

// GetUser reads one user by its SCIM id.
func (c *Client) GetUser(ctx context.Context, id string) (User, error) {
	var u User
	err := c.do(ctx, &call{op: "users.get", method: http.MethodGet, path: userPath(id), limit: c.opts.MaxResourceBytes, decode: into(&u)})
	return u, err
}

// ListUsers streams all users matching opts across pages.
func (c *Client) ListUsers(ctx context.Context, opts ListOptions) iter.Seq2[User, error] {
	return list(ctx, c, "users.list", "/Users", opts, userID)
}

// FindUserByUserName looks a user up with `userName eq "…"`; servers
// compare userName case-insensitively. ErrNotFound if none.
func (c *Client) FindUserByUserName(ctx context.Context, userName string) (User, error) {
	return c.findUser(ctx, "userName", userName)
}

func (c *Client) findUser(ctx context.Context, attr, value string) (User, error) {
	f, err := eqFilter(attr, value)
	if err != nil {
		return User{}, err
	}
	return findOne[User](ctx, c, "users.find", "/Users", f, ListOptions{})
}

// outgoing applies the client's attribute policy to a user about to be sent.
func (c *Client) outgoing(u User) User {
	if !c.opts.SendEmails {
		u.Emails = nil
	}
	return u
}

// CreateUser POSTs a user and expects the created resource with its id.
// Retries are safe: when a retried create gets 409, an earlier attempt
// (whose answer was lost) or another writer created the user, and the
// existing user, found by userName, is returned. A 409 on the first attempt
// is returned as ErrConflict.
func (c *Client) CreateUser(ctx context.Context, u User) (User, error) {
	u.ID = ""
	var out User
	cl := &call{op: "users.create", method: http.MethodPost, path: "/Users", body: c.outgoing(u), limit: c.opts.MaxResourceBytes, decode: into(&out)}
	if err := c.do(ctx, cl); err != nil {
		if cl.attempts > 1 && errors.Is(err, ErrConflict) {
			if existing, ferr := c.FindUserByUserName(ctx, u.UserName); ferr == nil {
				return existing, nil
			}
		}
		return User{}, err
	}
	if out.ID == "" {
		return User{}, fmt.Errorf("scim users.create: %w: created user has no id", ErrInvalidResponse)
	}
	return out, nil
}

// PatchUser applies operations to a user. PATCH is idempotent for the
// replace operations used here, so it is retried like a read.
func (c *Client) PatchUser(ctx context.Context, id string, ops ...PatchOp) error {
	if len(ops) == 0 {
		return nil
	}
	return c.do(ctx, &call{op: "users.patch", method: http.MethodPatch, path: userPath(id), body: newPatch(ops)})
}

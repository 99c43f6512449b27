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
	"net/http"
)

// What only tests use, kept out of the package's API.

// FindUserByExternalID looks a user up with `externalId eq "…"`, where the
// server supports that filter (Cisco documents only userName).
func (c *Client) FindUserByExternalID(ctx context.Context, externalID string) (User, error) {
	return c.findUser(ctx, "externalId", externalID)
}

// ReplaceUser PUTs the full user (u.ID selects it) and returns the stored
// version, or u itself when the server answers 204.
func (c *Client) ReplaceUser(ctx context.Context, u User) (User, error) {
	if u.ID == "" {
		return User{}, errors.New("scim users.replace: user has no id")
	}
	out := u
	cl := &call{op: "users.replace", method: http.MethodPut, path: userPath(u.ID), body: c.outgoing(u), limit: c.opts.MaxResourceBytes, decode: into(&out), allowEmpty: true}
	if err := c.do(ctx, cl); err != nil {
		return User{}, err
	}
	if cl.empty {
		return u, nil
	}
	return out, nil
}

// SetUserActive (de)activates a user the way Okta does; users are never deleted.
func (c *Client) SetUserActive(ctx context.Context, id string, active bool) error {
	return c.PatchUser(ctx, id, ReplaceValuesOp(map[string]any{"active": active}))
}

// The filter builders, tested directly.
var (
	EqFilter         = eqFilter
	QuoteFilterValue = quoteFilterValue
)

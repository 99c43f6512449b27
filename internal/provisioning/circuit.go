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
	"iter"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// authCircuit remembers the first 401 or 403 one end answered in a cycle.
// From then on nothing more is sent to that end with the refused
// credentials: a revoked token must not keep writing.
type authCircuit struct {
	isAuth func(error) bool

	mu  sync.Mutex
	err error
}

// check returns the refusal that opened the circuit, if any.
func (c *authCircuit) check() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// observe opens the circuit on an authentication or authorization failure.
func (c *authCircuit) observe(err error) {
	if err == nil || !c.isAuth(err) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *authCircuit) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = nil
}

func oktaAuthFailure(err error) bool {
	return errors.Is(err, okta.ErrUnauthorized) || errors.Is(err, okta.ErrForbidden) || errors.Is(err, okta.ErrDPoPRequired)
}

func scimAuthFailure(err error) bool {
	return errors.Is(err, scim.ErrUnauthorized) || errors.Is(err, scim.ErrForbidden)
}

// guard runs one call behind the circuit.
func guard[T any](c *authCircuit, call func() (T, error)) (T, error) {
	if err := c.check(); err != nil {
		var zero T
		return zero, err
	}
	v, err := call()
	c.observe(err)
	return v, err
}

// guardSeq runs a stream behind the circuit.
func guardSeq[T any](c *authCircuit, seq func() iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err := c.check(); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for v, err := range seq() {
			c.observe(err)
			if !yield(v, err) {
				return
			}
		}
	}
}

// guardedSource is a Source behind an auth circuit.
type guardedSource struct {
	src     Source
	circuit *authCircuit
}

func (g guardedSource) GetUser(ctx context.Context, idOrLogin string, opts ...okta.ReadOption) (okta.User, error) {
	return guard(g.circuit, func() (okta.User, error) { return g.src.GetUser(ctx, idOrLogin, opts...) })
}

func (g guardedSource) GetGroup(ctx context.Context, id string) (okta.Group, error) {
	return guard(g.circuit, func() (okta.Group, error) { return g.src.GetGroup(ctx, id) })
}

func (g guardedSource) GroupMembers(ctx context.Context, groupID string, opts ...okta.ReadOption) iter.Seq2[okta.User, error] {
	return guardSeq(g.circuit, func() iter.Seq2[okta.User, error] { return g.src.GroupMembers(ctx, groupID, opts...) })
}

func (g guardedSource) UserGroups(ctx context.Context, userID string) iter.Seq2[okta.Group, error] {
	return guardSeq(g.circuit, func() iter.Seq2[okta.Group, error] { return g.src.UserGroups(ctx, userID) })
}

func (g guardedSource) UsersUpdatedSince(ctx context.Context, since time.Time, opts ...okta.ReadOption) (iter.Seq2[okta.User, error], func() (time.Time, bool)) {
	users, mark := g.src.UsersUpdatedSince(ctx, since, opts...)
	return guardSeq(g.circuit, func() iter.Seq2[okta.User, error] { return users }), mark
}

func (g guardedSource) GroupsByID(ctx context.Context, ids []string) (iter.Seq2[okta.Group, error], func() (time.Time, bool)) {
	groups, mark := g.src.GroupsByID(ctx, ids)
	return guardSeq(g.circuit, func() iter.Seq2[okta.Group, error] { return groups }), mark
}

func (g guardedSource) ServerTime() time.Time         { return g.src.ServerTime() }
func (g guardedSource) Accounting() *httpx.Accounting { return g.src.Accounting() }

// guardedTarget is a Target behind an auth circuit.
type guardedTarget struct {
	dst     Target
	circuit *authCircuit
}

// done adapts calls that return only an error.
type done struct{}

func (g guardedTarget) run(call func() error) error {
	_, err := guard(g.circuit, func() (done, error) { return done{}, call() })
	return err
}

func (g guardedTarget) ListUsers(ctx context.Context, opts scim.ListOptions) iter.Seq2[scim.User, error] {
	return guardSeq(g.circuit, func() iter.Seq2[scim.User, error] { return g.dst.ListUsers(ctx, opts) })
}

func (g guardedTarget) ListGroups(ctx context.Context, opts scim.ListOptions) iter.Seq2[scim.Group, error] {
	return guardSeq(g.circuit, func() iter.Seq2[scim.Group, error] { return g.dst.ListGroups(ctx, opts) })
}

func (g guardedTarget) FindUserByUserName(ctx context.Context, userName string) (scim.User, error) {
	return guard(g.circuit, func() (scim.User, error) { return g.dst.FindUserByUserName(ctx, userName) })
}

func (g guardedTarget) FindGroupByDisplayName(ctx context.Context, name string) (scim.Group, error) {
	return guard(g.circuit, func() (scim.Group, error) { return g.dst.FindGroupByDisplayName(ctx, name) })
}

func (g guardedTarget) CreateUser(ctx context.Context, u scim.User) (scim.User, error) {
	return guard(g.circuit, func() (scim.User, error) { return g.dst.CreateUser(ctx, u) })
}

func (g guardedTarget) PatchUser(ctx context.Context, id string, ops ...scim.PatchOp) error {
	return g.run(func() error { return g.dst.PatchUser(ctx, id, ops...) })
}

func (g guardedTarget) GetGroupWithMembers(ctx context.Context, id string) (scim.Group, error) {
	return guard(g.circuit, func() (scim.Group, error) { return g.dst.GetGroupWithMembers(ctx, id) })
}

func (g guardedTarget) CreateGroup(ctx context.Context, grp scim.Group) (scim.Group, error) {
	return guard(g.circuit, func() (scim.Group, error) { return g.dst.CreateGroup(ctx, grp) })
}

func (g guardedTarget) RenameGroup(ctx context.Context, id, displayName string) error {
	return g.run(func() error { return g.dst.RenameGroup(ctx, id, displayName) })
}

func (g guardedTarget) UpdateMembers(ctx context.Context, groupID string, add, remove []string) error {
	return g.run(func() error { return g.dst.UpdateMembers(ctx, groupID, add, remove) })
}

func (g guardedTarget) DeleteGroup(ctx context.Context, id string) error {
	return g.run(func() error { return g.dst.DeleteGroup(ctx, id) })
}

func (g guardedTarget) Accounting() *httpx.Accounting { return g.dst.Accounting() }

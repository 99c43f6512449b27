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
	"maps"
	"slices"
	"sync"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// readTarget lists every user and group of the target, then reads the
// members of the groups this integration pushes. A failed list aborts the
// cycle (nothing can be planned safely); a failed member read only leaves
// that group's membership unknown.
func (e *Engine) readTarget(ctx context.Context, cfg *Config, want *desired) (*actual, error) {
	a := newActual(want.ids)
	for u, err := range e.dst.ListUsers(ctx, scim.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("%w: listing users: %w", ErrTargetRead, err)
		}
		t := fromSCIM(cfg, u)
		t.shareAttrs(want.Users[t.ExternalID])
		a.putUser(t)
	}
	for g, err := range e.dst.ListGroups(ctx, scim.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("%w: listing groups: %w", ErrTargetRead, err)
		}
		a.putGroup(&targetGroup{ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName})
	}

	var toRead []*targetGroup
	for _, key := range slices.Sorted(maps.Keys(want.Groups)) {
		dg := want.Groups[key]
		if !dg.Config.Push {
			continue
		}
		if tg := findTargetGroup(dg, a); tg != nil {
			toRead = append(toRead, tg)
		}
	}
	each(ctx, e.opts.ReadConcurrency, toRead, e.memberReader(a).readMembers)
	return a, ctx.Err()
}

// memberReader reads target groups' members into one target view. Reads
// run concurrently; it owns the lock that serialises what they record.
type memberReader struct {
	e  *Engine
	a  *actual
	mu sync.Mutex
}

func (e *Engine) memberReader(a *actual) *memberReader { return &memberReader{e: e, a: a} }

// readMembers reads one target group's members into tg.
func (r *memberReader) readMembers(ctx context.Context, tg *targetGroup) {
	g, err := r.e.dst.GetGroupWithMembers(ctx, tg.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.a
	if errors.Is(err, scim.ErrNotFound) {
		a.removeGroup(tg.ID)
		return
	}
	if err != nil {
		r.e.opts.Log.V(1).Info("reading target group members failed", "group", tg.DisplayName, "error", err.Error())
		return
	}
	refs := make([]userRef, len(g.Members))
	for i, m := range g.Members {
		refs[i] = a.ids.ref(m.Value)
	}
	tg.Members = newRefSet(refs)
}

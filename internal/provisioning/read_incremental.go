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
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// readSourceIncremental updates the previous cycle's source view with what
// changed since the watermark: the configured groups are listed by id, so
// renames, membership changes and deletions are all seen; changed groups'
// members are re-read; updated users in scope are re-mapped; unknown direct
// assignments are matched or looked up again after their backoff. It returns
// the next watermark, or false when any query failed.
func (e *Engine) readSourceIncremental(ctx context.Context, cfg *Config, st *state, now time.Time) (*desired, time.Time, bool) {
	d := st.want
	listed := startIncremental(cfg, d)
	changed, groupsMark, ok := e.changedGroups(ctx, d, listed, st.watermark)
	if !ok {
		return d, time.Time{}, false
	}
	updated, usersMark, ok := e.updatedUsers(ctx, cfg, d, st.watermark)
	if !ok {
		return d, time.Time{}, false
	}
	cfg.memo.seed(d, updated)
	each(ctx, e.opts.ReadConcurrency, changed, e.groupReader(cfg, st, d).readMembers)
	d.fresh = nil
	matchPeople(cfg, d, st, updated)
	e.readPeople(ctx, cfg, d, st, false, now)
	e.rescope(ctx, cfg, d, updated)
	if !d.Complete {
		return d, time.Time{}, false
	}
	mark, ok := nextWatermark(usersMark, groupsMark)
	return d, mark, ok
}

// startIncremental clears the remembered view's read results for a new
// cycle, gives its groups their current configurations, and returns the
// groups to list.
func startIncremental(cfg *Config, d *desired) []*desiredGroup {
	d.Complete, d.Errors, d.ReadsOK, d.ReadsFailed = true, nil, 0, 0
	d.fresh = map[string]bool{}
	var listed []*desiredGroup
	for _, gc := range cfg.Groups {
		dg := d.Groups[gc.Key]
		if dg == nil {
			continue
		}
		// The configurations carry what earlier cycles reported (target
		// ids, baselines, deletion): take the current ones.
		dg.Config = gc
		if readable(d, dg) && !dg.Deleted {
			listed = append(listed, dg)
		}
	}
	return listed
}

// nextWatermark is the earlier of the two queries' marks, so the next cycle
// misses nothing either query has not seen; groups is nil when no group was
// listed. No mark unless both are known.
func nextWatermark(users, groups func() (time.Time, bool)) (time.Time, bool) {
	mark, ok := users()
	if !ok {
		return time.Time{}, false
	}
	if groups == nil {
		return mark, true
	}
	gm, ok := groups()
	if !ok {
		return time.Time{}, false
	}
	return earliest(gm, mark), true
}

// changedGroups lists the groups by id and returns those whose profile or
// membership changed since the watermark. A group missing from the listing
// is read by id: a 404 there confirms its deletion.
func (e *Engine) changedGroups(ctx context.Context, d *desired, listed []*desiredGroup, since time.Time) ([]*desiredGroup, func() (time.Time, bool), bool) {
	byID := make(map[string]*desiredGroup, len(listed))
	ids := make([]string, 0, len(listed))
	for _, dg := range listed {
		byID[dg.Config.OktaID] = dg
		ids = append(ids, dg.Config.OktaID)
	}
	if len(ids) == 0 {
		// Nothing to list: the users query alone sets the watermark.
		return nil, nil, true
	}
	groups, mark := e.src.GroupsByID(ctx, ids)
	var changed []*desiredGroup
	seen := make(map[string]bool, len(ids))
	for g, err := range groups {
		if err != nil {
			d.fail("listing the configured groups: " + err.Error())
			return nil, nil, false
		}
		dg := byID[g.ID]
		if dg == nil || seen[g.ID] {
			continue
		}
		seen[g.ID] = true
		if g.LastUpdated.After(since) || g.LastMembershipUpdated.After(since) || !dg.Read {
			dg.Found, dg.Name = true, g.Profile.Name
			changed = append(changed, dg)
		}
	}
	d.ReadsOK++
	for _, dg := range listed {
		if seen[dg.Config.OktaID] {
			continue
		}
		if _, ok := e.readGroupRecord(ctx, d, dg); ok {
			// Listed late by an eventually consistent index: read it.
			changed = append(changed, dg)
		}
	}
	return changed, mark, true
}

// updatedUsers returns the users updated since the watermark, by id.
func (e *Engine) updatedUsers(ctx context.Context, cfg *Config, d *desired, since time.Time) (map[string]okta.User, func() (time.Time, bool), bool) {
	updated := map[string]okta.User{}
	users, mark := e.src.UsersUpdatedSince(ctx, since, cfg.userReads()...)
	for u, err := range users {
		if err != nil {
			d.fail("listing updated users: " + err.Error())
			return nil, nil, false
		}
		updated[u.ID] = u
	}
	d.ReadsOK++
	return updated, mark, true
}

// rescope rebuilds the scope from the member lists and the assigned people,
// re-maps the updated users in it, and reads users in scope without a
// record (a STAGED member who was activated, a newly matched assignment).
func (e *Engine) rescope(ctx context.Context, cfg *Config, d *desired, updated map[string]okta.User) {
	scope := d.scope()
	inScope := func(id string) bool {
		r, ok := d.ids.lookup(id)
		return ok && scope.has(r)
	}
	for id := range d.Users {
		if !inScope(id) {
			delete(d.Users, id)
		}
	}
	for id := range d.Unprovisioned {
		if !inScope(id) {
			delete(d.Unprovisioned, id)
		}
	}
	for id, u := range updated {
		if inScope(id) {
			addInScope(cfg, d, u)
		}
	}
	for r := range scope.all() {
		id := d.ids.name(r)
		if _, ok := d.Users[id]; ok || d.Unprovisioned[id] {
			continue
		}
		if u, err := e.src.GetUser(ctx, id, cfg.userReads()...); err == nil {
			addInScope(cfg, d, u)
		} else if !errors.Is(err, okta.ErrNotFound) {
			d.fail(fmt.Sprintf("reading user %s: %v", id, err))
		}
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// readGroupRecord reads a configured group's own record. A 404 marks the
// group deleted in Okta and another error fails the read; ok reports that
// the record was read.
func (e *Engine) readGroupRecord(ctx context.Context, d *desired, dg *desiredGroup) (okta.Group, bool) {
	g, err := e.src.GetGroup(ctx, dg.Config.OktaID)
	switch {
	case errors.Is(err, okta.ErrNotFound):
		d.ReadsOK++
		markDeleted(d, dg)
	case err != nil:
		d.fail(fmt.Sprintf("reading group %s: %v", dg.Config.Key, err))
	default:
		return g, true
	}
	return okta.Group{}, false
}

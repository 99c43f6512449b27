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
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// readSourceFull reads every directly assigned person and the members of
// every configured group. Failures make the result incomplete; they never
// shrink the scope silently.
func (e *Engine) readSourceFull(ctx context.Context, cfg *Config, st *state, now time.Time) *desired {
	d := newDesired(newIDTable())
	e.readPeople(ctx, cfg, d, st, true, now)

	var toRead []*desiredGroup
	for _, gc := range cfg.Groups {
		dg := &desiredGroup{Config: gc, Name: gc.OktaName}
		d.Groups[gc.Key] = dg
		if readable(d, dg) {
			toRead = append(toRead, dg)
		}
	}
	each(ctx, e.opts.ReadConcurrency, toRead, e.groupReader(cfg, st, d).readGroup)
	d.fresh = nil
	if ctx.Err() != nil {
		d.fail("cycle cancelled: " + ctx.Err().Error())
	}
	return d
}

// readable reports whether a configured group is read from Okta, and marks
// the scope incomplete for assigned groups that cannot be.
func readable(d *desired, dg *desiredGroup) bool {
	gc := dg.Config
	switch {
	case gc.Deleting || (!gc.Assign && !gc.Push):
		return false
	case gc.Blocked != "":
		if gc.Assign {
			d.incomplete(fmt.Sprintf("assigned group %s cannot be used: %s", gc.Key, gc.Blocked))
		}
		return false
	case gc.OktaID == "":
		if gc.Assign {
			d.incomplete(fmt.Sprintf("assigned group %s is not resolved yet", gc.Key))
		}
		return false
	}
	return true
}

// groupReader reads configured groups into one source view. Reads run
// concurrently; it owns the lock that serialises what they record.
type groupReader struct {
	e   *Engine
	cfg *Config
	st  *state
	d   *desired
	mu  sync.Mutex
}

func (e *Engine) groupReader(cfg *Config, st *state, d *desired) *groupReader {
	return &groupReader{e: e, cfg: cfg, st: st, d: d}
}

// readGroup reads one group's metadata and members into the view.
func (r *groupReader) readGroup(ctx context.Context, dg *desiredGroup) {
	gc := dg.Config
	grp, err := r.e.src.GetGroup(ctx, gc.OktaID)
	if errors.Is(err, okta.ErrNotFound) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.d.ReadsOK++
		markDeleted(r.d, dg)
		return
	}
	if err != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		dg.Err = err
		r.d.fail(fmt.Sprintf("reading group %s: %v", gc.Key, err))
		return
	}
	dg.Found, dg.Name = true, grp.Profile.Name
	r.readMembers(ctx, dg)
}

// markDeleted records that Okta confirmed the group gone (404 for its own
// record). An assigned group that is gone makes the scope incomplete: its
// members are kept until the ProvisionedGroup itself is deleted.
func markDeleted(d *desired, dg *desiredGroup) {
	dg.Found, dg.Deleted = false, true
	if dg.Config.Assign {
		d.incomplete(fmt.Sprintf("assigned group %s (%s) no longer exists in Okta", dg.Config.Key, dg.Config.OktaID))
	}
}

// readMembers lists a group's members; only a read to the end counts. A 404
// while paging is a failed read unless the group's own record confirms the
// deletion. Members of assigned groups are mapped while streaming, so only
// the compact mapped form outlives the page it came in. An incremental
// cycle maps only members it does not know: the records of known ones that
// changed come from the updated-users query.
func (r *groupReader) readMembers(ctx context.Context, dg *desiredGroup) {
	var members []string
	var mapped []*desiredUser
	var unprovisioned []string
	incremental := r.st.want == r.d // an incremental cycle updates the remembered view in place
	// A user in several groups is decoded and mapped once per cycle: for
	// the rest of its groups only its membership is read.
	skip := func(id string) bool { return !dg.Config.Assign || r.mapped(id, incremental) }
	for u, err := range r.e.src.GroupMembers(ctx, dg.Config.OktaID, append(r.cfg.userReads(), okta.SkipKnown(skip))...) {
		if err != nil {
			r.failMembers(ctx, dg, err)
			return
		}
		members = append(members, u.ID)
		if dg.Config.Assign && !r.mapped(u.ID, incremental) {
			if m := mapUser(r.cfg, u); m != nil {
				mapped = append(mapped, m)
			} else {
				unprovisioned = append(unprovisioned, u.ID)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.d
	d.ReadsOK++
	for _, m := range mapped {
		// The first mapping of a user in this cycle wins.
		if _, ok := d.Users[m.OktaID]; ok && d.fresh[m.OktaID] {
			continue
		}
		d.put(m)
		d.fresh[m.OktaID] = true
	}
	for _, id := range unprovisioned {
		d.unprovisioned(id)
	}
	refs := make([]userRef, len(members))
	for i, id := range members {
		refs[i] = d.ids.ref(id)
	}
	dg.Members, dg.Read, dg.Err = newRefSet(refs), true, nil
	dg.Suspect = suspectRead(r.cfg, dg, r.st.confirmedMembers)
}

// mapped reports whether the user needs no mapping from this read: mapped
// earlier in this cycle, or, in an incremental cycle, known to the view.
func (r *groupReader) mapped(id string, incremental bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.d.fresh[id] || (incremental && r.d.knows(id))
}

// failMembers records a member listing that ended in err.
func (r *groupReader) failMembers(ctx context.Context, dg *desiredGroup, err error) {
	deleted := false
	if errors.Is(err, okta.ErrNotFound) {
		// Confirm with the group's own record before believing a deletion.
		_, gerr := r.e.src.GetGroup(ctx, dg.Config.OktaID)
		deleted = errors.Is(gerr, okta.ErrNotFound)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if deleted {
		r.d.ReadsOK++
		markDeleted(r.d, dg)
		return
	}
	dg.Err = err
	r.d.fail(fmt.Sprintf("listing members of group %s: %v", dg.Config.Key, err))
}

// addInScope maps and adds a user; STAGED users and users outside
// spec.scope are not provisioned.
func addInScope(cfg *Config, d *desired, u okta.User) {
	m := mapUser(cfg, u)
	if m == nil {
		d.unprovisioned(u.ID)
		return
	}
	d.put(m)
}

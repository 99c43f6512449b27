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

	var mu sync.Mutex
	var toRead []*desiredGroup
	for _, gc := range cfg.Groups {
		dg := &desiredGroup{Config: gc, Name: gc.OktaName}
		d.Groups[gc.Key] = dg
		if readable(d, dg) {
			toRead = append(toRead, dg)
		}
	}
	each(ctx, e.opts.ReadConcurrency, toRead, func(ctx context.Context, dg *desiredGroup) {
		e.readGroup(ctx, cfg, st, d, dg, &mu)
	})
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

// readGroup reads one group's metadata and members into d.
func (e *Engine) readGroup(ctx context.Context, cfg *Config, st *state, d *desired, dg *desiredGroup, mu *sync.Mutex) {
	gc := dg.Config
	grp, err := e.src.GetGroup(ctx, gc.OktaID)
	if errors.Is(err, okta.ErrNotFound) {
		mu.Lock()
		defer mu.Unlock()
		d.ReadsOK++
		markDeleted(d, dg)
		return
	}
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		dg.Err = err
		d.fail(fmt.Sprintf("reading group %s: %v", gc.Key, err))
		return
	}
	dg.Found, dg.Name = true, grp.Profile.Name
	e.readMembers(ctx, cfg, st, d, dg, mu)
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
func (e *Engine) readMembers(ctx context.Context, cfg *Config, st *state, d *desired, dg *desiredGroup, mu *sync.Mutex) {
	var members []string
	var mapped []*desiredUser
	var unprovisioned []string
	incremental := st.want == d // an incremental cycle updates the remembered view in place
	// A user in several groups is decoded and mapped once per cycle: for
	// the rest of its groups only its membership is read.
	known := func(id string) bool {
		mu.Lock()
		defer mu.Unlock()
		return d.fresh[id] || (incremental && d.knows(id))
	}
	skip := func(id string) bool { return !dg.Config.Assign || known(id) }
	for u, err := range e.src.GroupMembers(ctx, dg.Config.OktaID, append(cfg.userReads(), okta.SkipKnown(skip))...) {
		if err != nil {
			e.failMembers(ctx, d, dg, err, mu)
			return
		}
		members = append(members, u.ID)
		if dg.Config.Assign && !known(u.ID) {
			if m := mapUser(cfg, u); m != nil {
				mapped = append(mapped, m)
			} else {
				unprovisioned = append(unprovisioned, u.ID)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
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
	dg.Suspect = suspectRead(cfg, dg, st.confirmedMembers)
}

// failMembers records a member listing that ended in err.
func (e *Engine) failMembers(ctx context.Context, d *desired, dg *desiredGroup, err error, mu *sync.Mutex) {
	deleted := false
	if errors.Is(err, okta.ErrNotFound) {
		// Confirm with the group's own record before believing a deletion.
		_, gerr := e.src.GetGroup(ctx, dg.Config.OktaID)
		deleted = errors.Is(gerr, okta.ErrNotFound)
	}
	mu.Lock()
	defer mu.Unlock()
	if deleted {
		d.ReadsOK++
		markDeleted(d, dg)
		return
	}
	dg.Err = err
	d.fail(fmt.Sprintf("listing members of group %s: %v", dg.Config.Key, err))
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

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
func (e *Engine) readSourceFull(ctx context.Context, cfg *Config) *desired {
	d := newDesired()
	var mu sync.Mutex

	for _, person := range cfg.People {
		u, err := e.src.GetUser(ctx, person)
		switch {
		case errors.Is(err, okta.ErrNotFound):
			d.People[person] = ""
			d.ReadsOK++
		case err != nil:
			d.People[person] = ""
			d.fail(fmt.Sprintf("reading assigned person %q: %v", person, err))
		default:
			d.ReadsOK++
			d.People[person] = u.ID
			addInScope(cfg, d, u)
		}
	}

	var toRead []*desiredGroup
	for _, gc := range cfg.Groups {
		dg := &desiredGroup{Config: gc, Name: gc.OktaName}
		d.Groups[gc.Key] = dg
		if gc.Deleting || (!gc.Assign && !gc.Push) {
			continue
		}
		if gc.OktaID == "" {
			if gc.Assign {
				d.incomplete(fmt.Sprintf("assigned group %s is not resolved yet", gc.Key))
			}
			continue
		}
		toRead = append(toRead, dg)
	}
	each(ctx, e.opts.ReadConcurrency, toRead, func(ctx context.Context, dg *desiredGroup) {
		e.readGroup(ctx, cfg, d, dg, &mu)
	})
	d.fresh = nil
	if ctx.Err() != nil {
		d.fail("cycle cancelled: " + ctx.Err().Error())
	}
	return d
}

// readGroup reads one group's metadata and members into d.
func (e *Engine) readGroup(ctx context.Context, cfg *Config, d *desired, dg *desiredGroup, mu *sync.Mutex) {
	gc := dg.Config
	grp, err := e.src.GetGroup(ctx, gc.OktaID)
	if errors.Is(err, okta.ErrNotFound) {
		mu.Lock()
		d.ReadsOK++
		dg.Deleted = true
		if gc.Assign {
			// Its members' scope is unknown now: keep them until the
			// ProvisionedGroup itself is deleted.
			d.incomplete(fmt.Sprintf("assigned group %s (%s) no longer exists in Okta", gc.Key, gc.OktaID))
		}
		mu.Unlock()
		return
	}
	if err != nil {
		mu.Lock()
		dg.Err = err
		d.fail(fmt.Sprintf("reading group %s: %v", gc.Key, err))
		mu.Unlock()
		return
	}
	dg.Found, dg.Name = true, grp.Profile.Name
	e.readMembers(ctx, cfg, d, dg, mu)
}

// readMembers lists a group's members; only a read to the end counts. Members
// of assigned groups are mapped while streaming, so only the compact mapped
// form outlives the page it came in.
func (e *Engine) readMembers(ctx context.Context, cfg *Config, d *desired, dg *desiredGroup, mu *sync.Mutex) {
	var members []string
	var mapped []*desiredUser
	var unprovisioned []string
	for u, err := range e.src.GroupMembers(ctx, dg.Config.OktaID) {
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, okta.ErrNotFound) {
				d.ReadsOK++
				dg.Found, dg.Deleted = false, true
				if dg.Config.Assign {
					d.incomplete(fmt.Sprintf("assigned group %s no longer exists in Okta", dg.Config.Key))
				}
				return
			}
			dg.Err = err
			d.fail(fmt.Sprintf("listing members of group %s: %v", dg.Config.Key, err))
			return
		}
		members = append(members, u.ID)
		if dg.Config.Assign {
			if _, provision := oktaActive(u.Status); provision {
				mapped = append(mapped, mapUser(cfg, u))
			} else {
				unprovisioned = append(unprovisioned, u.ID)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	d.ReadsOK++
	for _, m := range mapped {
		// The first mapping of a user in this cycle wins; the member lists
		// below share its id string instead of keeping a copy per group.
		if _, ok := d.Users[m.OktaID]; ok && d.fresh[m.OktaID] {
			continue
		}
		d.Users[m.OktaID] = m
		d.fresh[m.OktaID] = true
		delete(d.Unprovisioned, m.OktaID)
	}
	for _, id := range unprovisioned {
		delete(d.Users, id)
		d.Unprovisioned[id] = true
	}
	for i, id := range members {
		if u, ok := d.Users[id]; ok {
			members[i] = u.OktaID
		}
	}
	dg.Members, dg.Read, dg.Err = members, true, nil
}

// addInScope maps and adds a user; STAGED users are not provisioned.
func addInScope(cfg *Config, d *desired, u okta.User) {
	if _, provision := oktaActive(u.Status); !provision {
		d.Unprovisioned[u.ID] = true
		delete(d.Users, u.ID)
		return
	}
	delete(d.Unprovisioned, u.ID)
	d.Users[u.ID] = mapUser(cfg, u)
}

// readSourceIncremental updates the previous cycle's source view with what
// changed since the watermark: groups whose membership or profile changed
// are re-read; updated users in scope are re-mapped. It returns the next
// watermark, or false when any query failed (the view is then incomplete).
func (e *Engine) readSourceIncremental(ctx context.Context, cfg *Config, prev *desired, since time.Time) (*desired, time.Time, bool) {
	d := prev
	d.Complete, d.Errors, d.ReadsOK, d.ReadsFailed = true, nil, 0, 0
	d.fresh = map[string]bool{}
	// The group configurations carry what earlier cycles reported (target
	// ids, baselines, deletion): take the current ones.
	for _, gc := range cfg.Groups {
		if dg := d.Groups[gc.Key]; dg != nil {
			dg.Config = gc
		}
	}

	changedGroups := map[string]okta.Group{}
	groups, groupsMark := e.src.GroupsChangedSince(ctx, since)
	for grp, err := range groups {
		if err != nil {
			d.fail("listing changed groups: " + err.Error())
			return d, time.Time{}, false
		}
		changedGroups[grp.ID] = grp
	}
	d.ReadsOK++
	updated := map[string]okta.User{}
	users, usersMark := e.src.UsersUpdatedSince(ctx, since)
	for u, err := range users {
		if err != nil {
			d.fail("listing updated users: " + err.Error())
			return d, time.Time{}, false
		}
		updated[u.ID] = u
	}
	d.ReadsOK++

	var mu sync.Mutex
	var toRead []*desiredGroup
	for _, dg := range d.Groups {
		grp, changed := changedGroups[dg.Config.OktaID]
		if !changed || dg.Config.OktaID == "" || (!dg.Config.Assign && !dg.Config.Push) {
			continue
		}
		dg.Name = grp.Profile.Name
		toRead = append(toRead, dg)
	}
	each(ctx, e.opts.ReadConcurrency, toRead, func(ctx context.Context, dg *desiredGroup) {
		e.readMembers(ctx, cfg, d, dg, &mu)
	})
	d.fresh = nil

	// Rebuild the scope from the member lists and the assigned people, then
	// re-map the updated users that are in it.
	scope := map[string]bool{}
	for _, id := range d.People {
		if id != "" {
			scope[id] = true
		}
	}
	for _, dg := range d.Groups {
		if dg.Config.Assign {
			for _, id := range dg.Members {
				scope[id] = true
			}
		}
	}
	for id := range d.Users {
		if !scope[id] {
			delete(d.Users, id)
		}
	}
	for id := range d.Unprovisioned {
		if !scope[id] {
			delete(d.Unprovisioned, id)
		}
	}
	for id, u := range updated {
		if scope[id] {
			delete(d.Users, id)
			addInScope(cfg, d, u)
		}
	}
	for id := range scope {
		if _, ok := d.Users[id]; !ok && !d.Unprovisioned[id] {
			// In scope without a record (e.g. a STAGED member who was
			// activated): read it by id.
			if u, err := e.src.GetUser(ctx, id); err == nil {
				addInScope(cfg, d, u)
			} else if !errors.Is(err, okta.ErrNotFound) {
				d.fail(fmt.Sprintf("reading user %s: %v", id, err))
			}
		}
	}
	if !d.Complete {
		return d, time.Time{}, false
	}
	gm, ok1 := groupsMark()
	um, ok2 := usersMark()
	if !ok1 || !ok2 {
		return d, time.Time{}, false
	}
	if um.Before(gm) {
		gm = um
	}
	return d, gm, true
}

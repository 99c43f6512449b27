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
	"slices"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// Targets names the Okta objects a change feed saw change. A targeted
// cycle re-reads exactly these, from Okta's current state: the events only
// say where to look, never what to write.
type Targets struct {
	// Users are users whose own record changed (status, profile).
	Users []string
	// Members are users whose group memberships changed, or who may have
	// become a direct assignment: their record and their groups are read.
	Members []string
	// Groups are groups whose own record changed (renamed, deleted).
	Groups []string
}

// Empty reports whether there is nothing to read.
func (t Targets) Empty() bool { return len(t.Users) == 0 && len(t.Members) == 0 && len(t.Groups) == 0 }

// Count is the number of distinct objects named.
func (t Targets) Count() int { return len(t.Users) + len(t.Members) + len(t.Groups) }

// Merge returns the union of t and o, each list sorted and without
// duplicates; a user in Members is not repeated in Users.
func (t Targets) Merge(o Targets) Targets {
	u := func(a, b []string) []string {
		return slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(a), b...))))
	}
	out := Targets{Members: u(t.Members, o.Members), Groups: u(t.Groups, o.Groups)}
	for _, id := range u(t.Users, o.Users) {
		if _, found := slices.BinarySearch(out.Members, id); !found {
			out.Users = append(out.Users, id)
		}
	}
	return out
}

// ErrNoState means the engine has no views to build a targeted cycle on
// (none ran yet, the configuration changed what is read, or the last
// cycle was cut short): the next scheduled cycle covers the change.
var ErrNoState = errors.New("no scheduled cycle has built the views yet")

// Relevant drops the users the engine knows nothing about (neither in
// scope nor managed in the target): their changes cannot matter. Members
// are kept, since the feed names them for configured groups and direct
// assignments. While a cycle runs the engine cannot be asked, and t comes
// back whole.
func (e *Engine) Relevant(t Targets) Targets {
	if !e.mu.TryLock() {
		return t
	}
	defer e.mu.Unlock()
	st := e.state
	if st == nil || st.want == nil || st.have == nil {
		return t
	}
	out := Targets{Members: t.Members, Groups: t.Groups}
	for _, id := range t.Users {
		_, inScope := st.want.Users[id]
		if inScope || st.want.Unprovisioned[id] || st.have.userByOktaID(id) != nil {
			out.Users = append(out.Users, id)
		}
	}
	return out
}

// RunTargeted runs a targeted cycle: it re-reads only the named objects
// and then plans, applies and verifies like an incremental cycle, against
// the views earlier cycles left. It obeys the same safety rules: a failed
// read makes the scope incomplete (nothing leaves it), deactivation
// candidates are confirmed by their own record, and the deactivations and
// userName changes of all targeted cycles between two scheduled cycles
// count towards one threshold, so a mass suspension that arrives in
// pieces is held as if one cycle had seen it. It never advances the
// incremental watermark, so the next scheduled cycle re-checks everything
// since the last one. ErrNoState when there are no views to build on.
func (e *Engine) RunTargeted(ctx context.Context, cfg Config, t Targets) (*Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.state
	if cfg.DryRun || st == nil || st.want == nil || st.have == nil || st.scopeHash != cfg.scopeHash() {
		return nil, ErrNoState
	}
	cfg.Mode, cfg.ApprovedPlanID, cfg.RetryDeferred, cfg.spent = ModeTargeted, "", false, e.spent
	c, end := e.begin(&cfg, ModeTargeted)
	defer end()
	if err := e.compile(&cfg); err != nil {
		return c.res, err
	}
	c.st = st
	if err := c.readTargeted(ctx, t); err != nil {
		return c.res, err
	}
	c.apply(ctx)
	c.report()
	c.remember()
	e.spent += c.res.Counts.Deactivated + c.users.renames - c.ap.renamesFailed
	return c.res, ctx.Err()
}

// readTargeted updates the remembered source view with the named objects'
// current records, then prepares the target view and the confirmations
// as an incremental cycle does. An error means nothing was written.
func (c *cycle) readTargeted(ctx context.Context, t Targets) error {
	e, st, cfg := c.e, c.st, c.cfg
	d := st.want
	d.Complete, d.Errors, d.ReadsOK, d.ReadsFailed = true, nil, 0, 0
	byOkta := map[string][]*desiredGroup{}
	for _, gc := range cfg.Groups {
		dg := d.Groups[gc.Key]
		if dg == nil {
			continue
		}
		dg.Config = gc
		if !readable(d, dg) || dg.Deleted {
			continue
		}
		byOkta[gc.OktaID] = append(byOkta[gc.OktaID], dg)
	}
	d.fresh = map[string]bool{}
	touched := e.readTargetGroups(ctx, cfg, d, st, byOkta, t.Groups)
	updated := e.readTargetUsers(ctx, cfg, d, st, byOkta, t)
	d.fresh = nil
	unreadPeople(cfg, d, st)
	for _, dgs := range byOkta {
		for _, dg := range dgs {
			if dg.Config.Assign && (!dg.Read || dg.Err != nil) {
				// Its last read failed: the scope resting on it is not known.
				d.incomplete(fmt.Sprintf("assigned group %s was not read completely", dg.Config.Key))
			}
			if touched[dg] {
				dg.Suspect = suspectRead(cfg, dg, st.confirmedMembers)
			}
		}
	}
	matchPeople(cfg, d, st, updated)
	e.rescope(ctx, cfg, d, updated)
	c.want = d
	c.res.SourceComplete, c.res.SourceErrors = d.Complete, d.Errors
	if err := ctx.Err(); err != nil {
		e.state = nil
		return err
	}
	if d.ReadsFailed > 0 && d.ReadsOK == 0 {
		return fmt.Errorf("%w: %s", ErrSourceUnavailable, d.Errors[0])
	}
	have, err := e.targetView(ctx, cfg, st, d, ModeTargeted)
	if err != nil {
		e.state = nil
		return err
	}
	c.before, c.have = have, have
	c.confirmed = e.confirmCandidates(ctx, cfg, st, d, have, ModeTargeted)
	return nil
}

// readTargetGroups re-reads the named groups' own records (a rename, a
// deletion); a group whose members were never read completely is read in
// full. It returns the groups whose member lists changed.
func (e *Engine) readTargetGroups(ctx context.Context, cfg *Config, d *desired, st *state, byOkta map[string][]*desiredGroup, ids []string) map[*desiredGroup]bool {
	touched := map[*desiredGroup]bool{}
	groups := e.groupReader(cfg, st, d)
	for _, id := range ids {
		for _, dg := range byOkta[id] {
			if !dg.Read {
				groups.readGroup(ctx, dg)
				touched[dg] = true
				continue
			}
			if g, ok := e.readGroupRecord(ctx, d, dg); ok {
				d.ReadsOK++
				dg.Found, dg.Name = true, g.Profile.Name
			}
		}
	}
	return touched
}

// userRead is one targeted user's current state in Okta.
type userRead struct {
	user    okta.User
	err     error
	groups  map[string]bool // nil when not read
	groupsE error
}

// readTargetUsers reads the named users' records (and, for Members, their
// groups) and folds them into the view: memberships of configured groups
// follow what Okta says now, a deleted user leaves every group, and each
// record read is the user's confirmation. It returns the users read, as
// the incremental read's "updated users".
func (e *Engine) readTargetUsers(ctx context.Context, cfg *Config, d *desired, st *state, byOkta map[string][]*desiredGroup, t Targets) map[string]okta.User {
	ids := append(slices.Clip(t.Members), t.Users...)
	withGroups := make(map[string]bool, len(t.Members))
	for _, id := range t.Members {
		withGroups[id] = len(byOkta) > 0
	}
	reads := make([]userRead, len(ids))
	idx := make(map[string]int, len(ids))
	for i, id := range ids {
		idx[id] = i
	}
	each(ctx, e.opts.ReadConcurrency, ids, func(ctx context.Context, id string) {
		r := &reads[idx[id]]
		if r.user, r.err = e.src.GetUser(ctx, id, cfg.userReads()...); r.err != nil || !withGroups[id] {
			return
		}
		r.groups = map[string]bool{}
		for g, err := range e.src.UserGroups(ctx, id) {
			if err != nil {
				r.groups, r.groupsE = nil, err
				return
			}
			r.groups[g.ID] = true
		}
	})
	updated := map[string]okta.User{}
	for i, id := range ids {
		r := reads[i]
		switch {
		case errors.Is(r.err, okta.ErrNotFound):
			d.ReadsOK++
			st.confirmed[id] = confirmation{Found: false}
			delete(d.Users, id)
			delete(d.Unprovisioned, id)
			r.groups = map[string]bool{}
		case r.err != nil:
			d.fail(fmt.Sprintf("reading user %s: %v", id, r.err))
			continue
		default:
			d.ReadsOK++
			st.confirmed[id] = confirmation{Found: true, Status: r.user.Status, OutOfScope: cfg.compiled.excludes(r.user)}
			updated[id] = r.user
		}
		if r.groupsE != nil {
			d.fail(fmt.Sprintf("listing the groups of user %s: %v", id, r.groupsE))
			continue
		}
		if r.groups == nil {
			continue
		}
		d.ReadsOK++
		for gid, dgs := range byOkta {
			for _, dg := range dgs {
				if dg.Read {
					setMember(d, dg, id, r.groups[gid])
				}
			}
		}
	}
	return updated
}

// setMember puts id in or out of a group's member list.
func setMember(d *desired, dg *desiredGroup, id string, in bool) {
	r := refSet{d.ids.ref(id)}
	if in {
		dg.Members = dg.Members.with(r, nil)
	} else {
		dg.Members = dg.Members.with(nil, r)
	}
}

// unreadPeople marks the view incomplete for each direct assignment whose
// last lookup failed (no id, and not a login Okta said it does not know):
// the person may still be assigned, so nothing may rest on their absence.
func unreadPeople(cfg *Config, d *desired, st *state) {
	for _, person := range cfg.People {
		if d.People[person] != "" {
			continue
		}
		if _, unknown := st.unknownPeople[person]; !unknown {
			d.incomplete(fmt.Sprintf("assigned person %q was not read", person))
		}
	}
}

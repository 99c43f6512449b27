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

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// cycle carries one run's inputs and what its steps produced.
type cycle struct {
	e     *Engine
	cfg   *Config
	st    *state
	res   *Result
	now   time.Time
	clock time.Time // monotonic, for durations only

	want      *desired
	have      *actual
	confirmed map[string]confirmation
	released  map[string]bool
	approval  string
	deferred  []OutOfSync
	up        *userPlan
	// users is what the report needs of the user changes, taken before
	// the writes drop them.
	users userSummary
	gp    *groupPlan
	ap    *applier
	// before is the target as read, kept for a dry run (which simulates its
	// writes on a copy).
	before *actual
	// confirmedMembers are the baselines the next cycles judge reads by.
	confirmedMembers map[string]int
	// remainingGroups are the groups a re-plan after the writes still changes.
	remainingGroups map[string]bool
}

// run is one cycle: read the source, read the target, confirm deactivation
// candidates, plan and apply users, then plan and apply groups, then verify
// what the target now looks like.
func (e *Engine) run(ctx context.Context, cfg Config) (*Result, error) {
	c, end := e.begin(&cfg, ModeFull)
	defer end()
	if err := e.compile(&cfg); err != nil {
		return c.res, err
	}
	// What targeted cycles changed since the last scheduled cycle counts
	// towards this one's thresholds: one window from scheduled cycle to
	// scheduled cycle, however the changes arrived.
	cfg.spent = e.spent
	c.st = e.state
	if hash := cfg.scopeHash(); c.st == nil || c.st.scopeHash != hash {
		c.st = c.st.rescoped(hash)
	}
	if cfg.Mode == ModeIncremental && c.st.want != nil && c.st.have != nil && !c.st.watermark.IsZero() &&
		c.st.want.ids == c.st.have.ids {
		c.res.Mode = ModeIncremental
	}
	if c.res.Mode == ModeFull {
		// A full cycle reads both views afresh: the old ones would only
		// double the peak memory while it does.
		c.st.want, c.st.have = nil, nil
		e.bulk = bulkMemory{}
	}
	if err := c.read(ctx); err != nil {
		return c.res, err
	}
	c.apply(ctx)
	c.report()
	c.remember()
	return c.res, ctx.Err()
}

// begin starts a cycle's result and request accounting; end completes them.
func (e *Engine) begin(cfg *Config, mode Mode) (c *cycle, end func()) {
	c = &cycle{e: e, cfg: cfg, now: e.opts.Now(), clock: time.Now()}
	c.res = &Result{Started: c.now, DryRun: cfg.DryRun, Mode: mode, Groups: map[string]GroupResult{}}
	oktaBefore, targetBefore := e.src.Accounting().Snapshot(), e.dst.Accounting().Snapshot()
	e.srcAuth.reset()
	e.dstAuth.reset()
	return c, func() {
		c.res.Duration = time.Since(c.clock)
		c.res.OktaRequests = requestDelta(oktaBefore, e.src.Accounting().Snapshot())
		targetAfter := e.dst.Accounting().Snapshot()
		c.res.TargetRequests = requestDelta(targetBefore, targetAfter)
		c.res.Throttled, c.res.Pacing = throttled(targetBefore, targetAfter), e.pacing()
		c.res.SourceAuthErr, c.res.TargetAuthErr = e.srcAuth.check(), e.dstAuth.check()
	}
}

// read reads both sides and confirms the deactivation candidates. An error
// means nothing was written.
func (c *cycle) read(ctx context.Context) error {
	e, st := c.e, c.st
	want, mark, markOK := e.readSource(ctx, c.cfg, st, c.res.Mode, c.clock, c.now)
	c.want = want
	c.res.SourceComplete, c.res.SourceErrors = want.Complete, want.Errors
	if err := ctx.Err(); err != nil {
		e.state = nil
		return err
	}
	st.watermark = time.Time{}
	if markOK && want.Complete {
		st.watermark = mark
	}
	if want.ReadsFailed > 0 && want.ReadsOK == 0 {
		// Every read failed (refused credentials, an outage): there is
		// nothing to create and nothing may be removed, so the target is not
		// even read.
		st.watermark = time.Time{}
		e.state = st
		return fmt.Errorf("%w: %s", ErrSourceUnavailable, want.Errors[0])
	}
	have, err := e.targetView(ctx, c.cfg, st, want, c.res.Mode)
	if err != nil {
		e.state = nil
		if errors.Is(err, scim.ErrIncomplete) {
			return fmt.Errorf("%w: %w", ErrTargetIncomplete, err)
		}
		return err
	}
	c.before = have
	if c.cfg.DryRun {
		have = have.clone()
	}
	c.have = have
	c.confirmed = e.confirmCandidates(ctx, c.cfg, st, want, have, c.res.Mode)
	c.released, c.approval = releasedKeys(c.cfg, st.held)
	return nil
}

// apply plans and writes users, then groups (Cisco's advice: users first),
// one request per change or in SCIM Bulk requests.
func (c *cycle) apply(ctx context.Context) {
	c.ap = newApplier(c.e, c.cfg, c.want, c.have, c.now)
	c.ap.retrying = c.st.retry
	c.up = planUsers(c.cfg, c.want, c.have, c.confirmed, c.released)
	users := deferFailed(c, c.up.Changes, userKey, func(u *userChange) OutOfSync { return OutOfSync{Kind: "User", Name: u.Name} })
	c.users = summarizeUsers(c.up.Changes, users)
	// From here the changes live only in the writes, which drop each one
	// applied (applyUsers).
	c.up.Changes = nil
	w := c.bulkWriter(ctx, len(users) > 0)
	var pending []*bulkItem
	if w != nil {
		pending = c.applyUsersBulk(ctx, w, users)
	} else {
		c.ap.applyUsers(ctx, users)
	}
	if len(c.up.ManagerWaits) > 0 {
		// Managers are named by target id: the creates they wait for
		// must have landed first.
		if len(pending) > 0 {
			c.applyGroupsBulk(ctx, w, pending, nil)
			pending = nil
		}
		c.ap.applyUsers(ctx, planManagers(c.cfg, c.want, c.have, c.up.ManagerWaits))
	}

	c.gp = planGroups(c.cfg, c.want, c.have, c.released)
	groups := deferFailed(c, c.gp.Changes, groupKey, func(g *groupChange) OutOfSync { return OutOfSync{Kind: "Group", Name: g.Name} })
	if w == nil {
		w = c.bulkWriter(ctx, len(groups) > 0)
	}
	if w != nil {
		c.applyGroupsBulk(ctx, w, pending, groups)
	} else {
		c.ap.applyGroups(ctx, groups)
	}
	c.res.PlanID = planID(c.users.digest, groups, c.have.ids)
}

// remember keeps what the next cycle builds on. A dry run keeps the views
// as read (it simulated its writes on a copy) and leaves the held set and
// the retries unchanged.
func (c *cycle) remember() {
	st := c.st
	st.have = c.before
	if !c.cfg.DryRun {
		c.res.ApprovalConsumed = c.approval
		if c.approval != "" {
			st.lastApproved = c.approval
		}
		st.held = c.res.Held
		c.e.recordRetries(st, c.ap, c.now)
		st.confirmedMembers = c.confirmedMembers
	}
	st.want = c.want
	c.e.state = st
	if c.res.Mode != ModeTargeted && c.want != nil && c.want.Complete {
		// A scheduled cycle that read everything judged all that changed
		// since the last one: it opens a new threshold window for targeted
		// cycles. A failed or partial one does not, or its retries would.
		c.e.spent = 0
	}
}

// readSource reads the source fully or incrementally and returns the next
// watermark: for a full read, the server time at which it started, minus the
// overlap (server clock plus monotonic elapsed time; never the local clock).
func (e *Engine) readSource(ctx context.Context, cfg *Config, st *state, mode Mode, clock, now time.Time) (*desired, time.Time, bool) {
	if mode == ModeIncremental {
		return e.readSourceIncremental(ctx, cfg, st, now)
	}
	want := e.readSourceFull(ctx, cfg, st, now)
	server := e.src.ServerTime()
	if server.IsZero() {
		return want, time.Time{}, false
	}
	return want, server.Add(-time.Since(clock)).Add(-e.opts.WatermarkOverlap), true
}

// targetView returns the target as read now (full) or as remembered and
// kept current by earlier writes (incremental); groups whose membership
// became unknown after a failed write are re-read.
func (e *Engine) targetView(ctx context.Context, cfg *Config, st *state, want *desired, mode Mode) (*actual, error) {
	if mode == ModeFull {
		return e.readTarget(ctx, cfg, want)
	}
	have := st.have
	members := e.memberReader(have)
	for _, dg := range want.Groups {
		if !dg.Config.Push {
			continue
		}
		if tg := findTargetGroup(dg, have); tg != nil && tg.Members == nil {
			members.readMembers(ctx, tg)
		}
	}
	return have, ctx.Err()
}

// confirmCandidates reads by id the Okta record of every managed, active
// target user outside the scope. Full cycles read them afresh; incremental
// cycles reuse what the last full cycle read.
func (e *Engine) confirmCandidates(ctx context.Context, cfg *Config, st *state, want *desired, have *actual, mode Mode) map[string]confirmation {
	if mode == ModeFull {
		st.confirmed = map[string]confirmation{}
	}
	if !cfg.DeactivateUsers || !want.Complete {
		return st.confirmed
	}
	var ids []string
	for _, t := range have.Users {
		if t.managed() && t.Active && want.Users[t.ExternalID] == nil {
			if _, known := st.confirmed[t.ExternalID]; !known {
				ids = append(ids, t.ExternalID)
			}
		}
	}
	results := make([]confirmation, len(ids))
	idx := make(map[string]int, len(ids))
	for i, id := range ids {
		idx[id] = i
		// A read never started (the cycle ended first) confirms nothing.
		results[i] = confirmation{Err: errNotRead}
	}
	each(ctx, e.opts.ReadConcurrency, ids, func(ctx context.Context, id string) {
		u, err := e.src.GetUser(ctx, id, cfg.confirmReads()...)
		switch {
		case errors.Is(err, okta.ErrNotFound):
			results[idx[id]] = confirmation{Found: false}
		case err != nil:
			results[idx[id]] = confirmation{Err: err}
		default:
			results[idx[id]] = confirmation{Found: true, Status: u.Status, OutOfScope: cfg.compiled.excludes(u)}
		}
	})
	for i, id := range ids {
		if results[i].Err == nil {
			st.confirmed[id] = results[i]
		}
	}
	return st.confirmed
}

// deferFailed drops changes of objects still in their retry backoff, unless
// a person asked for this cycle, and notes what it dropped.
func deferFailed[T any](c *cycle, changes []T, key func(T) string, describe func(T) OutOfSync) []T {
	out := changes[:0:0]
	for _, ch := range changes {
		if r, ok := c.st.retry[key(ch)]; ok && c.now.Before(r.next) && !c.cfg.RetryDeferred {
			c.res.Deferred++
			o := describe(ch)
			o.Reason = "waiting until " + r.next.UTC().Format(time.RFC3339) + " to retry after a failure"
			c.deferred = append(c.deferred, o)
			continue
		}
		out = append(out, ch)
	}
	return out
}

// recordRetries spaces the next attempt of each failed object: its own
// backoff, or longer when the target asked to wait longer (Retry-After).
// Changes refused along with the credentials are not backed off: the token
// failed, not the object.
func (e *Engine) recordRetries(st *state, ap *applier, now time.Time) {
	for key := range ap.succeeded {
		if _, failed := ap.failed[key]; !failed {
			delete(st.retry, key)
		}
	}
	for key, err := range ap.failed {
		if scimAuthFailure(err) {
			// The credentials were refused, not the object: no backoff.
			continue
		}
		r := st.retry[key]
		r.attempts++
		wait := e.opts.backoff(r.attempts)
		if d, ok := scim.RetryAfter(err); ok && d > wait {
			wait = d
		}
		r.next = now.Add(wait)
		st.retry[key] = r
	}
}

func requestDelta(before, after map[httpx.RequestKey]int64) Requests {
	out := Requests{}
	for k, n := range after {
		if d := n - before[k]; d > 0 {
			out[k.Kind] += d
		}
	}
	return out
}

// errNotRead marks a confirmation whose read did not run.
var errNotRead = errors.New("not read")

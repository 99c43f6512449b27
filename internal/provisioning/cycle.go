package provisioning

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
)

// run is one cycle: read the source, read the target, confirm deactivation
// candidates, plan and apply users, then plan and apply groups.
func (e *Engine) run(ctx context.Context, cfg Config) (*Result, error) {
	start := e.opts.Now()
	clock := time.Now() // monotonic, for durations only
	oktaBefore := e.src.Accounting().Snapshot()
	targetBefore := e.dst.Accounting().Snapshot()
	res := &Result{Started: start, DryRun: cfg.DryRun, Mode: ModeFull, Groups: map[string]GroupResult{}}
	defer func() {
		res.Duration = time.Since(clock)
		res.OktaRequests = requestDelta(oktaBefore, e.src.Accounting().Snapshot())
		res.TargetRequests = requestDelta(targetBefore, e.dst.Accounting().Snapshot())
	}()

	st := e.state
	hash := cfg.scopeHash()
	if st == nil || st.scopeHash != hash {
		st = newState()
		st.scopeHash = hash
	}
	if cfg.Mode == ModeIncremental && st.want != nil && st.have != nil && !st.watermark.IsZero() {
		res.Mode = ModeIncremental
	}

	want, mark, markOK := e.readSource(ctx, &cfg, st, res.Mode, clock)
	res.SourceComplete, res.SourceErrors = want.Complete, want.Errors
	if err := ctx.Err(); err != nil {
		e.state = nil
		return res, err
	}
	if want.ReadsFailed > 0 && want.ReadsOK == 0 {
		// Every read failed (refused credentials, an outage): there is
		// nothing to create and nothing may be removed, so the target is not
		// even read.
		st.watermark = time.Time{}
		e.state = st
		return res, fmt.Errorf("%w: %s", ErrSourceUnavailable, want.Errors[0])
	}

	have, err := e.targetView(ctx, &cfg, st, want, res.Mode)
	if err != nil {
		e.state = nil
		return res, err
	}
	if cfg.DryRun {
		have = have.clone()
	}

	confirmed := e.confirmCandidates(ctx, &cfg, st, want, have, res.Mode)
	released, approval := releasedKeys(&cfg, st.held)
	now := e.opts.Now()
	ap := newApplier(e, &cfg, have, now)

	up := planUsers(&cfg, want, have, confirmed, released)
	users := deferFailed(st, now, up.Changes, userKey, &res.Deferred)
	ap.applyUsers(ctx, users)

	gp := planGroups(&cfg, want, have, released)
	groups := deferFailed(st, now, gp.Changes, groupKey, &res.Deferred)
	ap.applyGroups(ctx, groups)

	held := newHeldSet(append(up.Held, gp.Held...), &cfg, st.held, now)
	e.fillResult(res, &cfg, st, want, have, up, gp, ap, held, now)
	res.PlanID = planID(users, groups)

	if !cfg.DryRun {
		res.ApprovalConsumed = approval
		st.held = held
		st.have = have
		e.recordRetries(st, ap, now)
	}
	st.want = want
	if markOK && want.Complete {
		st.watermark = mark
	} else {
		st.watermark = time.Time{}
	}
	e.state = st
	return res, ctx.Err()
}

// readSource reads the source fully or incrementally and returns the next
// watermark: for a full read, the server time at which it started, minus the
// overlap (server clock plus monotonic elapsed time; never the local clock).
func (e *Engine) readSource(ctx context.Context, cfg *Config, st *state, mode Mode, clock time.Time) (*desired, time.Time, bool) {
	if mode == ModeIncremental {
		return e.readSourceIncremental(ctx, cfg, st.want, st.watermark)
	}
	want := e.readSourceFull(ctx, cfg)
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
	var mu sync.Mutex
	for _, dg := range want.Groups {
		if !dg.Config.Push {
			continue
		}
		if tg := findTargetGroup(dg, have); tg != nil && tg.Members == nil {
			e.readTargetMembers(ctx, have, tg, &mu)
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
	}
	each(ctx, e.opts.ReadConcurrency, ids, func(ctx context.Context, id string) {
		u, err := e.src.GetUser(ctx, id)
		switch {
		case errors.Is(err, okta.ErrNotFound):
			results[idx[id]] = confirmation{Found: false}
		case err != nil:
			results[idx[id]] = confirmation{Err: err}
		default:
			results[idx[id]] = confirmation{Found: true, Status: u.Status}
		}
	})
	for i, id := range ids {
		if results[i].Err == nil {
			st.confirmed[id] = results[i]
		}
	}
	return st.confirmed
}

// deferFailed drops changes of objects still in their retry backoff.
func deferFailed[T any](st *state, now time.Time, changes []T, key func(T) string, deferred *int) []T {
	out := changes[:0:0]
	for _, c := range changes {
		if r, ok := st.retry[key(c)]; ok && now.Before(r.next) {
			*deferred++
			continue
		}
		out = append(out, c)
	}
	return out
}

func (e *Engine) recordRetries(st *state, ap *applier, now time.Time) {
	for key := range ap.succeeded {
		if _, failed := ap.failed[key]; !failed {
			delete(st.retry, key)
		}
	}
	for key := range ap.failed {
		r := st.retry[key]
		r.attempts++
		r.next = now.Add(e.opts.backoff(r.attempts))
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

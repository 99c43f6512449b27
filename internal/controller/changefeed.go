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

package controller

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/types"

	"github.com/scimbridge/scimbridge/internal/defaults"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// FeedOptions tune the change feed.
type FeedOptions struct {
	// Disabled turns the System Log feed off for every integration.
	Disabled bool
	// LogsShare is the part of the org's System Log bucket the feed plans
	// its polls for (default okta.DefaultLogsShare, at most that share,
	// which the Okta client enforces).
	LogsShare float64
	// MinInterval and MaxInterval bound the poll interval, which otherwise
	// follows the budget (default 1s and 1m).
	MinInterval, MaxInterval time.Duration
	// HookIdleFactor stretches the idle poll interval while event hooks
	// arrive: the hooks wake the poll, and the idle polls are the backstop
	// for lost ones (default 4).
	HookIdleFactor int
	// BehindAfter is how long polls may fail before the feed counts as
	// behind and a full cycle covers what it may have missed (default 2m).
	BehindAfter time.Duration
}

func (o FeedOptions) withDefaults() FeedOptions {
	d := defaultFeedOptions
	if o.LogsShare > d.LogsShare {
		o.LogsShare = 0 // more than the default share is not ours to take
	}
	o.LogsShare = defaults.Positive(o.LogsShare, d.LogsShare)
	o.MinInterval = defaults.Positive(o.MinInterval, d.MinInterval)
	o.MaxInterval = defaults.Positive(o.MaxInterval, d.MaxInterval)
	o.HookIdleFactor = defaults.Positive(o.HookIdleFactor, d.HookIdleFactor)
	o.BehindAfter = defaults.Positive(o.BehindAfter, d.BehindAfter)
	return o
}

// defaultFeedOptions fills what FeedOptions leave unset.
var defaultFeedOptions = FeedOptions{
	LogsShare:      okta.DefaultLogsShare,
	MinInterval:    time.Second,
	MaxInterval:    time.Minute,
	HookIdleFactor: 4,
	BehindAfter:    2 * time.Minute,
}

const (
	// feedPageSize is the events asked for per poll.
	feedPageSize = 500
	// feedCatchUp is the oldest point a poll resumes from after a restart:
	// anything older is the scheduled cycles' to cover.
	feedCatchUp = time.Hour
	// feedAssumedLimit is the logs bucket assumed until Okta's headers tell.
	feedAssumedLimit = 120
	// hookRecent is how long after a hook the feed counts on hooks.
	hookRecent = 10 * time.Minute
)

// changeFeed polls each Okta org's System Log once for all integrations
// that read the org, and hands each event's objects to the integrations
// it concerns as targeted cycles. It runs on the leader only.
type changeFeed struct {
	opts    FeedOptions
	pool    *cyclePool
	metrics feedMetrics
	log     logr.Logger

	mu   sync.Mutex
	ctx  context.Context
	orgs map[string]*orgFeed
	subs map[types.NamespacedName]*feedSub
}

// feedSub is one integration's subscription.
type feedSub struct {
	key    types.NamespacedName
	org    string
	client *okta.Client
	engine *provisioning.Engine
	scope  feedScope
	hook   *hookAuth
	// cursor is the publication time of the last event handed on.
	cursor    time.Time
	lastEvent time.Time
	message   string
	// behind says why a full cycle must cover what the feed may have
	// missed; behindSeq tells a cycle submitted before it from one after.
	behind      string
	behindSeq   uint64
	coveringSeq uint64
	// covers counts the full cycles submitted for the mark; the next
	// waits until retryAt, so a lasting failure costs a few full cycles.
	covers  int
	retryAt time.Time
}

// feedRetryBase is the wait before the second full cycle for one mark,
// doubled for each further one up to feedRetryMax.
const (
	feedRetryBase = 10 * time.Second
	feedRetryMax  = 10 * time.Minute
)

// feedRegistration is what a reconcile tells the feed of its integration.
type feedRegistration struct {
	orgURL string
	client *okta.Client
	engine *provisioning.Engine
	scope  feedScope
	hook   *hookAuth
	// cursor is status.changeFeed.cursor (zero when there is none).
	cursor time.Time
}

// feedView is the feed's state for one integration, for the status.
type feedView struct {
	cursor, lastEvent time.Time
	active            bool
	message           string
	// disabled: the spec or the manager turned the feed off; inactive:
	// it is off until both ends' credentials are verified.
	disabled, inactive bool
	behind             string
	behindSeq          uint64
	// behindDue: a full cycle for the mark may run now.
	behindDue bool
}

// orgFeed is one org's poller.
type orgFeed struct {
	key   string
	wake  chan struct{}
	pacer *rate.Limiter
	// next is the link the last poll returned; since is where a poll
	// without one starts.
	next      string
	since     time.Time
	seen      *recentIDs
	lastPoll  time.Time
	lastHook  time.Time
	stop      context.CancelFunc
	failures  int
	forbidden string
	// failingSince is the first of the current run of failed polls;
	// behindMarked is set once that run made the feed behind.
	failingSince time.Time
	behindMarked bool
}

func newChangeFeed(opts FeedOptions, pool *cyclePool, m feedMetrics, log logr.Logger) *changeFeed {
	return &changeFeed{opts: opts.withDefaults(), pool: pool, metrics: m, log: log,
		orgs: map[string]*orgFeed{}, subs: map[types.NamespacedName]*feedSub{}}
}

// Start runs the org pollers until ctx ends; it implements manager.Runnable.
func (f *changeFeed) Start(ctx context.Context) error {
	f.mu.Lock()
	f.ctx = ctx
	for _, of := range f.orgs {
		f.startOrg(of)
	}
	f.mu.Unlock()
	<-ctx.Done()
	return nil
}

// NeedLeaderElection makes only the leader poll: targeted cycles run in
// the leader's cycle pool.
func (f *changeFeed) NeedLeaderElection() bool { return true }

// register adds or refreshes an integration's subscription and returns
// its state.
func (f *changeFeed) register(key types.NamespacedName, reg feedRegistration) feedView {
	f.mu.Lock()
	defer f.mu.Unlock()
	org := okta.OrgKey(reg.orgURL)
	sub := f.subs[key]
	if sub != nil && sub.org != org {
		f.dropLocked(key)
		sub = nil
	}
	if sub == nil {
		sub = &feedSub{key: key, org: org, cursor: reg.cursor}
		f.subs[key] = sub
		if !reg.cursor.IsZero() && time.Since(reg.cursor) >= feedCatchUp {
			f.behindLocked(sub, "the feed resumed more than "+feedCatchUp.String()+" after its cursor")
		}
	}
	sub.client, sub.engine, sub.scope, sub.hook = reg.client, reg.engine, reg.scope, reg.hook
	of := f.orgs[org]
	if of == nil {
		since := time.Now().Add(-time.Minute)
		if !reg.cursor.IsZero() && time.Since(reg.cursor) < feedCatchUp {
			since = reg.cursor
		}
		of = &orgFeed{key: org, wake: make(chan struct{}, 1), since: since, seen: newRecentIDs(4096),
			pacer: rate.NewLimiter(f.budgetRate(feedAssumedLimit), 3)}
		f.orgs[org] = of
		if f.ctx != nil {
			f.startOrg(of)
		}
	}
	if sub.cursor.Before(of.since) {
		sub.cursor = of.since
	}
	msg := sub.message
	if of.forbidden != "" {
		msg = of.forbidden
	}
	return feedView{cursor: sub.cursor, lastEvent: sub.lastEvent, active: msg == "" && f.ctx != nil && !of.lastPoll.IsZero(),
		message: msg, behind: sub.behind, behindSeq: sub.behindSeq, behindDue: sub.behind != "" && !time.Now().Before(sub.retryAt)}
}

// fallBehind records that a full cycle must cover what the feed may have
// missed for the integration, and wakes its reconcile to run one.
func (f *changeFeed) fallBehind(key types.NamespacedName, why string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sub := f.subs[key]; sub != nil {
		f.behindLocked(sub, why)
	}
}

// behindLocked marks sub behind; the caller holds f.mu.
func (f *changeFeed) behindLocked(sub *feedSub, why string) {
	if sub.behind == "" {
		sub.behindSeq++
		f.log.Info("change feed behind; a full cycle covers it", "integration", sub.key.String(), "reason", why)
	}
	sub.behind = why
	f.pool.poke(sub.key)
}

// covering notes that a scheduled cycle was submitted after the mark of
// seq; covered clears that mark once such a cycle read Okta completely.
func (f *changeFeed) covering(key types.NamespacedName, seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sub := f.subs[key]; sub != nil && sub.behindSeq == seq {
		sub.coveringSeq = seq
		wait := min(feedRetryBase<<min(sub.covers, 10), feedRetryMax)
		sub.retryAt = time.Now().Add(wait)
		sub.covers++
		// Should this cycle not cover the mark, the reconcile looks again then.
		time.AfterFunc(wait, func() { f.pool.poke(key) })
	}
}

func (f *changeFeed) covered(key types.NamespacedName) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sub := f.subs[key]; sub != nil && sub.behind != "" && sub.coveringSeq == sub.behindSeq {
		sub.behind, sub.covers, sub.retryAt = "", 0, time.Time{}
	}
}

// forget drops an integration's subscription (suspended, deleted, its
// feed disabled, or its credentials unusable).
func (f *changeFeed) forget(key types.NamespacedName) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropLocked(key)
}

func (f *changeFeed) dropLocked(key types.NamespacedName) {
	sub := f.subs[key]
	if sub == nil {
		return
	}
	delete(f.subs, key)
	for _, s := range f.subs {
		if s.org == sub.org {
			return
		}
	}
	if of := f.orgs[sub.org]; of != nil {
		if of.stop != nil {
			of.stop()
		}
		delete(f.orgs, sub.org)
	}
}

// hookFor returns the hook credentials of an integration and wakes its
// org's poll when woken is true. Nil when the integration takes no hooks.
func (f *changeFeed) hookFor(key types.NamespacedName) (*hookAuth, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub := f.subs[key]
	if sub == nil || sub.hook == nil {
		return nil, nil
	}
	of := f.orgs[sub.org]
	return sub.hook, func() {
		f.mu.Lock()
		of.lastHook = time.Now()
		f.mu.Unlock()
		select {
		case of.wake <- struct{}{}:
		default:
		}
	}
}

// startOrg starts an org's poller; the caller holds f.mu.
func (f *changeFeed) startOrg(of *orgFeed) {
	ctx, cancel := context.WithCancel(f.ctx)
	of.stop = cancel
	go f.runOrg(ctx, of)
}

// budgetRate is the poll rate that keeps to the share of a logs bucket of
// limit requests a minute.
func (f *changeFeed) budgetRate(limit int) rate.Limit {
	perMinute := max(1, float64(limit)*f.opts.LogsShare)
	every := min(max(time.Duration(float64(time.Minute)/perMinute), f.opts.MinInterval), f.opts.MaxInterval)
	return rate.Every(every)
}

func (f *changeFeed) runOrg(ctx context.Context, of *orgFeed) {
	wait := time.Duration(0)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-of.wake:
		case <-timer.C:
		}
		if err := of.pacer.Wait(ctx); err != nil {
			return
		}
		wait = f.pollOrg(ctx, of)
		timer.Reset(wait)
	}
}

// pollOrg reads one page of the org's System Log, hands its events on
// and returns how long to wait before the next poll.
func (f *changeFeed) pollOrg(ctx context.Context, of *orgFeed) time.Duration {
	client, next, since := f.orgClient(of)
	if client == nil {
		return f.opts.MaxInterval
	}
	page, err := client.PollLogs(ctx, next, since, feedEventTypes, feedPageSize)
	if err != nil {
		return f.pollFailed(of, err)
	}
	if limit := client.Limiter().Bucket(okta.LogsBucket).Limit; limit > 0 {
		of.pacer.SetLimit(f.budgetRate(limit))
	}
	f.handOn(of, page)
	if page.Full {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	every := time.Duration(float64(time.Second) / float64(of.pacer.Limit()))
	if time.Since(of.lastHook) < hookRecent {
		every *= time.Duration(f.opts.HookIdleFactor)
	}
	return min(every, f.opts.MaxInterval)
}

// orgClient picks the client of the org's first subscription (by name),
// with the poll position, and sets the subscriptions' lag: the time since
// the org's last complete poll, the most an unread event can have waited.
func (f *changeFeed) orgClient(of *orgFeed) (*okta.Client, string, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []types.NamespacedName
	for k, s := range f.subs {
		if s.org == of.key && s.client != nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, "", time.Time{}
	}
	slices.SortFunc(keys, func(a, b types.NamespacedName) int { return cmp.Compare(a.String(), b.String()) })
	for _, k := range keys {
		if of := f.orgs[of.key]; of != nil && !of.lastPoll.IsZero() {
			f.metrics.lag.WithLabelValues(k.Namespace, k.Name).Set(time.Since(of.lastPoll).Seconds())
		}
	}
	return f.subs[keys[0]].client, of.next, of.since
}

// pollFailed records a failed poll: credentials that may not read the
// System Log switch the feed off until they change; anything else backs off.
func (f *changeFeed) pollFailed(of *orgFeed, err error) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	of.failures++
	if errors.Is(err, okta.ErrForbidden) || errors.Is(err, okta.ErrUnauthorized) {
		// The feed is off, not behind: the scheduled cycles carry on alone.
		of.forbidden = "the Okta credentials may not read the System Log (an OAuth service app needs the okta.logs.read scope); changes reach the target with the scheduled cycles"
		return f.opts.MaxInterval
	}
	if of.failingSince.IsZero() {
		of.failingSince = time.Now()
	}
	if !of.behindMarked && time.Since(of.failingSince) >= f.opts.BehindAfter {
		// Once per run of failures: the log is durable, so the polls
		// resume where they stopped; the one full cycle bounds the delay.
		of.behindMarked = true
		for _, sub := range f.subs {
			if sub.org == of.key {
				f.behindLocked(sub, "System Log polls failed for "+f.opts.BehindAfter.String())
			}
		}
	}
	f.log.V(1).Info("System Log poll failed", "error", err.Error())
	return min(f.opts.MinInterval<<min(of.failures, 6), f.opts.MaxInterval)
}

// handOn maps a page's events to the integrations of the org and submits
// their targets to the pool, then moves every subscription's cursor.
func (f *changeFeed) handOn(of *orgFeed, page okta.LogPage) {
	f.mu.Lock()
	of.failures, of.forbidden, of.lastPoll, of.failingSince, of.behindMarked = 0, "", time.Now(), time.Time{}, false
	of.next = page.Next
	type batch struct {
		sub       *feedSub
		targets   provisioning.Targets
		published []time.Time
	}
	batches := map[types.NamespacedName]*batch{}
	for _, ev := range page.Events {
		if ev.Published.After(of.since) {
			of.since = ev.Published
		}
		if !of.seen.add(ev.UUID) {
			continue
		}
		for key, sub := range f.subs {
			if sub.org != of.key {
				continue
			}
			t := sub.scope.targetsOf(ev)
			if t.Empty() {
				continue
			}
			b := batches[key]
			if b == nil {
				b = &batch{sub: sub}
				batches[key] = b
			}
			b.targets, b.published = b.targets.Merge(t), append(b.published, ev.Published)
			sub.lastEvent = ev.Published
		}
	}
	for _, sub := range f.subs {
		if sub.org == of.key && sub.cursor.Before(of.since) {
			sub.cursor = of.since
		}
	}
	f.mu.Unlock()
	for key, b := range batches {
		// Asked outside the lock: the engine may be busy with a cycle.
		t := b.sub.engine.Relevant(b.targets)
		result := "ignored"
		switch {
		case t.Empty():
		case f.pool.submitTargets(key, t, b.published):
			result = "targeted"
		default:
			result = "covered"
		}
		f.metrics.events.WithLabelValues(key.Namespace, key.Name, result).Add(float64(len(b.published)))
	}
}

// recentIDs remembers the last n ids seen, to drop repeated events.
type recentIDs struct {
	ring []string
	at   int
	set  map[string]bool
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{ring: make([]string, n), set: make(map[string]bool, n)}
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id string) bool {
	if id == "" {
		return true
	}
	if r.set[id] {
		return false
	}
	if old := r.ring[r.at]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.at], r.set[id] = id, true
	r.at = (r.at + 1) % len(r.ring)
	return true
}

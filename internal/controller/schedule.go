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
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// Why a cycle runs. Human triggers (spec, annotations) only wait for the
// minimum gap; automatic ones also wait out the failure backoff.
const (
	triggerGeneration = "GenerationChanged"
	triggerRequested  = "ReconcileRequested"
	triggerFullSync   = "FullSyncRequested"
	triggerApproval   = "ApprovalGiven"
	triggerClients    = "CredentialsChanged"
	triggerGroups     = "GroupsChanged"
	triggerFirst      = "FirstCycle"
	triggerDue        = "Due"
	triggerFeedBehind = "ChangeFeedBehind"
)

// scheduleInput is everything that decides whether a cycle runs now.
type scheduleInput struct {
	Now time.Time

	GenerationChanged bool
	Requested         bool // the reconcile-requested-at annotation is new
	FullRequested     bool // the full-sync-requested-at annotation is new
	ApprovalPending   bool // the approve annotation names the held set
	ClientsChanged    bool // a Secret or client field changed since the last attempt
	GroupsChanged     bool // a ProvisionedGroup needs the cycle
	NeverSynced       bool
	FeedBehind        bool // the change feed may have missed changes

	// NextSync is status.nextSyncTime (zero: none).
	NextSync time.Time
	// LastFullSync is status.lastFullSyncTime (zero: none).
	LastFullSync       time.Time
	SyncInterval       time.Duration
	FullResyncInterval time.Duration

	// LastAttempt is when this process last verified or cycled (zero: never).
	LastAttempt time.Time
	Failures    int
	MinGap      time.Duration
	// StartupNotBefore delays overdue cycles after a restart, spread per
	// integration so a restart does not start every cycle at once.
	StartupNotBefore time.Time
}

// decision says whether to run a cycle now, which kind, or when to look again.
type decision struct {
	Run          bool
	Trigger      string
	Mode         provisioning.Mode
	RequeueAfter time.Duration
}

// decide is the scheduler: pure, so the rules are tested without a cluster.
func decide(in scheduleInput) decision {
	mode := provisioning.ModeIncremental
	if in.LastFullSync.IsZero() || in.FullResyncInterval <= 0 || !in.Now.Before(in.LastFullSync.Add(in.FullResyncInterval)) ||
		in.GenerationChanged || in.ClientsChanged || in.FullRequested {
		mode = provisioning.ModeFull
	}
	humanGap := in.LastAttempt.Add(in.MinGap)
	autoGap := in.LastAttempt.Add(max(in.MinGap, backoff(in.Failures, in.MinGap, in.SyncInterval)))
	if in.LastAttempt.IsZero() {
		humanGap, autoGap = time.Time{}, time.Time{}
	}
	try := func(trigger string, notBefore time.Time) decision {
		if in.Now.Before(notBefore) {
			return decision{Trigger: trigger, Mode: mode, RequeueAfter: notBefore.Sub(in.Now)}
		}
		return decision{Run: true, Trigger: trigger, Mode: mode}
	}
	switch {
	case in.GenerationChanged:
		return try(triggerGeneration, humanGap)
	case in.FullRequested:
		return try(triggerFullSync, humanGap)
	case in.Requested:
		return try(triggerRequested, humanGap)
	case in.ApprovalPending:
		return try(triggerApproval, humanGap)
	case in.ClientsChanged:
		return try(triggerClients, humanGap)
	case in.GroupsChanged:
		return try(triggerGroups, autoGap)
	case in.NeverSynced && in.NextSync.IsZero():
		return try(triggerFirst, autoGap)
	case in.FeedBehind:
		mode = provisioning.ModeFull
		return try(triggerFeedBehind, autoGap)
	}
	due := in.NextSync
	if due.IsZero() {
		due = in.Now
	}
	notBefore := latest(due, autoGap, in.StartupNotBefore)
	return try(triggerDue, notBefore)
}

// backoff spaces automatic retries after consecutive failures: the minimum
// gap doubled per failure, at most the sync interval.
func backoff(failures int, minGap, ceiling time.Duration) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := max(minGap, time.Second)
	for i := 1; i < failures && d < ceiling; i++ {
		d *= 2
	}
	if ceiling > 0 && d > ceiling {
		d = ceiling
	}
	return d
}

// nextSync is when the next cycle is due after one finished at end: the
// interval plus up to 10% jitter on success (so integrations drift apart),
// the backoff on failure.
func nextSync(end time.Time, ok bool, failures int, interval, minGap time.Duration) time.Time {
	if !ok {
		return end.Add(max(minGap, backoff(failures, minGap, interval)))
	}
	jitter := time.Duration(0)
	if interval >= 10 {
		jitter = time.Duration(rand.Int64N(int64(interval / 10))) //nolint:gosec // spreads schedules; nothing secret depends on it
	}
	return end.Add(interval + jitter)
}

// startupSpread returns a stable per-integration delay in [0, spread).
func startupSpread(key string, spread time.Duration) time.Duration {
	if spread <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum64() % uint64(spread)) //nolint:gosec // the remainder is below spread, an int64
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

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
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// applier executes planned changes against the target and mirrors every
// successful write into the actual view, so later steps of the cycle (and
// incremental cycles) see the target as it now is.
type applier struct {
	e      *Engine
	cfg    *Config
	want   *desired
	have   *actual
	dryRun bool
	now    time.Time

	mu       sync.Mutex
	counts   Counts
	failures []Failure
	// renamesFailed counts renames whose first step (to a temporary name)
	// failed: they changed nothing and do not count towards thresholds.
	renamesFailed int
	// failed and succeeded feed the per-object retry backoff; successes
	// matter only for objects in it (retrying), so only those are kept.
	failed    map[string]error
	succeeded map[string]bool
	retrying  map[string]retryRecord
	// placeholders are pending Bulk creates in the view.
	placeholders []string
}

func newApplier(e *Engine, cfg *Config, want *desired, have *actual, now time.Time) *applier {
	return &applier{e: e, cfg: cfg, want: want, have: have, dryRun: cfg.DryRun, now: now,
		failed: map[string]error{}, succeeded: map[string]bool{}}
}

// each runs fn over items, at most limit at a time.
func each[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T)) {
	eachItem(ctx, limit, items, fn, false)
}

// eachOnce is each for items used once: an item's slot is cleared when it
// is done, so what was applied can be collected while the rest is written.
func eachOnce[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T)) {
	eachItem(ctx, limit, items, fn, true)
}

func eachItem[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T), release bool) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			fn(gctx, it)
			if release {
				var none T
				items[i] = none
			}
			return nil
		})
	}
	_ = g.Wait()
}

func (a *applier) fail(key, kind, name string, action Action, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts.Failures++
	a.failed[key] = err
	if len(a.failures) < MaxFailuresKept {
		a.failures = append(a.failures, Failure{Kind: kind, Name: name, Action: action, Err: err})
	}
}

func (a *applier) ok(key string, count func(*Counts)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, was := a.retrying[key]; was {
		a.succeeded[key] = true
	}
	count(&a.counts)
}

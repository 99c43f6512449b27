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
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/defaults"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/sharding"
)

// Options tune both reconcilers. Zero values take the defaults.
type Options struct {
	// MaxConcurrentReconciles is the number of workers per controller.
	// Reconciles are short: cycles run in the cycle pool. Default 4.
	MaxConcurrentReconciles int
	// MaxConcurrentCycles bounds the cycles running at once, across all
	// integrations. Default 8.
	MaxConcurrentCycles int
	// CycleTimeout bounds one cycle; work done before it expires is kept
	// (the target holds it) and the next cycle continues. Default 30m.
	CycleTimeout time.Duration
	// VerifyTimeout bounds the credential check of each end, separately.
	// Default 30s.
	VerifyTimeout time.Duration
	// MinCycleGap is the least time between two attempts for one
	// integration, whatever triggers them. Default 30s.
	MinCycleGap time.Duration
	// StartupSpread spreads cycles that fell due while the manager was
	// down over this window, per integration; 0 starts them at once.
	StartupSpread time.Duration
	// TargetRateMode paces each integration's requests to its SCIM target
	// (Cisco publishes no limit, and answers 429 when it is exceeded):
	// Adaptive finds the target's rate below TargetMaxRequestsPerSecond,
	// Fixed sends at TargetRequestsPerSecond. A spec's rateLimit overrides
	// both. TargetMaxInFlight caps requests in flight. Defaults Adaptive,
	// 200, 25 and 8.
	TargetRateMode             string
	TargetMaxRequestsPerSecond float64
	TargetRequestsPerSecond    float64
	TargetMaxInFlight          int
	// FinalizerTimeout is how long a deleted Delete-policy ProvisionedGroup
	// waits for its integration to delete the target group before the
	// finalizer is released anyway, with a Warning. Default 10m.
	FinalizerTimeout time.Duration
	// OktaLimiters paces every Okta client the manager builds: integrations
	// that read one org share its budget. Default: a registry of its own.
	OktaLimiters *okta.Limiters
	// Engine tunes the sync engines (Log and Now are set per integration).
	Engine provisioning.Options
	// Sharding, when set, makes this replica one of several that each act
	// on the integrations of the shards they hold (Client, Reader, Log and
	// the hooks are filled in by Setup). Nil: this manager acts on every
	// integration (alone, or as the elected leader).
	Sharding *sharding.Config
	// Feed tunes the System Log change feed; Hooks the Event Hook receiver
	// (off unless it has a bind address).
	Feed  FeedOptions
	Hooks HookOptions
}

// defaultOptions holds the value each zero field of Options takes.
var defaultOptions = Options{
	MaxConcurrentReconciles:    4,
	MaxConcurrentCycles:        8,
	CycleTimeout:               30 * time.Minute,
	VerifyTimeout:              30 * time.Second,
	MinCycleGap:                30 * time.Second,
	FinalizerTimeout:           10 * time.Minute,
	TargetRateMode:             string(identityv1alpha1.PacingAdaptive),
	TargetRequestsPerSecond:    25,
	TargetMaxRequestsPerSecond: 200,
	TargetMaxInFlight:          8,
}

func (o Options) withDefaults() Options {
	d := defaultOptions
	o.MaxConcurrentReconciles = defaults.Positive(o.MaxConcurrentReconciles, d.MaxConcurrentReconciles)
	o.MaxConcurrentCycles = defaults.Positive(o.MaxConcurrentCycles, d.MaxConcurrentCycles)
	o.CycleTimeout = defaults.Positive(o.CycleTimeout, d.CycleTimeout)
	o.VerifyTimeout = defaults.Positive(o.VerifyTimeout, d.VerifyTimeout)
	o.MinCycleGap = defaults.Positive(o.MinCycleGap, d.MinCycleGap)
	o.FinalizerTimeout = defaults.Positive(o.FinalizerTimeout, d.FinalizerTimeout)
	o.StartupSpread = max(o.StartupSpread, 0)
	o.TargetRequestsPerSecond = defaults.Positive(o.TargetRequestsPerSecond, d.TargetRequestsPerSecond)
	o.TargetMaxRequestsPerSecond = defaults.Positive(o.TargetMaxRequestsPerSecond, d.TargetMaxRequestsPerSecond)
	if o.TargetRateMode != string(identityv1alpha1.PacingFixed) {
		// Anything but Fixed, unknown spellings included, paces adaptively.
		o.TargetRateMode = d.TargetRateMode
	}
	o.TargetMaxInFlight = defaults.Positive(o.TargetMaxInFlight, d.TargetMaxInFlight)
	if o.OktaLimiters == nil {
		// Made per manager, not in the table: one registry per process.
		o.OktaLimiters = okta.NewLimiters(okta.LimiterOptions{})
	}
	return o
}

// integrationRefIndex indexes ProvisionedGroups by their integration's name.
const integrationRefIndex = "spec.integrationRef.name"

// Setup registers the field indexes, the cycle pool and both reconcilers
// with mgr. They share one client cache, so a ProvisionedGroup's Okta
// lookups and its integration's cycles use one client and one rate budget.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &identityv1alpha1.DirectoryIntegration{}, secretRefIndex, func(o client.Object) []string {
		return secretNames(o.(*identityv1alpha1.DirectoryIntegration))
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &identityv1alpha1.ProvisionedGroup{}, integrationRefIndex, func(o client.Object) []string {
		return []string{o.(*identityv1alpha1.ProvisionedGroup).Spec.IntegrationRef.Name}
	}); err != nil {
		return err
	}
	m := sharedMetrics()
	shards, err := newShardGate(mgr, opts.Sharding)
	if err != nil {
		return err
	}
	pool := newCyclePool(opts.MaxConcurrentCycles, opts.CycleTimeout)
	pool.waited = m.observeQueueWait
	pool.scope = shards.cycleContext
	if err := mgr.Add(pool); err != nil {
		return err
	}
	shared := &sharedState{
		cache:       newClientCache(mgr.GetAPIReader(), m, mgr.GetLogger().WithName("engine"), opts),
		metrics:     m,
		hints:       newGroupHints(),
		groupEvents: make(chan event.GenericEvent, 256),
		pool:        pool,
		shards:      shards,
	}
	shared.cache.shards = shards
	if err := setupFeed(mgr, opts, shared); err != nil {
		return err
	}
	recorder := mgr.GetEventRecorder("scimbridge")
	di := &DirectoryIntegrationReconciler{Client: mgr.GetClient(), Recorder: recorder, shared: shared, opts: opts,
		started: time.Now(), state: map[types.NamespacedName]*integrationState{}}
	shards.disown = di.disownShard
	if err := di.SetupWithManager(mgr); err != nil {
		return err
	}
	pg := &ProvisionedGroupReconciler{Client: mgr.GetClient(), Recorder: recorder, shared: shared, opts: opts}
	return pg.SetupWithManager(mgr)
}

// sharedState is what both reconcilers use.
type sharedState struct {
	cache   *clientCache
	metrics *metricsRecorder
	// hints carries what a cycle learned about Okta groups (renamed,
	// deleted) to the ProvisionedGroup controller, which owns those fields.
	hints *groupHints
	// groupEvents wakes the ProvisionedGroup controller for such hints.
	groupEvents chan event.GenericEvent
	// pool runs the integrations' cycles.
	pool *cyclePool
	// shards says which integrations this replica acts on.
	shards *shardGate
	// feed polls the System Log and queues targeted cycles; nil when off.
	feed *changeFeed
}

// setupFeed adds the change feed and, when configured, the Event Hook
// receiver to mgr.
func setupFeed(mgr ctrl.Manager, opts Options, shared *sharedState) error {
	if opts.Feed.Disabled {
		return nil
	}
	shared.feed = newChangeFeed(opts.Feed, shared.pool, shared.metrics.feed, mgr.GetLogger().WithName("changefeed"))
	if err := mgr.Add(shared.feed); err != nil {
		return err
	}
	if !opts.Hooks.Enabled() {
		return nil
	}
	return mgr.Add(newHookReceiver(opts.Hooks, shared.feed, shared.metrics.feed))
}

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

package sharding

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Config sets up a Manager.
type Config struct {
	// Namespace holds the leases; Name prefixes their names (<Name>-<shard>
	// for shards, <Name>-replica-<Identity> for each replica's heartbeat).
	Namespace, Name string
	// Shards is the fixed number of shards; every replica must use the same.
	Shards int
	// Identity names this replica in the leases; see NewIdentity.
	Identity string
	// LeaseDuration is how long another replica waits, after it last saw a
	// lease renewed, before it takes the lease over. RenewDeadline is how
	// long this replica keeps acting on a shard after it sent its last
	// successful renewal; it must be shorter, and the difference is the
	// margin for clock drift and for requests already on the wire.
	// RetryPeriod is the time between two rounds of renewals.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// Client writes the leases; Reader reads them (not from a cache).
	Client client.Client
	Reader client.Reader
	// OnGained runs after a shard was acquired; OnLost runs once its
	// tenure ended (no request of it is admitted any more, its context is
	// cancelled), before a voluntary release frees the lease. Neither may
	// block for long.
	OnGained, OnLost func(shard int)
	Log              logr.Logger
}

func (c Config) validate() error {
	switch {
	case c.Shards < 1:
		return errors.New("shards must be at least 1")
	case c.Namespace == "":
		return errors.New("the namespace of the shard leases is required")
	case len(c.Name) > 40 || len(validation.IsDNS1123Label(c.Name)) > 0:
		return fmt.Errorf("shard lease name prefix %q must be a DNS label of at most 40 characters", c.Name)
	case c.Identity == "" || len(validation.IsDNS1123Subdomain(c.Name+"-replica-"+c.Identity)) > 0:
		return fmt.Errorf("replica identity %q is not usable in a lease name", c.Identity)
	case c.RetryPeriod <= 0 || c.RenewDeadline <= c.RetryPeriod:
		return errors.New("the renew deadline must be longer than the retry period")
	case c.LeaseDuration <= c.RenewDeadline:
		return errors.New("the lease duration must be longer than the renew deadline")
	case c.LeaseDuration%time.Second != 0:
		return errors.New("the lease duration must be whole seconds (a Lease stores seconds)")
	case c.Client == nil || c.Reader == nil:
		return errors.New("a client and a reader are required")
	}
	return nil
}

// Manager holds this replica's share of the shard leases. Each round it
// renews the ones it holds; while it holds fewer than its fair share
// (shards/replicas, rounded up) and no other live replica holds fewer, it
// takes free ones (never created, released, or expired as it saw them);
// while it holds two or more than the least loaded live replica, it gives
// one back. Replicas announce themselves with a lease of their own. It
// implements manager.Runnable.
type Manager struct {
	cfg     Config
	base    time.Time
	log     logr.Logger
	metrics *metrics

	mu      sync.Mutex
	tenures map[int]*tenure
	epoch   uint64
	ctx     context.Context // parent of every tenure's context

	// seen is this replica's view of the leases. The loop reads it
	// without the lock while nothing else runs; writes from renewals and
	// releases running at once take the lock.
	seen map[string]observation
}

// New validates cfg and returns a Manager; Start runs it.
func New(cfg Config) (*Manager, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.OnGained == nil {
		cfg.OnGained = func(int) {}
	}
	if cfg.OnLost == nil {
		cfg.OnLost = func(int) {}
	}
	return &Manager{cfg: cfg, base: time.Now(), log: cfg.Log.WithValues("identity", cfg.Identity), metrics: sharedMetrics(),
		tenures: map[int]*tenure{}, seen: map[string]observation{}, ctx: context.Background()}, nil
}

// Shards is the number of shards.
func (m *Manager) Shards() int { return m.cfg.Shards }

// Identity is this replica's name in the leases.
func (m *Manager) Identity() string { return m.cfg.Identity }

// ShardOf returns the shard of an object key (namespace/name).
func (m *Manager) ShardOf(key string) int { return ShardOf(key, m.cfg.Shards) }

func (m *Manager) now() instant {
	return instant{mono: time.Since(m.base), wall: time.Now().UnixNano()}
}

// current returns the shard's tenure if it lasts now.
func (m *Manager) current(shard int) *tenure {
	m.mu.Lock()
	t := m.tenures[shard]
	m.mu.Unlock()
	if t == nil || !t.validAt(m.now()) {
		return nil
	}
	return t
}

// Epoch returns the epoch of the shard's current tenure, 0 if this replica
// does not hold it now. Each acquisition has a new epoch.
func (m *Manager) Epoch(shard int) uint64 {
	if t := m.current(shard); t != nil {
		return t.epoch
	}
	return 0
}

// Context returns a context that ends when the shard's current tenure
// ends, and false if this replica does not hold the shard now.
func (m *Manager) Context(shard int) (context.Context, bool) {
	if t := m.current(shard); t != nil {
		return t.ctx, true
	}
	return nil, false
}

// Enter admits one request of the shard, if the tenure of epoch still
// lasts now. The returned context ends with the tenure; leave must be
// called when the request returned.
func (m *Manager) Enter(shard int, epoch uint64) (ctx context.Context, leave func(), err error) {
	m.mu.Lock()
	t := m.tenures[shard]
	m.mu.Unlock()
	if t == nil || t.epoch != epoch || epoch == 0 {
		return nil, nil, ErrNotHeld
	}
	leave, ok := t.enter(m.now())
	if !ok {
		return nil, nil, ErrNotHeld
	}
	return t.ctx, leave, nil
}

// NeedLeaderElection is false: sharding replaces leader election.
func (m *Manager) NeedLeaderElection() bool { return false }

// Start holds leases until ctx ends, then releases them.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.Lock()
	m.ctx = ctx
	m.mu.Unlock()
	m.log.Info("holding shard leases", "namespace", m.cfg.Namespace, "name", m.cfg.Name, "shards", m.cfg.Shards,
		"leaseDuration", m.cfg.LeaseDuration, "renewDeadline", m.cfg.RenewDeadline)
	for {
		m.round(ctx)
		wait := m.cfg.RetryPeriod + time.Duration(rand.Int64N(int64(m.cfg.RetryPeriod/5)+1)) //nolint:gosec // jitter only
		select {
		case <-ctx.Done():
			m.shutdown()
			return nil
		case <-time.After(wait):
		}
	}
}

// round is one read of the leases and what follows from it.
func (m *Manager) round(ctx context.Context) {
	set, err := m.list(ctx)
	if err != nil {
		if ctx.Err() == nil {
			// Held tenures run out at their deadlines; nothing else to do.
			m.log.Error(err, "reading the shard leases")
		}
		return
	}
	now := m.now()
	m.observe(set, now.mono)
	m.heartbeat(ctx, set)
	m.renew(ctx, set)
	replicas, fewest := m.others(set, now.mono)
	m.metrics.replicas.Set(float64(replicas))
	share := fairShare(m.cfg.Shards, replicas)
	held := m.held()
	switch {
	case held < share && held <= fewest:
		// The least loaded replicas take free shards first, so that one
		// replica giving a shard back does not simply take it again.
		m.acquire(ctx, set, share-held, false)
	case replicas > 1 && held >= fewest+2 && !m.anyFree():
		// Only while every shard is held: a shard given back and not yet
		// taken is enough, and giving back more would hand some back and
		// forth.
		m.release(ctx, set, m.heldShards()[0], ErrReleased)
	}
	// A shard nobody took for a whole lease duration is taken regardless
	// of shares, so that a replica whose view of the others is wrong never
	// leaves a shard without an owner.
	m.acquire(ctx, set, m.cfg.Shards, true)
	m.collect(ctx, set, now.mono)
}

func (m *Manager) held() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tenures)
}

// heldShards lists the held shards, highest first: those are given back
// first, so that holdings stay stable.
func (m *Manager) heldShards() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int, 0, len(m.tenures))
	for s := range m.tenures {
		out = append(out, s)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// others counts the live replicas (this one included) and returns the
// fewest shards another live replica holds (MaxInt if there is none).
func (m *Manager) others(set leaseSet, now time.Duration) (replicas, fewest int) {
	alive := map[string]int{}
	for _, l := range set.members {
		if id := holder(l); id != m.cfg.Identity && m.live(l, now) {
			alive[id] = 0
		}
	}
	for _, l := range set.shards {
		if _, ok := alive[holder(l)]; ok && m.live(l, now) {
			alive[holder(l)]++
		}
	}
	fewest = math.MaxInt
	for _, n := range alive {
		fewest = min(fewest, n)
	}
	return len(alive) + 1, fewest
}

// heartbeat renews this replica's own lease, which tells the others that
// it is there and wants its share.
func (m *Manager) heartbeat(ctx context.Context, set leaseSet) {
	name := m.memberLeaseName()
	var l = m.newLease(name, kindMember, 0)
	for _, cur := range set.members {
		if cur.Name == name {
			l = cur.DeepCopy()
			m.claim(l)
		}
	}
	if err := m.write(ctx, l); err != nil {
		m.logWriteError(err, "renewing this replica's lease")
		return
	}
	m.noteWrite(l, m.now().mono)
}

// renew renews every held shard at once. A tenure's deadline moves to the
// moment the renewal was sent plus the renew deadline: another replica
// can only have seen the renewal after it was sent.
func (m *Manager) renew(ctx context.Context, set leaseSet) {
	var wg sync.WaitGroup
	for _, s := range m.heldShards() {
		cur := set.shards[s]
		if holder(cur) != m.cfg.Identity {
			m.finish(s, 0, ErrTaken)
			continue
		}
		wg.Go(func() {
			sent := m.now()
			l := cur.DeepCopy()
			m.claim(l)
			if err := m.write(ctx, l); err != nil {
				m.logWriteError(err, "renewing a shard lease", "shard", s)
				return
			}
			m.noteWrite(l, m.now().mono)
			m.mu.Lock()
			t := m.tenures[s]
			m.mu.Unlock()
			if t != nil {
				m.schedule(t, t.extend(sent.add(m.cfg.RenewDeadline)))
			}
		})
	}
	wg.Wait()
}

// acquire takes up to n shards that are free: never created, released, or
// not renewed for a lease duration as this replica saw them. With
// abandoned, only shards free for a lease duration more are taken.
func (m *Manager) acquire(ctx context.Context, set leaseSet, n int, abandoned bool) {
	now := m.now().mono
	order := rand.Perm(m.cfg.Shards) //nolint:gosec // spreads contention only
	for _, s := range order {
		if n <= 0 || ctx.Err() != nil {
			return
		}
		if m.holds(s) {
			continue
		}
		o, ok := m.seen[m.shardLeaseName(s)]
		if !ok || o.freeSince < 0 || (abandoned && now-o.freeSince < m.cfg.LeaseDuration) {
			continue
		}
		if m.take(ctx, s, set.shards[s]) {
			n--
		}
	}
}

func (m *Manager) holds(shard int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tenures[shard] != nil
}

// anyFree reports whether a shard is free as this replica saw it.
func (m *Manager) anyFree() bool {
	for s := range m.cfg.Shards {
		if o, ok := m.seen[m.shardLeaseName(s)]; !ok || o.freeSince >= 0 {
			return true
		}
	}
	return false
}

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
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// take acquires one shard's lease: a create, or an update conditional on
// the version this replica read, so that of two replicas trying at once
// only one succeeds. The tenure's deadline counts from before the request.
func (m *Manager) take(ctx context.Context, s int, cur *coordinationv1.Lease) bool {
	var l *coordinationv1.Lease
	if cur == nil {
		l = m.newLease(m.shardLeaseName(s), kindShard, s)
	} else {
		l = cur.DeepCopy()
		m.claim(l)
	}
	sent := m.now()
	if err := m.write(ctx, l); err != nil {
		m.logWriteError(err, "acquiring a shard lease", "shard", s)
		return false
	}
	m.noteWrite(l, m.now().mono)
	m.mu.Lock()
	m.epoch++
	t := newTenure(m.ctx, s, m.epoch, sent.add(m.cfg.RenewDeadline))
	m.tenures[s] = t
	m.mu.Unlock()
	m.schedule(t, t.deadline)
	m.metrics.acquisitions.Inc()
	m.metrics.held.Inc()
	m.log.Info("acquired a shard lease", "shard", s, "epoch", t.epoch, "previousHolder", holder(cur))
	m.cfg.OnGained(s)
	return true
}

// schedule ends the tenure at its deadline unless a renewal moved it. The
// requests do not depend on the timer: each is checked against the
// deadline itself, so a late timer (a paused process) admits nothing.
func (m *Manager) schedule(t *tenure, deadline instant) {
	wait := m.now().until(deadline)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		return
	}
	if t.timer == nil {
		t.timer = time.AfterFunc(wait, func() { m.expire(t) })
		return
	}
	t.timer.Reset(wait)
}

// expire ends a tenure whose deadline passed without a renewal.
func (m *Manager) expire(t *tenure) {
	if t.validAt(m.now()) {
		// Renewed meanwhile; the renewal rescheduled the timer.
		return
	}
	m.finish(t.shard, t.epoch, ErrExpired)
}

// finish ends the shard's tenure (of epoch, or any if 0) and runs OnLost.
// It returns the tenure it ended, nil if there was none.
func (m *Manager) finish(s int, epoch uint64, cause error) *tenure {
	m.mu.Lock()
	t := m.tenures[s]
	if t == nil || (epoch != 0 && t.epoch != epoch) {
		m.mu.Unlock()
		return nil
	}
	delete(m.tenures, s)
	m.mu.Unlock()
	if !t.end(cause) {
		return nil
	}
	m.metrics.held.Dec()
	m.metrics.losses.WithLabelValues(lossReason(cause)).Inc()
	if errors.Is(cause, ErrReleased) || errors.Is(cause, ErrShutdown) {
		m.log.Info("giving back a shard lease", "shard", s, "epoch", t.epoch, "reason", cause.Error())
	} else {
		m.log.Error(cause, "lost a shard lease", "shard", s, "epoch", t.epoch)
	}
	m.cfg.OnLost(s)
	return t
}

// release gives a shard back: the tenure ends first (nothing is admitted,
// the running cycles are cancelled), then the requests still in flight
// are awaited, and only then is the lease freed for another replica. If
// requests had to be aborted, the server may still be working on them, so
// the lease is freed a retry period later.
func (m *Manager) release(ctx context.Context, set leaseSet, s int, cause error) {
	deadline := m.deadlineOf(s)
	t := m.finish(s, 0, cause)
	if t == nil {
		return
	}
	if t.drain(m.now().until(deadline)) {
		sleep(ctx, m.cfg.RetryPeriod)
	}
	if !m.now().before(deadline) {
		// Past the deadline another replica may already hold it.
		return
	}
	cur := set.shards[s]
	if cur == nil || holder(cur) != m.cfg.Identity {
		return
	}
	l := cur.DeepCopy()
	m.mu.Lock()
	if o, ok := m.seen[l.Name]; ok && o.resourceVersion != "" {
		// The renewal of this round changed it since the read.
		l.ResourceVersion = o.resourceVersion
	}
	m.mu.Unlock()
	free(l)
	if err := m.write(ctx, l); err != nil {
		m.logWriteError(err, "releasing a shard lease", "shard", s)
		return
	}
	m.noteWrite(l, m.now().mono)
}

func (m *Manager) deadlineOf(s int) instant {
	m.mu.Lock()
	t := m.tenures[s]
	m.mu.Unlock()
	if t == nil {
		return m.now()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.deadline
}

// free marks a lease released, as client-go's leader election does.
func free(l *coordinationv1.Lease) {
	l.Spec.HolderIdentity = nil
	one := int32(1)
	l.Spec.LeaseDurationSeconds = &one
}

// shutdown gives back every shard and deletes this replica's own lease,
// within a bounded time once the manager's context ended.
func (m *Manager) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.RenewDeadline)
	defer cancel()
	set, err := m.list(ctx)
	if err != nil {
		// The leases then expire; end the tenures now all the same.
		set = leaseSet{}
	}
	var wg sync.WaitGroup
	for _, s := range m.heldShards() {
		wg.Go(func() { m.release(ctx, set, s, ErrShutdown) })
	}
	wg.Wait()
	for _, l := range set.members {
		if l.Name == m.memberLeaseName() {
			_ = m.cfg.Client.Delete(ctx, l)
		}
	}
	m.log.Info("released the shard leases")
}

// collect deletes the leases of replicas gone for many lease durations, so
// that replicas that never shut down cleanly leave no trace forever.
func (m *Manager) collect(ctx context.Context, set leaseSet, now time.Duration) {
	for _, l := range set.members {
		o, ok := m.seen[l.Name]
		if !ok || l.Name == m.memberLeaseName() || o.freeSince < 0 || now-o.freeSince < 10*m.leaseDuration(l) {
			continue
		}
		if err := m.cfg.Client.Delete(ctx, l); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			m.log.V(1).Info("deleting the lease of a replica that is gone", "lease", l.Name, "error", err.Error())
		}
	}
}

// logWriteError logs a failed lease write; conflicts are expected when two
// replicas try at once, and are logged at debug level only.
func (m *Manager) logWriteError(err error, msg string, kv ...any) {
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		m.log.V(1).Info(msg+": another replica was first", kv...)
		return
	}
	m.log.Error(err, msg, kv...)
}

func (m *Manager) callTimeout() time.Duration { return max(m.cfg.RenewDeadline/2, time.Second) }

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func lossReason(cause error) string {
	switch {
	case errors.Is(cause, ErrReleased):
		return "released"
	case errors.Is(cause, ErrShutdown):
		return "shutdown"
	case errors.Is(cause, ErrTaken):
		return "taken"
	default:
		return "expired"
	}
}

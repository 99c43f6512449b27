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
)

// instant is a reading of both clocks. The monotonic one is immune to
// wall-clock steps; the wall clock keeps running while a machine is
// suspended, when the monotonic one may stop. A deadline holds only while
// both clocks are before it, so either can only end a tenure earlier.
type instant struct {
	mono time.Duration // since the manager's base time
	wall int64         // Unix nanoseconds
}

func (i instant) add(d time.Duration) instant {
	return instant{mono: i.mono + d, wall: i.wall + int64(d)}
}

func (i instant) before(d instant) bool { return i.mono < d.mono && i.wall < d.wall }

// until is how long from i to d on the monotonic clock.
func (i instant) until(d instant) time.Duration { return d.mono - i.mono }

// Why a tenure ended; the context's cause and the losses metric's reason.
var (
	ErrExpired  = errors.New("the shard lease was not renewed before its deadline")
	ErrReleased = errors.New("the shard lease was released to balance shards over replicas")
	ErrShutdown = errors.New("the replica is shutting down and released the shard lease")
	ErrTaken    = errors.New("another replica holds the shard lease")
)

// ErrNotHeld refuses a request of a shard this replica does not hold at
// the epoch the request's client was built for.
var ErrNotHeld = errors.New("this replica does not hold the integration's shard lease")

// tenure is one uninterrupted hold of one shard's lease. It ends at its
// deadline unless a renewal moves the deadline, and never starts again: a
// new acquisition is a new tenure with a new epoch. While it lasts it
// admits requests (enter) and counts those in flight, so that a voluntary
// release can wait for them.
type tenure struct {
	shard int
	epoch uint64
	// ctx ends with the tenure; cycles and requests of the shard run under it.
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer

	mu       sync.Mutex
	deadline instant
	ended    bool
	inflight int
	// aborted is set when requests were still in flight as it ended.
	aborted bool
	// idle is closed once the tenure ended and nothing is in flight.
	idle chan struct{}
}

func newTenure(parent context.Context, shard int, epoch uint64, deadline instant) *tenure {
	ctx, cancel := context.WithCancelCause(parent)
	return &tenure{shard: shard, epoch: epoch, ctx: ctx, cancel: cancel, deadline: deadline, idle: make(chan struct{})}
}

// validAt reports whether the tenure lasts at now.
func (t *tenure) validAt(now instant) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.ended && now.before(t.deadline)
}

// extend moves the deadline later (never earlier) and reports the new one.
func (t *tenure) extend(d instant) instant {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deadline.before(d) {
		t.deadline = d
	}
	return t.deadline
}

// enter admits one request at now; leave must be called once it returned.
func (t *tenure) enter(now instant) (leave func(), ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended || !now.before(t.deadline) {
		return nil, false
	}
	t.inflight++
	var once sync.Once
	return func() { once.Do(t.leave) }, true
}

func (t *tenure) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inflight--
	if t.ended && t.inflight == 0 {
		close(t.idle)
	}
}

// end closes the tenure: no request is admitted from now on and its
// context is cancelled. It reports whether this call ended it.
func (t *tenure) end(cause error) bool {
	t.mu.Lock()
	if t.ended {
		t.mu.Unlock()
		return false
	}
	t.ended = true
	t.aborted = t.inflight > 0
	if t.inflight == 0 {
		close(t.idle)
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	t.mu.Unlock()
	t.cancel(cause)
	return true
}

// drain waits until no request of the ended tenure is in flight, at most
// for wait; it reports whether requests had to be aborted.
func (t *tenure) drain(wait time.Duration) (aborted bool) {
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	select {
	case <-t.idle:
	case <-timer.C:
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.aborted || t.inflight > 0
}

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

package scim

import (
	"context"
	"math"
	"sync"
	"time"
)

// slots is a semaphore whose size can change while it is in use: the
// adaptive pacer moves the in-flight cap with the rate. Waiters are served
// in arrival order.
type slots struct {
	mu      sync.Mutex
	size    int
	used    int
	waiters []chan struct{}
}

func newSlots(size int) *slots { return &slots{size: max(1, size)} }

// acquire takes a slot, waiting until one is free or ctx is done.
func (s *slots) acquire(ctx context.Context) error {
	s.mu.Lock()
	if s.used < s.size && len(s.waiters) == 0 {
		s.used++
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, w := range s.waiters {
			if w == ch {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		// Granted while giving up: hand the slot on.
		s.used--
		s.grant()
		return ctx.Err()
	}
}

// release returns a slot.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	s.grant()
}

// resize changes the cap; slots in use above a smaller cap are not taken
// back, they just are not handed out again.
func (s *slots) resize(size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.size = max(1, size)
	s.grant()
}

func (s *slots) capacity() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// grant wakes waiters while slots are free. Caller holds mu.
func (s *slots) grant() {
	for s.used < s.size && len(s.waiters) > 0 {
		ch := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.used++
		close(ch)
	}
}

// spacer hands out send times at least one interval apart. Unlike a token
// bucket whose rate changes, it never lets requests already waiting and new
// ones bunch up: every gap is one interval of the rate current when it was
// handed out, so no second holds more than the highest rate plus one.
type spacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (s *spacer) setRate(rps float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = 0
	if rps > 0 && !math.IsInf(rps, 1) {
		s.interval = time.Duration(float64(time.Second) / rps)
	}
}

// wait returns at the caller's send time, or when ctx is done.
func (s *spacer) wait(ctx context.Context) error {
	s.mu.Lock()
	now := time.Now()
	at := s.next
	if at.Before(now) {
		at = now
	}
	s.next = at.Add(s.interval)
	s.mu.Unlock()
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

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

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// Change kinds, in the order they repeat.
const (
	kindSuspend = "suspend"
	kindAdd     = "add member"
	kindRemove  = "remove member"
	kindProfile = "edit profile"
)

var changeKinds = []string{kindSuspend, kindAdd, kindRemove, kindProfile}

// changeSpec is one planned change: its kind and the org user (by index)
// it touches. Users at index ≥ members are outside the group.
type changeSpec struct {
	Kind string
	User int
}

// planChanges plans n changes of mode number m: the kinds round-robin, each
// change on a user no earlier change (of any mode) touched. Members are
// spread over the group by a stride coprime with its size; new members
// come from the users outside the group, n/4+1 per mode.
func planChanges(m, n, members int) []changeSpec {
	stride := 7919
	for gcd(stride, members) != 1 {
		stride++
	}
	out := make([]changeSpec, n)
	added := 0
	for i := range out {
		kind := changeKinds[i%len(changeKinds)]
		k := m*n + i
		user := k * stride % members
		if kind == kindAdd {
			user = members + m*(n/4+1) + added
			added++
		}
		out[i] = changeSpec{Kind: kind, User: user}
	}
	return out
}

// extrasNeeded is how many users outside the group the modes' new members need.
func extrasNeeded(modes, n int) int { return modes * (n/4 + 1) }

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// latencyOrg is the one org of the latency phase: its users by index and
// the integration's group.
type latencyOrg struct {
	server *oktaserver.Server
	token  string
	ids    []string
	group  string
}

func userLogin(i int) string { return fmt.Sprintf("user%05d@latency.example.com", i) }

// apply makes the change in the emulator and returns the condition on the
// target that shows it arrived.
func (o *latencyOrg) apply(c changeSpec, seq int, t *scimserver.Server) (func() bool, error) {
	id, login := o.ids[c.User], userLogin(c.User)
	switch c.Kind {
	case kindSuspend:
		return func() bool { return !targetActive(t, login) }, o.server.Suspend(id)
	case kindAdd:
		return func() bool { return targetActive(t, login) }, o.server.AddMember(o.group, id)
	case kindRemove:
		return func() bool { return !targetActive(t, login) }, o.server.RemoveMember(o.group, id)
	default:
		name := fmt.Sprintf("Edited %d", seq)
		return func() bool { return targetAttr(t, login, "displayName") == name },
			o.server.UpdateProfile(id, map[string]any{"displayName": name})
	}
}

// targetActive reports whether the target holds login as an active user.
func targetActive(t *scimserver.Server, login string) bool {
	a, _ := targetAttr(t, login, "active").(bool)
	return a
}

func targetAttr(t *scimserver.Server, login, attr string) any {
	id, ok := t.UserIDByName(login)
	if !ok {
		return nil
	}
	u, _ := t.User(id)
	return u[attr]
}

// watch times changes: from the moment each was made in Okta until its
// condition first holds on the target, polled every 20 ms.
type watch struct {
	mu      sync.Mutex
	pending []*timedChange
	done    []time.Duration
	stop    chan struct{}
	wg      sync.WaitGroup
}

type timedChange struct {
	at      time.Time
	arrived func() bool
}

func startWatch() *watch {
	w := &watch{stop: make(chan struct{})}
	w.wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				w.check()
			}
		}
	})
	return w
}

func (w *watch) add(at time.Time, arrived func() bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, &timedChange{at: at, arrived: arrived})
}

func (w *watch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	kept := w.pending[:0]
	for _, c := range w.pending {
		if c.arrived() {
			w.done = append(w.done, now.Sub(c.at))
		} else {
			kept = append(kept, c)
		}
	}
	w.pending = kept
}

func (w *watch) left() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}

// finish waits until every change arrived or drain passed, and returns
// the latencies and how many never arrived.
func (w *watch) finish(ctx context.Context, drain time.Duration) ([]time.Duration, int) {
	deadline := time.Now().Add(drain)
	for w.left() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	close(w.stop)
	w.wg.Wait()
	w.check()
	return w.done, len(w.pending)
}

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
	"fmt"
	"slices"
	"testing"
	"time"
)

// The assignment is a pure function of the key and the shard count, the
// same in every replica and every release.
func TestShardOfIsStableAndSpreads(t *testing.T) {
	for key, want := range map[string]int{"team-a/okta": 6, "team-b/okta": 5, "default/okta-integration": 1} {
		if got := ShardOf(key, 8); got != want {
			t.Errorf("ShardOf(%q, 8) = %d, want %d: the assignment changed, so an upgrade would move integrations", key, got, want)
		}
	}
	counts := make([]int, 8)
	for i := range 800 {
		counts[ShardOf(fmt.Sprintf("tenant-%d/okta", i), 8)]++
	}
	for s, n := range counts {
		if n < 60 || n > 140 {
			t.Errorf("shard %d got %d of 800 keys: %v", s, n, counts)
		}
	}
	if ShardOf("any/key", 1) != 0 {
		t.Error("one shard: everything is shard 0")
	}
}

func TestFairShare(t *testing.T) {
	for _, c := range []struct{ shards, replicas, want int }{{6, 3, 2}, {4, 3, 2}, {12, 1, 12}, {3, 5, 1}, {6, 0, 6}} {
		if got := fairShare(c.shards, c.replicas); got != c.want {
			t.Errorf("fairShare(%d, %d) = %d, want %d", c.shards, c.replicas, got, c.want)
		}
	}
}

// Admission depends on the clocks, not on the timer that ends a tenure:
// a process paused past its deadline admits nothing when it resumes, even
// before the timer fires.
func TestTenureAdmitsOnlyBeforeItsDeadline(t *testing.T) {
	base := time.Now()
	now := func() instant { return instant{mono: time.Since(base), wall: time.Now().UnixNano()} }
	tn := newTenure(t.Context(), 0, 1, now().add(50*time.Millisecond))
	leave, ok := tn.enter(now())
	if !ok {
		t.Fatal("a request before the deadline was refused")
	}
	leave()
	time.Sleep(60 * time.Millisecond)
	if _, ok := tn.enter(now()); ok {
		t.Fatal("a request after the deadline was admitted (no timer ended the tenure)")
	}
	// Either clock past the deadline refuses: here the wall clock.
	tn = newTenure(t.Context(), 0, 2, now().add(time.Minute))
	late := now()
	late.wall += int64(2 * time.Minute)
	if _, ok := tn.enter(late); ok {
		t.Fatal("admitted although the wall clock is past the deadline")
	}
}

// Ending a tenure cancels its context at once and a release waits for the
// request still in flight.
func TestTenureEndWaitsForRequestsInFlight(t *testing.T) {
	base := time.Now()
	now := instant{mono: time.Since(base), wall: time.Now().UnixNano()}
	tn := newTenure(t.Context(), 0, 1, now.add(time.Minute))
	leave, _ := tn.enter(now)
	if !tn.end(ErrReleased) || tn.end(ErrReleased) {
		t.Fatal("end must report the first call only")
	}
	if tn.ctx.Err() == nil {
		t.Fatal("the tenure's context outlived it")
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		leave()
	}()
	start := time.Now()
	if !tn.drain(time.Second) {
		t.Error("drain did not report the aborted request")
	}
	if waited := time.Since(start); waited < 40*time.Millisecond {
		t.Errorf("drain returned after %s, before the request left", waited)
	}
}

// One replica takes every shard, keeps it past the renew deadline by
// renewing, and frees every lease when it stops.
func TestOneReplicaAcquiresRenewsAndReleases(t *testing.T) {
	ns := namespace(t)
	log := newWriteLog()
	a := start(t, ns, "a", 4, log)
	eventually(t, testTimeout, "a to hold every shard", func() bool { return len(a.holding()) == 4 })
	first := leases(t, ns)["test-shard-0"]
	if holder(&first) != a.m.Identity() || first.Labels[labelShard] != "0" {
		t.Fatalf("lease %+v", first)
	}
	time.Sleep(testLease)
	if got := a.holding(); len(got) != 4 {
		t.Fatalf("after a lease duration a holds %v: renewals did not keep the tenures", got)
	}
	renewed := leases(t, ns)["test-shard-0"]
	if !renewed.Spec.RenewTime.After(first.Spec.RenewTime.Time) || renewed.Spec.AcquireTime.Equal(first.Spec.AcquireTime) == false {
		t.Errorf("renewTime %v after %v, acquireTime %v then %v", renewed.Spec.RenewTime, first.Spec.RenewTime,
			first.Spec.AcquireTime, renewed.Spec.AcquireTime)
	}
	a.stop()
	for name, l := range leases(t, ns) {
		if name == a.m.memberLeaseName() {
			t.Errorf("the replica's own lease %s survived its shutdown", name)
		}
		if holder(&l) != "" {
			t.Errorf("lease %s still held by %s after shutdown", name, holder(&l))
		}
	}
	for s := range 4 {
		if len(a.lostAt(s)) != 1 || a.m.Epoch(s) != 0 {
			t.Errorf("shard %d: lost %d times, epoch %d", s, len(a.lostAt(s)), a.m.Epoch(s))
		}
		if _, _, err := a.m.Enter(s, 1); err == nil {
			t.Errorf("shard %d admits requests after shutdown", s)
		}
	}
}

// Replicas that join share the shards: each ends up with shards/replicas,
// and every shard has exactly one owner at every moment.
func TestReplicasShareShardsAndHandOverOnShutdown(t *testing.T) {
	ns := namespace(t)
	log := newWriteLog()
	a := start(t, ns, "a", 6, log)
	eventually(t, testTimeout, "a to hold every shard", func() bool { return len(a.holding()) == 6 })
	b := start(t, ns, "b", 6, log)
	c := start(t, ns, "c", 6, log)
	eventually(t, testTimeout, "two shards each", func() bool {
		return len(a.holding()) == 2 && len(b.holding()) == 2 && len(c.holding()) == 2
	})
	held := slices.Concat(a.holding(), b.holding(), c.holding())
	slices.Sort(held)
	if !slices.Equal(held, []int{0, 1, 2, 3, 4, 5}) {
		t.Fatalf("shards held %v", held)
	}

	// A shutdown gives its shards back at once: the others need not wait
	// for the leases to expire.
	moved := a.holding()
	stopped := time.Now()
	a.stop()
	eventually(t, testTimeout, "b and c to hold every shard", func() bool {
		return len(b.holding())+len(c.holding()) == 6
	})
	if took := time.Since(stopped); took >= testLease {
		t.Errorf("released shards were taken after %s, no sooner than expired ones", took)
	}
	for _, s := range moved {
		if a.lostAt(s) == nil {
			t.Errorf("shard %d: a never lost it", s)
		}
	}
	if o := log.overlaps(); len(o) > 0 {
		t.Fatalf("two replicas wrote to one shard at once:\n%v", o)
	}
}

// A replica cut off from the API server stops acting on its shards at its
// renew deadline; the others take them over only after the lease duration
// as they saw it, so the writes never overlap, and the cut replica takes
// its share again once it can reach the API server.
func TestCutOffReplicaStopsBeforeItsShardsAreTakenOver(t *testing.T) {
	ns := namespace(t)
	log := newWriteLog()
	a := start(t, ns, "a", 4, log)
	eventually(t, testTimeout, "a to hold every shard", func() bool { return len(a.holding()) == 4 })
	b := start(t, ns, "b", 4, log)
	eventually(t, testTimeout, "two shards each", func() bool { return len(a.holding()) == 2 && len(b.holding()) == 2 })
	moved := a.holding()

	cut := time.Now()
	a.api.cut.Store(true)
	eventually(t, testTimeout, "b to take over a's shards and write to them", func() bool {
		for _, s := range moved {
			if log.firstWrite(s, "b").IsZero() {
				return false
			}
		}
		return len(b.holding()) == 4
	})
	for _, s := range moved {
		lastA, firstB := log.lastWrite(s, "a"), log.firstWrite(s, "b")
		lost := a.lostAt(s)
		if len(lost) != 1 {
			t.Fatalf("shard %d: a lost it %d times", s, len(lost))
		}
		if d := lost[0].Sub(cut); d > testRenew+testRetry {
			t.Errorf("shard %d: a kept acting %s after it was cut off, beyond its renew deadline", s, d)
		}
		// b saw the last renewal no sooner than a sent it, and waits a
		// whole lease duration; a stopped at its renew deadline.
		if gap := firstB.Sub(lastA); gap < testLease-testRenew-50*time.Millisecond {
			t.Errorf("shard %d: b wrote %s after a's last write; the margin is %s", s, gap, testLease-testRenew)
		}
	}

	a.api.cut.Store(false)
	eventually(t, testTimeout, "a to take its share again", func() bool { return len(a.holding()) == 2 && len(b.holding()) == 2 })
	if o := log.overlaps(); len(o) > 0 {
		t.Fatalf("two replicas wrote to one shard at once:\n%v", o)
	}
	for s := range 4 {
		if len(log.writers(s)) == 0 {
			t.Errorf("shard %d: nobody wrote; the check proves nothing", s)
		}
	}
}

// A replica that joins takes only its share, from the replicas above
// theirs, and one that leaves hands over only its own shards: every other
// shard keeps its holder (and its tenure) throughout.
func TestJoinAndLeaveMoveOnlyTheShardsTheyMust(t *testing.T) {
	ns := namespace(t)
	log := newWriteLog()
	a := start(t, ns, "a", 6, log)
	eventually(t, testTimeout, "a to hold every shard", func() bool { return len(a.holding()) == 6 })
	b := start(t, ns, "b", 6, log)
	eventually(t, testTimeout, "three shards each", func() bool { return len(a.holding()) == 3 && len(b.holding()) == 3 })
	beforeA, beforeB := a.holding(), b.holding()
	losses := func(s int) int { return len(a.lostAt(s)) + len(b.lostAt(s)) }
	lostAtJoin := map[int]int{}
	for s := range 6 {
		lostAtJoin[s] = losses(s)
	}

	c := start(t, ns, "c", 6, log)
	eventually(t, testTimeout, "two shards each", func() bool {
		return len(a.holding()) == 2 && len(b.holding()) == 2 && len(c.holding()) == 2
	})
	for name, kept := range map[string][2][]int{"a": {beforeA, a.holding()}, "b": {beforeB, b.holding()}} {
		for _, s := range kept[1] {
			if !slices.Contains(kept[0], s) {
				t.Errorf("%s gained shard %d while c joined: shards moved between the replicas already there", name, s)
			}
		}
	}
	stayA, stayB, gone := a.holding(), b.holding(), c.holding()
	lostBefore := map[int]int{}
	for _, s := range slices.Concat(stayA, stayB) {
		lostBefore[s] = losses(s)
		if lostBefore[s] != lostAtJoin[s] {
			t.Errorf("shard %d changed hands while c joined, yet stayed with a or b", s)
		}
	}
	if moved := len(gone); moved != 2 {
		t.Errorf("%d shards moved to c, want its share of 2", moved)
	}

	c.stop()
	eventually(t, testTimeout, "a and b to hold every shard", func() bool { return len(a.holding())+len(b.holding()) == 6 })
	for _, s := range stayA {
		if !slices.Contains(a.holding(), s) {
			t.Errorf("a lost shard %d when c left", s)
		}
	}
	for _, s := range stayB {
		if !slices.Contains(b.holding(), s) {
			t.Errorf("b lost shard %d when c left", s)
		}
	}
	for s, n := range lostBefore {
		if got := losses(s); got != n {
			t.Errorf("shard %d: its tenure ended while c left (%d losses, %d before)", s, got, n)
		}
	}
	if len(a.holding()) != 3 || len(b.holding()) != 3 {
		t.Errorf("after c left: a holds %v, b %v; want three each (c's %v split)", a.holding(), b.holding(), gone)
	}
	if o := log.overlaps(); len(o) > 0 {
		t.Fatalf("two replicas wrote to one shard at once:\n%v", o)
	}
}

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
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/scimbridge/scimbridge/internal/provisioning"
)

func job(name string, long bool) *cycleJob {
	return &cycleJob{key: types.NamespacedName{Namespace: "ns", Name: name}, long: long}
}

// next is exercised directly: workers are not started, so the order in
// which jobs would run and the long-cycle limit are deterministic.
func TestCyclePoolOrderAndLongLimit(t *testing.T) {
	p := newCyclePool(3, time.Minute)
	for _, j := range []*cycleJob{job("a", true), job("b", true), job("c", true), job("d", false)} {
		if !p.submit(j) {
			t.Fatalf("%s not accepted", j.key.Name)
		}
	}
	if p.submit(job("a", false)) {
		t.Fatal("a second job for one integration was accepted")
	}
	var started []string
	for range 3 {
		started = append(started, p.next().key.Name)
	}
	// Two long jobs may run on three workers; the third long one waits and
	// the short one behind it starts.
	if want := []string{"a", "b", "d"}; !slices.Equal(started, want) {
		t.Fatalf("started %v, want %v", started, want)
	}
	if v, _ := p.view(types.NamespacedName{Namespace: "ns", Name: "c"}); v.state != jobQueued || v.position != 1 {
		t.Errorf("c = %+v, want queued first", v)
	}
	if v, _ := p.view(types.NamespacedName{Namespace: "ns", Name: "a"}); v.state != jobRunning {
		t.Errorf("a = %+v, want running", v)
	}
}

func TestCyclePoolCancelQueuedAndTake(t *testing.T) {
	p := newCyclePool(1, time.Minute)
	key := types.NamespacedName{Namespace: "ns", Name: "x"}
	p.submit(job("x", false))
	p.cancel(key, "spec changed")
	j := p.take(key)
	if j == nil || j.cancelled != "spec changed" || j.state != jobDone {
		t.Fatalf("cancelled job = %+v", j)
	}
	if p.take(key) != nil {
		t.Error("a job was taken twice")
	}
	p.restore(j)
	if p.take(key) != j {
		t.Error("a restored job was not handed out again")
	}
	select {
	case <-p.done:
	default:
		t.Error("cancelling did not wake the integration")
	}
}

func TestCyclePoolStopsWorkers(t *testing.T) {
	p := newCyclePool(2, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Start(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the pool did not stop")
	}
	if p.submit(job("late", false)) {
		t.Error("a stopped pool accepted a job")
	}
}

// The pool reports each job's queue wait, with its mode, when a worker takes it.
func TestCyclePoolReportsQueueWait(t *testing.T) {
	p := newCyclePool(1, time.Minute)
	var modes []provisioning.Mode
	var waits []time.Duration
	p.waited = func(m provisioning.Mode, d time.Duration) { modes, waits = append(modes, m), append(waits, d) }
	j := job("a", false)
	j.cfg.Mode = provisioning.ModeIncremental
	if !p.submit(j) {
		t.Fatal("not accepted")
	}
	time.Sleep(20 * time.Millisecond)
	if got := p.next(); got != j {
		t.Fatalf("next = %v, want a", got)
	}
	if len(waits) != 1 || modes[0] != provisioning.ModeIncremental || waits[0] < 20*time.Millisecond {
		t.Fatalf("waits %v modes %v, want one Incremental wait of at least 20ms", waits, modes)
	}
}

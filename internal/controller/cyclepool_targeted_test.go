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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// Targeted cycles share the integration's one job slot with scheduled
// cycles: never two at once, merged while queued, waiting while a cycle
// runs, and replaced by a scheduled cycle that reads after them.
func TestTargetedCyclesShareTheSlot(t *testing.T) {
	p := newCyclePool(2, time.Minute)
	key := types.NamespacedName{Namespace: "ns", Name: "a"}
	users := func(ids ...string) provisioning.Targets { return provisioning.Targets{Users: ids} }
	now := []time.Time{time.Now()}

	if p.submitTargets(key, users("u1"), now) {
		t.Fatal("targets accepted before any scheduled cycle built the views")
	}
	if !p.submit(job("a", false)) {
		t.Fatal("scheduled cycle refused")
	}
	if !p.submitTargets(key, users("u1"), now) {
		t.Fatal("targets refused while a scheduled cycle is queued")
	}
	if v, _ := p.view(key); v.targeted {
		t.Fatal("the queued scheduled cycle covers the targets; no targeted cycle may queue")
	}
	running := p.next()
	p.submitTargets(key, users("u2"), now)
	if v, _ := p.view(key); v.targeted || v.state != jobRunning {
		t.Fatalf("while a cycle runs: %+v, want the scheduled one running and the targets waiting", v)
	}
	p.mu.Lock()
	running.state, running.result = jobDone, &provisioning.Result{}
	p.running--
	p.mu.Unlock()
	p.take(key)
	v, _ := p.view(key)
	if !v.targeted || v.state != jobQueued {
		t.Fatalf("after the cycle: %+v, want the waiting targets queued", v)
	}
	p.submitTargets(key, users("u3"), now)
	p.mu.Lock()
	got := p.jobs[key].targets.Users
	p.mu.Unlock()
	if len(got) != 2 || got[0] != "u2" || got[1] != "u3" {
		t.Fatalf("queued targets %v, want u2 and u3 merged", got)
	}
	if !p.submit(job("a", false)) {
		t.Fatal("a scheduled cycle did not replace the queued targeted one")
	}
	if v, _ := p.view(key); v.targeted || len(p.queue) != 1 {
		t.Fatalf("after the scheduled submit: %+v, queue %d; want one scheduled job", v, len(p.queue))
	}
}

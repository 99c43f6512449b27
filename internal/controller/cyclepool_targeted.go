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
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// triggerFeed is the trigger of targeted cycles.
const triggerFeed = "change feed"

// feedJobs is the pool's part in targeted cycles. A targeted cycle runs
// with the configuration of the integration's last scheduled cycle (its
// base), through the same one-job-per-integration slot, so it never runs
// beside a scheduled cycle of the same integration: one writer per target
// object. Targets that arrive while a cycle runs wait for it to end.
type feedJobs struct {
	bases   map[types.NamespacedName]*cycleJob
	waiting map[types.NamespacedName]*cycleJob
}

func newFeedJobs() feedJobs {
	return feedJobs{bases: map[types.NamespacedName]*cycleJob{}, waiting: map[types.NamespacedName]*cycleJob{}}
}

func (f feedJobs) forget(key types.NamespacedName) {
	delete(f.bases, key)
	delete(f.waiting, key)
}

// submitTargets hands the change feed's targets to the integration. A
// queued scheduled cycle covers them (it reads after the change); a queued
// targeted cycle takes them in; while a cycle runs they wait for it to
// end; otherwise a targeted cycle is queued. False means the integration
// has no scheduled cycle to build on: its first cycle covers the change.
func (p *cyclePool) submitTargets(key types.NamespacedName, t provisioning.Targets, published []time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	base := p.feed.bases[key]
	if base == nil || p.stopped || t.Empty() {
		return false
	}
	j := p.jobs[key]
	switch {
	case j == nil:
		p.queueTargeted(base, t, published)
	case j.state == jobQueued && j.targets == nil:
		// The queued scheduled cycle reads after these changes.
	case j.state == jobQueued:
		merged := j.targets.Merge(t)
		j.targets, j.published = &merged, append(j.published, published...)
	default:
		w := p.feed.waiting[key]
		if w == nil {
			w = &cycleJob{targets: &provisioning.Targets{}}
			p.feed.waiting[key] = w
		}
		merged := w.targets.Merge(t)
		w.targets, w.published = &merged, append(w.published, published...)
	}
	return true
}

// queueTargeted queues a targeted cycle on base; the caller holds p.mu.
func (p *cyclePool) queueTargeted(base *cycleJob, t provisioning.Targets, published []time.Time) {
	cfg := base.cfg
	cfg.ApprovedPlanID, cfg.RetryDeferred = "", false
	j := &cycleJob{key: base.key, engine: base.engine, cfg: cfg, trigger: triggerFeed, generation: base.generation,
		clientsKey: base.clientsKey, targets: &t, published: published, state: jobQueued, queued: time.Now()}
	p.jobs[j.key] = j
	p.queue = append(p.queue, j)
	p.wake.Broadcast()
}

// queueWaiting queues the targets that waited for the integration's last
// job; the caller holds p.mu.
func (p *cyclePool) queueWaiting(key types.NamespacedName) {
	w := p.feed.waiting[key]
	delete(p.feed.waiting, key)
	if base := p.feed.bases[key]; w != nil && base != nil && !p.stopped {
		p.queueTargeted(base, *w.targets, w.published)
	}
}

// coveredBy makes a queued targeted cycle give way to the scheduled cycle
// j, which reads after every change it was queued for; the caller holds
// p.mu. False when old must stay.
func (p *cyclePool) coveredBy(old, j *cycleJob) bool {
	if old.targets == nil || old.state != jobQueued || j.targets != nil {
		return false
	}
	p.queue = slices.DeleteFunc(p.queue, func(q *cycleJob) bool { return q == old })
	delete(p.jobs, old.key)
	return true
}

// parkTargeted moves a queued targeted cycle back to waiting, so a
// finished job whose result was not recorded yet can take the slot again;
// the caller holds p.mu.
func (p *cyclePool) parkTargeted(j *cycleJob) bool {
	if j.targets == nil || j.state != jobQueued {
		return false
	}
	p.queue = slices.DeleteFunc(p.queue, func(q *cycleJob) bool { return q == j })
	delete(p.jobs, j.key)
	w := &cycleJob{targets: j.targets, published: j.published}
	if prev := p.feed.waiting[j.key]; prev != nil {
		merged := prev.targets.Merge(*j.targets)
		w.targets, w.published = &merged, slices.Concat(prev.published, j.published)
	}
	p.feed.waiting[j.key] = w
	return true
}

// checkBase forgets the base of an integration whose spec or clients
// changed since its last scheduled cycle: a targeted cycle must not run
// with a configuration that is out of date.
func (p *cyclePool) checkBase(key types.NamespacedName, generation int64, clientsKey string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.feed.bases[key]; b != nil && (b.generation != generation || b.clientsKey != clientsKey) {
		p.feed.forget(key)
	}
}

// poke wakes the integration's reconcile.
func (p *cyclePool) poke(key types.NamespacedName) { p.notify(&cycleJob{key: key}) }

// runEngine runs the job's cycle.
func (j *cycleJob) runEngine(ctx context.Context) (*provisioning.Result, error) {
	if j.targets != nil {
		return j.engine.RunTargeted(ctx, j.cfg, *j.targets)
	}
	return j.engine.Run(ctx, j.cfg)
}

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
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// jobState is where a cycle is in the pool.
type jobState int

const (
	jobQueued jobState = iota
	jobRunning
	jobDone
)

// cycleJob is one integration's cycle: what the reconcile submitted, and
// what the pool did with it.
type cycleJob struct {
	key    types.NamespacedName
	engine *provisioning.Engine
	cfg    provisioning.Config
	// long marks cycles that may run for minutes (full cycles of large or
	// not yet synced integrations); they never take the last free worker.
	long    bool
	trigger string
	// submitted says what the cycle was submitted for; the reconcile that
	// takes the result records it as handled.
	generation int64
	clientsKey string
	requested  string // reconcile-requested-at value
	fullSync   string // full-sync-requested-at value
	approval   string
	// targets makes it a targeted cycle (see cyclepool_targeted.go);
	// published are the events' publication times, for the latency metric.
	targets   *provisioning.Targets
	published []time.Time

	state           jobState
	queued, started time.Time
	finished        time.Time
	cancel          context.CancelFunc
	cancelled       string
	result          *provisioning.Result
	err             error
	// recorded is set once the reconcile that took the job has logged it,
	// counted it and scheduled the next cycle; nextSync is that schedule.
	// A job put back after a failed status write is only folded in again.
	recorded bool
	nextSync time.Time
}

// jobView is a reconcile's copy of a job's progress.
type jobView struct {
	state           jobState
	trigger         string
	mode            provisioning.Mode
	queued, started time.Time
	generation      int64
	clientsKey      string
	position        int // in the queue, 1-based; 0 once running
	targeted        bool
}

// cyclePool runs cycles apart from the reconcile workers, so a long first
// sync never keeps another integration's reconcile (verification, status,
// Secret changes) waiting. It holds at most one job per integration and
// starts them in the order they were queued, so no due integration waits
// behind more than one cycle of another; long cycles may use all workers
// but one, so short cycles are not stuck behind initial syncs.
type cyclePool struct {
	workers int
	timeout time.Duration
	// waited, if set, hears how long each job was queued when it starts.
	waited func(provisioning.Mode, time.Duration)
	// done wakes the integration's reconcile when its job starts or ends.
	done chan event.GenericEvent
	// scope, if set, gives the context a job runs under, or why it may
	// not run (this replica does not hold the integration's shard).
	scope func(ctx context.Context, key types.NamespacedName) (context.Context, string)

	mu          sync.Mutex
	wake        *sync.Cond
	jobs        map[types.NamespacedName]*cycleJob
	queue       []*cycleJob
	feed        feedJobs
	running     int
	runningLong int
	stopped     bool
}

func newCyclePool(workers int, timeout time.Duration) *cyclePool {
	p := &cyclePool{workers: max(1, workers), timeout: timeout, done: make(chan event.GenericEvent, 1024),
		jobs: map[types.NamespacedName]*cycleJob{}, feed: newFeedJobs()}
	p.wake = sync.NewCond(&p.mu)
	return p
}

// Start runs the workers until ctx ends; it implements manager.Runnable.
func (p *cyclePool) Start(ctx context.Context) error {
	var wg sync.WaitGroup
	for range p.workers {
		wg.Go(func() { p.work(ctx) })
	}
	<-ctx.Done()
	p.mu.Lock()
	p.stopped = true
	for _, j := range p.jobs {
		if j.cancel != nil {
			j.cancel()
		}
	}
	p.wake.Broadcast()
	p.mu.Unlock()
	wg.Wait()
	return nil
}

// NeedLeaderElection makes only the leader run cycles.
func (p *cyclePool) NeedLeaderElection() bool { return true }

// submit queues a job unless the integration already has one.
func (p *cyclePool) submit(j *cycleJob) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, busy := p.jobs[j.key]; (busy && !p.coveredBy(old, j)) || p.stopped {
		return false
	}
	p.feed.bases[j.key] = j
	j.state, j.queued = jobQueued, time.Now()
	p.jobs[j.key] = j
	p.queue = append(p.queue, j)
	p.wake.Broadcast()
	return true
}

// view returns the integration's job, if any.
func (p *cyclePool) view(key types.NamespacedName) (jobView, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := p.jobs[key]
	if j == nil {
		return jobView{}, false
	}
	v := jobView{state: j.state, trigger: j.trigger, mode: j.cfg.Mode, queued: j.queued, started: j.started,
		generation: j.generation, clientsKey: j.clientsKey, targeted: j.targets != nil}
	if j.state == jobQueued {
		v.position = slices.Index(p.queue, j) + 1
	}
	return v, true
}

// take removes and returns the integration's finished job.
func (p *cyclePool) take(key types.NamespacedName) *cycleJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := p.jobs[key]
	if j == nil || j.state != jobDone {
		return nil
	}
	delete(p.jobs, key)
	p.queueWaiting(key)
	return j
}

// restore puts back a finished job whose result could not be recorded.
func (p *cyclePool) restore(j *cycleJob) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur, busy := p.jobs[j.key]; busy && !p.parkTargeted(cur) {
		return
	}
	if !p.stopped {
		p.jobs[j.key] = j
	}
}

// cancel stops the integration's job, queued or running; it comes back
// done with the reason and no result to apply.
func (p *cyclePool) cancel(key types.NamespacedName, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Targeted cycles run with the last scheduled cycle's configuration,
	// which is out of date now.
	p.feed.forget(key)
	j := p.jobs[key]
	if j == nil || j.state == jobDone {
		return
	}
	j.cancelled = why
	if j.state == jobRunning {
		j.cancel()
		return
	}
	p.queue = slices.DeleteFunc(p.queue, func(q *cycleJob) bool { return q == j })
	j.state, j.finished = jobDone, time.Now()
	p.notify(j)
}

// forget drops the integration's job (it was deleted).
func (p *cyclePool) forget(key types.NamespacedName) {
	p.cancel(key, "the integration was deleted")
	p.mu.Lock()
	defer p.mu.Unlock()
	if j := p.jobs[key]; j != nil && j.state == jobDone {
		delete(p.jobs, key)
	}
	p.feed.forget(key)
}

func (p *cyclePool) work(ctx context.Context) {
	for {
		j := p.next()
		if j == nil {
			return
		}
		p.run(ctx, j)
	}
}

// next waits for a job a worker may start: the oldest queued one, except
// that a long job waits while the other workers hold long jobs.
func (p *cyclePool) next() *cycleJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.stopped {
			return nil
		}
		for i, j := range p.queue {
			if j.long && p.workers > 1 && p.runningLong >= p.workers-1 {
				continue
			}
			p.queue = slices.Delete(p.queue, i, i+1)
			p.running++
			if j.long {
				p.runningLong++
			}
			j.state, j.started = jobRunning, time.Now()
			if p.waited != nil {
				p.waited(j.cfg.Mode, j.started.Sub(j.queued))
			}
			p.notify(j)
			return j
		}
		p.wake.Wait()
	}
}

func (p *cyclePool) run(ctx context.Context, j *cycleJob) {
	base, refused := ctx, ""
	if p.scope != nil {
		base, refused = p.scope(ctx, j.key)
	}
	cctx, cancel := context.WithTimeout(base, p.timeout)
	p.mu.Lock()
	j.cancel = cancel
	if refused != "" && j.cancelled == "" {
		j.cancelled = refused
	}
	if j.cancelled != "" {
		cancel()
	}
	p.mu.Unlock()
	res, err := j.runEngine(cctx)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && cctx.Err() != nil {
		err = fmt.Errorf("the cycle did not finish within %s; the next cycle continues from what was done: %w", p.timeout, err)
	}
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	j.result, j.err, j.state, j.finished = res, err, jobDone, time.Now()
	p.running--
	if j.long {
		p.runningLong--
	}
	p.wake.Broadcast()
	p.notify(j)
}

// notify wakes the integration's reconcile; the caller holds p.mu. The
// channel is large; should it ever be full, the reconcile's periodic check
// of a busy job picks the change up.
func (p *cyclePool) notify(j *cycleJob) {
	obj := &identityv1alpha1.DirectoryIntegration{ObjectMeta: metav1.ObjectMeta{Namespace: j.key.Namespace, Name: j.key.Name}}
	select {
	case p.done <- event.GenericEvent{Object: obj}:
	default:
	}
}

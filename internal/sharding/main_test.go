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
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/scimbridge/scimbridge/test/testenv"
)

// The tests run shard managers against a real kube-apiserver and etcd:
// Leases, resourceVersions and conflicts are the real ones.

var k8s client.Client

func TestMain(m *testing.M) {
	env, err := testenv.NewEnvironment()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	code := 1
	if err == nil {
		code = m.Run()
	} else {
		fmt.Fprintln(os.Stderr, err)
	}
	_ = env.Stop()
	os.Exit(code)
}

// Short timings: a takeover takes about three seconds.
const (
	testLease   = 3 * time.Second
	testRenew   = 2 * time.Second
	testRetry   = 200 * time.Millisecond
	testTimeout = 30 * time.Second
)

// namespace creates a namespace of its own for one test.
func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "shards-"}}
	if err := k8s.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// partitionable is a client whose calls fail while cut, as those of a
// replica cut off from the API server.
type partitionable struct {
	client.Client
	cut atomic.Bool
}

var errCut = errors.New("test: cut off from the API server")

// blocked waits out the call's context while cut, as a request into a
// black-holed connection does.
func (p *partitionable) blocked(ctx context.Context) error {
	if !p.cut.Load() {
		return nil
	}
	<-ctx.Done()
	return errCut
}

func (p *partitionable) List(ctx context.Context, l client.ObjectList, opts ...client.ListOption) error {
	if err := p.blocked(ctx); err != nil {
		return err
	}
	return p.Client.List(ctx, l, opts...)
}

func (p *partitionable) Create(ctx context.Context, o client.Object, opts ...client.CreateOption) error {
	if err := p.blocked(ctx); err != nil {
		return err
	}
	return p.Client.Create(ctx, o, opts...)
}

func (p *partitionable) Update(ctx context.Context, o client.Object, opts ...client.UpdateOption) error {
	if err := p.blocked(ctx); err != nil {
		return err
	}
	return p.Client.Update(ctx, o, opts...)
}

func (p *partitionable) Delete(ctx context.Context, o client.Object, opts ...client.DeleteOption) error {
	if err := p.blocked(ctx); err != nil {
		return err
	}
	return p.Client.Delete(ctx, o, opts...)
}

// replica is one shard manager under test, with a writer per shard that
// keeps "requests" in flight whenever it may, and the record of them.
type replica struct {
	name   string
	m      *Manager
	api    *partitionable
	cancel context.CancelFunc
	done   chan struct{}
	log    *writeLog

	mu           sync.Mutex
	gained, lost map[int][]time.Time
}

// start runs a replica of shards in ns until the test ends or stop.
func start(t *testing.T, ns, name string, shards int, log *writeLog) *replica {
	t.Helper()
	r := &replica{name: name, api: &partitionable{Client: k8s}, done: make(chan struct{}), log: log,
		gained: map[int][]time.Time{}, lost: map[int][]time.Time{}}
	m, err := New(Config{
		Namespace: ns, Name: "test-shard", Shards: shards, Identity: name + "-" + NewIdentity(),
		LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry,
		Client: r.api, Reader: r.api, Log: testr.New(t).WithName(name),
		OnGained: func(s int) { r.note(r.gained, s) },
		OnLost:   func(s int) { r.note(r.lost, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		_ = m.Start(ctx)
	}()
	for s := range shards {
		go r.write(ctx, s)
	}
	t.Cleanup(r.stop)
	return r
}

// lostAt returns when the replica lost the shard, each time.
func (r *replica) lostAt(s int) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lost[s])
}

func (r *replica) note(events map[int][]time.Time, s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	events[s] = append(events[s], time.Now())
}

// stop shuts the replica down as a manager's end would, and waits for it.
func (r *replica) stop() {
	r.cancel()
	<-r.done
}

// write acts on the shard whenever the replica holds it: each "request"
// is admitted by Enter, lasts up to 30ms (less if its tenure ends), and is
// recorded with its start and end.
func (r *replica) write(ctx context.Context, shard int) {
	for ctx.Err() == nil {
		epoch := r.m.Epoch(shard)
		if epoch == 0 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		tctx, leave, err := r.m.Enter(shard, epoch)
		if err != nil {
			continue
		}
		begin := time.Now()
		select {
		case <-tctx.Done():
		case <-time.After(30 * time.Millisecond):
		}
		r.log.add(shard, r.name, begin, time.Now())
		leave()
	}
}

// holding returns the shards the replica holds now.
func (r *replica) holding() []int {
	var out []int
	for s := range r.m.Shards() {
		if r.m.Epoch(s) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// writeLog records every request of every replica.
type writeLog struct {
	mu     sync.Mutex
	writes map[int][]write
}

type write struct {
	replica    string
	begin, end time.Time
}

func newWriteLog() *writeLog { return &writeLog{writes: map[int][]write{}} }

func (l *writeLog) add(shard int, replica string, begin, end time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes[shard] = append(l.writes[shard], write{replica, begin, end})
}

// overlaps returns, per shard, requests of two replicas that were in
// flight at the same time: what must never happen.
func (l *writeLog) overlaps() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for shard, ws := range l.writes {
		for i, a := range ws {
			for _, b := range ws[i+1:] {
				if a.replica != b.replica && a.begin.Before(b.end) && b.begin.Before(a.end) {
					out = append(out, fmt.Sprintf("shard %d: %s %s–%s and %s %s–%s", shard,
						a.replica, a.begin.Format("15:04:05.000"), a.end.Format("15:04:05.000"),
						b.replica, b.begin.Format("15:04:05.000"), b.end.Format("15:04:05.000")))
				}
			}
		}
	}
	return out
}

// writers returns the replicas that wrote to a shard.
func (l *writeLog) writers(shard int) map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, w := range l.writes[shard] {
		out[w.replica]++
	}
	return out
}

// lastWrite returns the end of the replica's last request to the shard.
func (l *writeLog) lastWrite(shard int, replica string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last time.Time
	for _, w := range l.writes[shard] {
		if w.replica == replica && w.end.After(last) {
			last = w.end
		}
	}
	return last
}

// firstWrite returns the start of the replica's first request to the shard.
func (l *writeLog) firstWrite(shard int, replica string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for _, w := range l.writes[shard] {
		if w.replica == replica && (first.IsZero() || w.begin.Before(first)) {
			first = w.begin
		}
	}
	return first
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leases reads the test's shard leases.
func leases(t *testing.T, ns string) map[string]coordinationv1.Lease {
	t.Helper()
	var list coordinationv1.LeaseList
	if err := k8s.List(t.Context(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	out := map[string]coordinationv1.Lease{}
	for _, l := range list.Items {
		out[l.Name] = l
	}
	return out
}

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
	"io"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/sharding"
	"github.com/scimbridge/scimbridge/internal/version"
)

// shardGate says which integrations this replica acts on. A nil gate, or
// one without a shard manager, acts on every integration: one replica, or
// the leader of several.
type shardGate struct {
	m *sharding.Manager
	// reader finds a shard's objects (the manager's cache).
	reader client.Reader
	// integrations and groups wake the reconcilers of a shard's objects
	// when it is gained or lost.
	integrations, groups chan event.GenericEvent
	// disown forgets what this replica knew of the shard's integrations;
	// Setup sets it.
	disown func(shard int)
}

// newShardGate starts sharding when cfg is set: the shard manager is added
// to mgr, with the leases' client and reader taken from it.
func newShardGate(mgr ctrl.Manager, cfg *sharding.Config) (*shardGate, error) {
	g := &shardGate{reader: mgr.GetClient(), integrations: make(chan event.GenericEvent, 1024),
		groups: make(chan event.GenericEvent, 1024), disown: func(int) {}}
	if cfg == nil {
		return g, nil
	}
	c := *cfg
	c.Client, c.Reader = mgr.GetClient(), mgr.GetAPIReader()
	c.Log = mgr.GetLogger().WithName("shards")
	c.OnGained = func(shard int) { go g.wake(shard) }
	c.OnLost = func(shard int) {
		g.disown(shard)
		go g.wake(shard)
	}
	m, err := sharding.New(c)
	if err != nil {
		return nil, err
	}
	g.m = m
	return g, mgr.Add(m)
}

func (g *shardGate) sharded() bool { return g != nil && g.m != nil }

func (g *shardGate) shardOf(key types.NamespacedName) int {
	if !g.sharded() {
		return 0
	}
	return g.m.ShardOf(key.String())
}

// owns reports whether this replica acts on the integration now.
func (g *shardGate) owns(integration types.NamespacedName) bool {
	return !g.sharded() || g.m.Epoch(g.shardOf(integration)) != 0
}

// epoch is the tenure of the integration's shard that clients built now
// belong to (0: unsharded, or not held).
func (g *shardGate) epoch(integration types.NamespacedName) uint64 {
	if !g.sharded() {
		return 0
	}
	return g.m.Epoch(g.shardOf(integration))
}

// cycleContext is the context a cycle of the integration runs under: one
// that ends with the tenure of its shard, checked as the cycle starts. A
// reason is returned instead when this replica does not hold the shard.
func (g *shardGate) cycleContext(ctx context.Context, integration types.NamespacedName) (context.Context, string) {
	if !g.sharded() {
		return ctx, ""
	}
	sctx, ok := g.m.Context(g.shardOf(integration))
	if !ok {
		return ctx, "this replica does not hold the integration's shard"
	}
	return sctx, ""
}

// userAgent names the replica in every request to the targets, so that a
// target's logs tell which replica wrote.
func (g *shardGate) userAgent() string {
	return version.UserAgent() + " (replica " + g.m.Identity() + ")"
}

// transport admits the integration's requests only during the tenure of
// epoch, and aborts those in flight when it ends: the last check before
// anything reaches the target, whatever the cycle is doing.
func (g *shardGate) transport(integration types.NamespacedName, epoch uint64, next http.RoundTripper) http.RoundTripper {
	shard := g.shardOf(integration)
	return &tenureTransport{next: next, enter: func() (context.Context, func(), error) { return g.m.Enter(shard, epoch) }}
}

type tenureTransport struct {
	next  http.RoundTripper
	enter func() (context.Context, func(), error)
}

func (t *tenureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tctx, leave, err := t.enter()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(tctx, func() { cancel(context.Cause(tctx)) })
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	// The answer's headers are in: the server has acted on the request.
	leave()
	if err != nil {
		stop()
		cancel(nil)
		return nil, err
	}
	resp.Body = &tenureBody{ReadCloser: resp.Body, done: func() { stop(); cancel(nil) }}
	return resp, nil
}

// tenureBody ends the request's tie to the tenure when the body is closed.
type tenureBody struct {
	io.ReadCloser
	done func()
}

func (b *tenureBody) Close() error {
	err := b.ReadCloser.Close()
	b.done()
	return err
}

// wake enqueues the shard's integrations and groups: on a gain they are
// taken up, on a loss they drop what they exported.
func (g *shardGate) wake(shard int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var dis identityv1alpha1.DirectoryIntegrationList
	if err := g.reader.List(ctx, &dis); err == nil {
		for i := range dis.Items {
			di := &dis.Items[i]
			if g.shardOf(types.NamespacedName{Namespace: di.Namespace, Name: di.Name}) == shard {
				send(ctx, g.integrations, &identityv1alpha1.DirectoryIntegration{ObjectMeta: objectKey(di.Namespace, di.Name)})
			}
		}
	}
	var pgs identityv1alpha1.ProvisionedGroupList
	if err := g.reader.List(ctx, &pgs); err == nil {
		for i := range pgs.Items {
			pg := &pgs.Items[i]
			if g.shardOf(types.NamespacedName{Namespace: pg.Namespace, Name: pg.Spec.IntegrationRef.Name}) == shard {
				send(ctx, g.groups, &identityv1alpha1.ProvisionedGroup{ObjectMeta: objectKey(pg.Namespace, pg.Name)})
			}
		}
	}
}

func send(ctx context.Context, ch chan<- event.GenericEvent, obj client.Object) {
	select {
	case ch <- event.GenericEvent{Object: obj}:
	case <-ctx.Done():
	}
}

func objectKey(ns, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name}
}

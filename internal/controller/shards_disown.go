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
	"k8s.io/apimachinery/pkg/types"
)

// disownShard forgets everything this replica knew of a shard's
// integrations once it lost the shard: their cycles are cancelled, their
// clients and engines dropped (a new tenure starts from a full cycle, as
// after a restart), their state and metrics removed. Another replica may
// have written their targets meanwhile, so nothing of it is reused.
func (r *DirectoryIntegrationReconciler) disownShard(shard int) {
	seen := map[types.NamespacedName]bool{}
	r.mu.Lock()
	for nn := range r.state {
		seen[nn] = true
	}
	r.mu.Unlock()
	for _, nn := range r.shared.pool.keys() {
		seen[nn] = true
	}
	for _, nn := range r.shared.cache.keys() {
		seen[nn] = true
	}
	for nn := range seen {
		if r.shared.shards.shardOf(nn) == shard {
			r.disown(nn)
		}
	}
}

// disown forgets one integration another replica acts on now.
func (r *DirectoryIntegrationReconciler) disown(nn types.NamespacedName) {
	r.mu.Lock()
	delete(r.state, nn)
	r.mu.Unlock()
	r.shared.pool.drop(nn, "this replica no longer holds the integration's shard")
	r.shared.cache.forget(nn)
	if r.shared.feed != nil {
		r.shared.feed.forget(nn)
	}
	r.shared.metrics.forget(kindIntegration, nn.Namespace, nn.Name)
}

// drop cancels the integration's job and removes it once it is done (a
// running one is removed by the next reconcile, after it returned).
func (p *cyclePool) drop(key types.NamespacedName, why string) {
	p.cancel(key, why)
	p.mu.Lock()
	defer p.mu.Unlock()
	if j := p.jobs[key]; j != nil && j.state == jobDone {
		delete(p.jobs, key)
	}
}

// keys lists the integrations that have a job.
func (p *cyclePool) keys() []types.NamespacedName {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]types.NamespacedName, 0, len(p.jobs))
	for k := range p.jobs {
		out = append(out, k)
	}
	return out
}

// keys lists the integrations that have clients.
func (c *clientCache) keys() []types.NamespacedName {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]types.NamespacedName, 0, len(c.entries))
	for k := range c.entries {
		out = append(out, k)
	}
	return out
}

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

package provisioning

import (
	"context"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// bulkTarget is a Target that can send SCIM Bulk requests, and single
// operations answered the same way for the fallback. *scim.Client is one.
type bulkTarget interface {
	BulkConfig(ctx context.Context) (scim.BulkConfig, error)
	Bulk(ctx context.Context, ops []scim.BulkOperation) ([]scim.BulkResult, error)
	Send(ctx context.Context, op scim.BulkOperation) scim.BulkResult
}

// pacedTarget reports how requests to the target are paced.
type pacedTarget interface {
	Pacing() scim.PaceStats
}

var (
	_ bulkTarget  = (*scim.Client)(nil)
	_ pacedTarget = (*scim.Client)(nil)
)

// guardedBulk is a bulkTarget behind the target's auth circuit.
type guardedBulk struct {
	bt      bulkTarget
	circuit *authCircuit
}

func (g guardedBulk) BulkConfig(ctx context.Context) (scim.BulkConfig, error) {
	return guard(g.circuit, func() (scim.BulkConfig, error) { return g.bt.BulkConfig(ctx) })
}

func (g guardedBulk) Bulk(ctx context.Context, ops []scim.BulkOperation) ([]scim.BulkResult, error) {
	results, err := guard(g.circuit, func() ([]scim.BulkResult, error) { return g.bt.Bulk(ctx, ops) })
	for _, r := range results {
		g.circuit.observe(r.Err)
	}
	return results, err
}

func (g guardedBulk) Send(ctx context.Context, op scim.BulkOperation) scim.BulkResult {
	if err := g.circuit.check(); err != nil {
		return scim.BulkResult{Err: err}
	}
	res := g.bt.Send(ctx, op)
	g.circuit.observe(res.Err)
	return res
}

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

package httpx

import (
	"maps"
	"sync"
)

// RequestKey identifies a class of requests for accounting.
type RequestKey struct {
	// Kind is the logical operation, e.g. "users.list" or "groups.patch".
	Kind string
	// Method is the HTTP method.
	Method string
	// Outcome is the status code as text ("200", "429") or a transport error class ("timeout", "error").
	Outcome string
}

// Accounting counts requests by key. The zero value is ready to use and safe for concurrent use.
type Accounting struct {
	mu     sync.Mutex
	counts map[RequestKey]int64
}

// Add records one request.
func (a *Accounting) Add(k RequestKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.counts == nil {
		a.counts = make(map[RequestKey]int64)
	}
	a.counts[k]++
}

// Snapshot returns a copy of the counts.
func (a *Accounting) Snapshot() map[RequestKey]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.counts)
}

// Total returns the number of requests recorded.
func (a *Accounting) Total() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var n int64
	for _, c := range a.counts {
		n += c
	}
	return n
}

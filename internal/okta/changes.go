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

package okta

import (
	"context"
	"iter"
	"net/http"
	"sync"
	"time"
)

// Changes is an incremental query: All streams the changed objects, after
// which Watermark is the "since" to pass next cycle. The context is All's,
// per call, so a query never outlives the caller that runs it.
type Changes[T any] struct {
	c    *Client
	reqs []request // run in order, each followed through its pages

	mu        sync.Mutex
	watermark time.Time
	complete  bool
}

func newChanges[T any](c *Client, reqs ...request) *Changes[T] {
	return &Changes[T]{c: c, reqs: reqs}
}

// All streams the changed objects. Iterate it once.
func (ch *Changes[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var first time.Time
		onPage := func(header http.Header) {
			if first.IsZero() {
				first = ch.c.noteServerTime(header)
			}
		}
		for _, r := range ch.reqs {
			for v, err := range paginate[T](ctx, ch.c, r, onPage) {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
		if first.IsZero() {
			return
		}
		ch.mu.Lock()
		// The query's own start on the server clock, minus the overlap for
		// Okta's eventually consistent search index.
		ch.watermark, ch.complete = first.Add(-ch.c.opts.Overlap), true
		ch.mu.Unlock()
	}
}

// Watermark returns the next "since": the server's Date at the first page
// minus Options.Overlap. ok is false until All has run to the end without
// error, or when the server sent no Date (the local clock is never used).
func (ch *Changes[T]) Watermark() (time.Time, bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.watermark, ch.complete
}

// Collect runs All and returns the objects in a slice.
func (ch *Changes[T]) Collect(ctx context.Context) ([]T, error) { return collect(ch.All(ctx)) }

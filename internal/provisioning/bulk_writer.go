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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// The bulk writer sends a cycle's writes as SCIM Bulk requests (RFC 7644
// §3.7). Items keep their order; a request takes as many as fit within the
// target's maxOperations and maxPayloadSize. A create is named by a
// placeholder, "bulkId:<id>": an item whose data names it sends that
// reference when it shares the create's request, and the created id
// otherwise; when the create failed the reference is left out. Requests run
// concurrently unless an item needs an answer still in flight.

const (
	// bulkAttempts bounds the tries of one operation, the first included.
	bulkAttempts = 4
	// bulkParallel bounds the Bulk requests in flight.
	bulkParallel = 4
	// bulkEnvelope is kept free in every request for what surrounds its
	// operations.
	bulkEnvelope = 256
	// placeholderPrefix starts every placeholder; it is also the wire form
	// of a reference inside one request.
	placeholderPrefix = "bulkId:"
)

// errBulkDependency answers an item whose create failed before it.
var errBulkDependency = errors.New("not sent: the create it depends on failed")

// bulkItem is one write: an operation in a Bulk request, or on its own
// after the target refused Bulk.
type bulkItem struct {
	seq    int
	bulkID string
	// produces is the placeholder of the resource this item creates.
	produces string
	// refs are placeholders the data may name; needs are placeholders that
	// must be resolved before it is sent (they name the resource itself).
	refs, needs []string
	// render builds the operation, resolving placeholders; false means
	// nothing is left to send.
	render func(resolve func(string) (string, bool)) (scim.BulkOperation, bool)
	// finish records the outcome, once, and returns the id of what it
	// created ("" for none or a failure).
	finish   func(ctx context.Context, res scim.BulkResult) string
	attempts int
}

type phState int

const (
	phQueued  phState = iota // not sent yet, or waiting for another try
	phPlaced                 // in the request being built
	phSending                // in a request in flight
	phDone                   // answered: id, or "" when it failed
)

type placeholder struct {
	state phState
	id    string
	req   *bulkRequest
}

type bulkRequest struct {
	items []*bulkItem
	ops   []scim.BulkOperation
	size  int
	// produced are the placeholders of the request's creates.
	produced map[string]bool
	done     chan struct{}
}

func newBulkRequest() *bulkRequest {
	return &bulkRequest{produced: map[string]bool{}, done: make(chan struct{})}
}

// bulkWriter sends the items of one cycle.
type bulkWriter struct {
	dst      bulkTarget
	limits   scim.BulkConfig
	singles  int // concurrency of single requests after a refusal
	backoff  httpx.Backoff
	mu       sync.Mutex
	ph       map[string]*placeholder
	seq      int
	refused  error
	requests int
	ops      int
}

func newBulkWriter(dst bulkTarget, limits scim.BulkConfig, singles int) *bulkWriter {
	return &bulkWriter{dst: dst, limits: limits, singles: singles, ph: map[string]*placeholder{},
		backoff: httpx.Backoff{Base: 500 * time.Millisecond, Max: 10 * time.Second}}
}

// isPlaceholder reports whether id names a create not answered yet.
func isPlaceholder(id string) bool { return strings.HasPrefix(id, placeholderPrefix) }

// run sends items: Bulk passes (operations the target answered 429 or
// 503, or did not reach, go again in the next pass), or single requests
// once the target refused Bulk.
func (w *bulkWriter) run(ctx context.Context, items []*bulkItem) {
	w.mu.Lock()
	for _, it := range items {
		w.seq++
		it.seq = w.seq
		if it.bulkID == "" {
			it.bulkID = fmt.Sprintf("op%d", it.seq)
		}
		if it.produces != "" {
			w.ph[it.produces] = &placeholder{}
		}
	}
	w.mu.Unlock()
	queue := items
	// Deferred items do not spend tries; the bound on passes only guards
	// against a loop.
	for pass := 0; len(queue) > 0 && ctx.Err() == nil && pass < 2*bulkAttempts; pass++ {
		refused := w.refusal() != nil
		if pass > 0 && !refused && httpx.Sleep(ctx, w.backoff.Delay(pass-1)) != nil {
			return
		}
		last := pass >= bulkAttempts-1
		if refused {
			queue = w.single(ctx, queue, last)
		} else {
			queue = w.pass(ctx, queue, last)
		}
	}
}

func (w *bulkWriter) refusal() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refused
}

type readiness int

const (
	ready    readiness = iota
	deferred           // a create it names waits for a later try
	blocked            // a create it needs failed
	waiting            // a create it names is in a request not answered yet
)

// readiness says whether it can join req (nil: a single request). Caller
// holds mu.
func (w *bulkWriter) readiness(it *bulkItem, req *bulkRequest) (readiness, *bulkRequest) {
	for _, p := range it.needs {
		switch ph := w.ph[p]; {
		case ph == nil || (ph.state == phDone && ph.id == ""):
			return blocked, nil
		case ph.state == phDone:
		case ph.state == phQueued:
			return deferred, nil
		default:
			return waiting, ph.req
		}
	}
	for _, p := range it.refs {
		switch ph := w.ph[p]; {
		case ph == nil || ph.state == phDone:
		case ph.state == phPlaced && req != nil && ph.req == req:
		case ph.state == phQueued:
			return deferred, nil
		default:
			return waiting, ph.req
		}
	}
	return ready, nil
}

// resolver maps placeholders for an operation of req (nil: a single
// request). Caller holds mu.
func (w *bulkWriter) resolver(req *bulkRequest) func(string) (string, bool) {
	return func(p string) (string, bool) {
		ph := w.ph[p]
		switch {
		case ph == nil:
			return "", false
		case req != nil && ph.state == phPlaced && ph.req == req:
			return p, true
		case ph.state == phDone && ph.id != "":
			return ph.id, true
		}
		return "", false
	}
}

// resolved returns the id a placeholder stands for ("" when its create
// failed); any other id is returned as it is.
func (w *bulkWriter) resolved(id string) string {
	if !isPlaceholder(id) {
		return id
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ph := w.ph[id]; ph != nil && ph.state == phDone {
		return ph.id
	}
	return ""
}

// resolveAll maps ids through resolved, dropping failed creates.
func (w *bulkWriter) resolveAll(ids []string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if r := w.resolved(id); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// opSize is an operation's size on the wire (at most: the client may drop
// attributes its policy does not send).
func opSize(op scim.BulkOperation) int {
	b, err := json.Marshal(op)
	if err != nil {
		return 1 << 30
	}
	return len(b) + 1
}

// bulkPass is one pass over the queue.
type bulkPass struct {
	w    *bulkWriter
	last bool
	sem  chan struct{}
	wg   sync.WaitGroup

	mu    sync.Mutex
	again []*bulkItem
}

// keep puts items back for the next pass.
func (ps *bulkPass) keep(items ...*bulkItem) {
	ps.w.mu.Lock()
	for _, it := range items {
		if ph := ps.w.ph[it.produces]; ph != nil {
			ph.state, ph.req = phQueued, nil
		}
	}
	ps.w.mu.Unlock()
	ps.mu.Lock()
	ps.again = append(ps.again, items...)
	ps.mu.Unlock()
}

// finish records an item's final outcome.
func (ps *bulkPass) finish(ctx context.Context, it *bulkItem, res scim.BulkResult) {
	id := it.finish(ctx, res)
	if it.produces == "" {
		return
	}
	ps.w.mu.Lock()
	defer ps.w.mu.Unlock()
	if ph := ps.w.ph[it.produces]; ph != nil {
		ph.state, ph.id = phDone, id
	}
}

// outcome handles an answer: another try for an operation the target
// throttled, did not reach, or that named a create of its request that
// failed (sent again without it); the final outcome otherwise.
func (ps *bulkPass) outcome(ctx context.Context, req *bulkRequest, it *bulkItem, res scim.BulkResult) {
	it.attempts++
	if !ps.last && it.attempts < bulkAttempts && ps.w.retryable(req, it, res) {
		ps.keep(it)
		return
	}
	ps.finish(ctx, it, res)
}

func (w *bulkWriter) retryable(req *bulkRequest, it *bulkItem, res scim.BulkResult) bool {
	if res.Err == nil {
		return false
	}
	if errors.Is(res.Err, scim.ErrBulkNotProcessed) || httpx.IsRetryableStatus(res.Status) {
		return true
	}
	if req == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range it.refs {
		// A create of the same request that failed, or waits for another
		// try: the server could not resolve the reference.
		if ph := w.ph[p]; req.produced[p] && ph != nil && (ph.state == phQueued || (ph.state == phDone && ph.id == "")) {
			return true
		}
	}
	return false
}

// sorted orders items as they were queued.
func sorted(items []*bulkItem) []*bulkItem {
	slices.SortFunc(items, func(a, b *bulkItem) int { return a.seq - b.seq })
	return items
}

// pass builds and sends the requests of one pass and returns what goes again.
func (w *bulkWriter) pass(ctx context.Context, queue []*bulkItem, last bool) []*bulkItem {
	ps := &bulkPass{w: w, last: last, sem: make(chan struct{}, bulkParallel)}
	req := newBulkRequest()
	for i, it := range queue {
		if ctx.Err() != nil {
			break
		}
		if w.refusal() != nil {
			// Refused: nothing unsent goes by Bulk any more.
			ps.keep(append(req.items, queue[i:]...)...)
			req = nil
			break
		}
		req = ps.place(ctx, req, it)
	}
	if req != nil {
		ps.flush(ctx, req)
	}
	ps.wg.Wait()
	return sorted(ps.again)
}

// place adds it to req, or to a new request when req is full or it needs
// req's answers, and returns the request being built.
func (ps *bulkPass) place(ctx context.Context, req *bulkRequest, it *bulkItem) *bulkRequest {
	w := ps.w
	for ctx.Err() == nil {
		w.mu.Lock()
		state, on := w.readiness(it, req)
		var op scim.BulkOperation
		ok := false
		if state == ready {
			op, ok = it.render(w.resolver(req))
		}
		w.mu.Unlock()
		switch {
		case state == deferred:
			ps.keep(it)
			return req
		case state == blocked:
			ps.finish(ctx, it, scim.BulkResult{Err: errBulkDependency})
			return req
		case state == waiting:
			if on == req {
				ps.flush(ctx, req)
				req = newBulkRequest()
			}
			select {
			case <-on.done:
			case <-ctx.Done():
			}
			continue
		case !ok:
			ps.finish(ctx, it, scim.BulkResult{Status: http.StatusNoContent})
			return req
		}
		op.BulkID = it.bulkID
		n := opSize(op)
		if n+bulkEnvelope > w.limits.MaxPayloadSize {
			ps.alone(ctx, req, it)
			return newBulkRequest()
		}
		if len(req.ops) < w.limits.MaxOperations && req.size+n+bulkEnvelope <= w.limits.MaxPayloadSize {
			w.mu.Lock()
			req.items, req.ops, req.size = append(req.items, it), append(req.ops, op), req.size+n
			if ph := w.ph[it.produces]; ph != nil {
				ph.state, ph.req = phPlaced, req
				req.produced[it.produces] = true
			}
			w.mu.Unlock()
			return req
		}
		ps.flush(ctx, req)
		req = newBulkRequest()
	}
	return req
}

// alone sends an operation too large for any Bulk request as a request of
// its own, after everything before it was answered.
func (ps *bulkPass) alone(ctx context.Context, req *bulkRequest, it *bulkItem) {
	ps.flush(ctx, req)
	ps.wg.Wait()
	w := ps.w
	w.mu.Lock()
	op, ok := it.render(w.resolver(nil))
	w.mu.Unlock()
	if !ok {
		ps.finish(ctx, it, scim.BulkResult{Status: http.StatusNoContent})
		return
	}
	ps.outcome(ctx, nil, it, w.dst.Send(ctx, op))
}

// flush sends req, waiting while bulkParallel requests are in flight.
func (ps *bulkPass) flush(ctx context.Context, req *bulkRequest) {
	if len(req.items) == 0 {
		return
	}
	w := ps.w
	w.mu.Lock()
	for _, it := range req.items {
		if ph := w.ph[it.produces]; ph != nil {
			ph.state = phSending
		}
	}
	w.requests++
	w.ops += len(req.ops)
	w.mu.Unlock()
	ps.sem <- struct{}{}
	ps.wg.Go(func() {
		defer func() { <-ps.sem }()
		ps.send(ctx, req)
	})
}

// send runs one Bulk request and handles its answers in order, so a
// create's outcome is known before the operations that name it.
func (ps *bulkPass) send(ctx context.Context, req *bulkRequest) {
	defer close(req.done)
	results, err := ps.w.dst.Bulk(ctx, req.ops)
	if err != nil && refusesBulk(err) && ctx.Err() == nil {
		ps.w.refuse(err)
		ps.keep(req.items...)
		return
	}
	for i, it := range req.items {
		res := scim.BulkResult{Err: err}
		if err == nil {
			res = results[i]
		}
		ps.outcome(ctx, req, it, res)
	}
}

func (w *bulkWriter) refuse(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.refused == nil {
		w.refused = err
	}
}

// refusesBulk tells a target that does not do Bulk after all (no endpoint,
// the request or its size refused, a broken implementation, an answer that
// is no BulkResponse) from a failure single requests would meet as well.
func refusesBulk(err error) bool {
	if errors.Is(err, scim.ErrInvalidResponse) {
		return true
	}
	var se *scim.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusNotImplemented:
		return true
	}
	return false
}

// single sends items as requests of their own, in waves: an item goes once
// the creates it names were answered.
func (w *bulkWriter) single(ctx context.Context, queue []*bulkItem, last bool) []*bulkItem {
	ps := &bulkPass{w: w, last: last}
	pending := queue
	for len(pending) > 0 && ctx.Err() == nil {
		var wave, later, failed []*bulkItem
		w.mu.Lock()
		for _, it := range pending {
			switch state, _ := w.readiness(it, nil); state {
			case ready:
				wave = append(wave, it)
			case blocked:
				failed = append(failed, it)
			default:
				later = append(later, it)
			}
		}
		w.mu.Unlock()
		for _, it := range failed {
			ps.finish(ctx, it, scim.BulkResult{Err: errBulkDependency})
		}
		if len(wave) == 0 {
			ps.keep(later...)
			break
		}
		each(ctx, w.singles, wave, func(ctx context.Context, it *bulkItem) {
			w.mu.Lock()
			op, ok := it.render(w.resolver(nil))
			w.mu.Unlock()
			if !ok {
				ps.finish(ctx, it, scim.BulkResult{Status: http.StatusNoContent})
				return
			}
			ps.outcome(ctx, nil, it, w.dst.Send(ctx, op))
		})
		pending = later
	}
	return sorted(ps.again)
}

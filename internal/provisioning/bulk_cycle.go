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
	"errors"
	"net/http"
	"strconv"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// bulkMemory is what the engine knows of the target's Bulk support. Full
// cycles forget it, so a target that changed is asked again, and a refusal
// costs one attempt per full cycle.
type bulkMemory struct {
	checked bool
	cfg     scim.BulkConfig
	err     error
	refused error
}

// bulkWriter returns the writer of a cycle whose writes go in Bulk
// requests, or nil: nothing to write, a dry run, Bulk switched off, not
// advertised, or refused since the last full cycle.
func (c *cycle) bulkWriter(ctx context.Context, needed bool) *bulkWriter {
	e := c.e
	if !needed || c.cfg.DryRun || e.bulkDst == nil {
		return nil
	}
	if !c.cfg.Bulk {
		c.res.Bulk = BulkReport{State: BulkDisabled, Message: "Bulk is switched off for this integration"}
		return nil
	}
	m := &e.bulk
	if !m.checked {
		cfg, err := e.bulkDst.BulkConfig(ctx)
		// Only an answer is remembered; a timeout or outage asks again.
		var se *scim.Error
		m.checked = err == nil || (errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests)
		m.cfg, m.err = cfg, err
	}
	limits := BulkReport{MaxOperations: m.cfg.MaxOperations, MaxPayloadSize: m.cfg.MaxPayloadSize}
	switch {
	case m.refused != nil:
		limits.State, limits.Message = BulkRejected, refusedMessage(m.refused)
	case m.err != nil:
		limits.State, limits.Message = BulkNotAdvertised, "the target's /ServiceProviderConfig could not be read ("+m.err.Error()+"); one request per change"
	case !m.cfg.Supported:
		limits.State, limits.Message = BulkNotAdvertised, "the target does not advertise Bulk in /ServiceProviderConfig; one request per change"
	default:
		limits.State = BulkUsed
		c.res.Bulk = limits
		return newBulkWriter(e.bulkDst, m.cfg, e.opts.WriteConcurrency)
	}
	c.res.Bulk = limits
	return nil
}

func refusedMessage(err error) string {
	return "the target advertises Bulk but refused a Bulk request (" + err.Error() + "); single requests are used until the next full cycle"
}

// applyUsersBulk sends the user changes in Bulk requests, users first as
// Cisco advises: renames through temporary names, every other change, the
// final names. The last creates, which would not fill a request anyway,
// are held back and returned as items whose placeholders are in the view:
// the group plan then names them, and their memberships go in the same
// request as bulkId references.
func (c *cycle) applyUsersBulk(ctx context.Context, w *bulkWriter, users []*userChange) []*bulkItem {
	a := c.ap
	var viaTemp, creates, others []*userChange
	for _, u := range users {
		switch {
		case u.ViaTemp:
			viaTemp = append(viaTemp, u)
		case u.Create:
			creates = append(creates, u)
		default:
			others = append(others, u)
		}
	}
	if len(viaTemp) > 0 {
		w.run(ctx, a.tempItems(viaTemp))
	}
	split := len(creates) - tailCreates(c.cfg, creates, w.limits)
	w.run(ctx, append(a.userItems(others, false), a.userItems(creates[:split], false)...))
	if len(viaTemp) > 0 {
		w.run(ctx, a.userItems(viaTemp, false))
	}
	return a.userItems(creates[split:], true)
}

// tailCreates is how many of the last creates are held back: those past
// the last full request, within half a request's payload.
func tailCreates(cfg *Config, creates []*userChange, limits scim.BulkConfig) int {
	n, size := 0, 0
	for i := len(creates) - 1; i >= 0 && n < len(creates)%limits.MaxOperations; i-- {
		op := scim.BulkOperation{Method: http.MethodPost, Path: "/Users", BulkID: "u-" + creates[i].OktaID, Data: creates[i].body(cfg)}
		if size += opSize(op); size > limits.MaxPayloadSize/2 {
			break
		}
		n++
	}
	return n
}

// applyGroupsBulk sends the held-back creates and the group changes, then
// records how Bulk went.
func (c *cycle) applyGroupsBulk(ctx context.Context, w *bulkWriter, pending []*bulkItem, groups []*groupChange) {
	w.run(ctx, append(pending, c.ap.groupItems(w, groups)...))
	c.ap.dropPlaceholders()
	w.mu.Lock()
	defer w.mu.Unlock()
	c.res.Bulk.Requests, c.res.Bulk.Operations = w.requests, w.ops
	if w.refused != nil {
		c.e.bulk.refused = w.refused
		c.res.Bulk.State, c.res.Bulk.Message = BulkRejected, refusedMessage(w.refused)
	}
}

// throttled counts 429 and 503 answers between two accounting snapshots.
func throttled(before, after map[httpx.RequestKey]int64) int64 {
	var n int64
	for k, v := range after {
		if k.Outcome == strconv.Itoa(http.StatusTooManyRequests) || k.Outcome == strconv.Itoa(http.StatusServiceUnavailable) {
			n += v - before[k]
		}
	}
	return n
}

// pacing is the target's pacing now, when it reports one.
func (e *Engine) pacing() *scim.PaceStats {
	if e.paced == nil {
		return nil
	}
	s := e.paced.Pacing()
	return &s
}

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

package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RFC 7644 §3.7 message schemas.
const (
	SchemaBulkRequest  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	SchemaBulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// ErrBulkNotProcessed marks an operation the BulkResponse left out: the
// server stopped before it, so it did not take effect.
var ErrBulkNotProcessed = errors.New("scim: bulk operation not processed")

// BulkConfig is what a target's /ServiceProviderConfig says about Bulk.
type BulkConfig struct {
	Supported      bool
	MaxOperations  int
	MaxPayloadSize int
}

// BulkConfig reads the bulk section of /ServiceProviderConfig, without
// retries beyond the usual ones. A server without the endpoint answers an
// error, which callers take as "no Bulk".
func (c *Client) BulkConfig(ctx context.Context) (BulkConfig, error) {
	var raw struct {
		Bulk struct {
			Supported      json.RawMessage `json:"supported"`
			MaxOperations  json.RawMessage `json:"maxOperations"`
			MaxPayloadSize json.RawMessage `json:"maxPayloadSize"`
		} `json:"bulk"`
	}
	err := c.do(ctx, &call{op: "config.get", method: http.MethodGet, path: "/ServiceProviderConfig",
		limit: c.opts.MaxResourceBytes, decode: into(&raw)})
	if err != nil {
		return BulkConfig{}, err
	}
	b := raw.Bulk
	cfg := BulkConfig{Supported: strings.Trim(string(b.Supported), `"`) == "true",
		MaxOperations: flexInt(b.MaxOperations), MaxPayloadSize: flexInt(b.MaxPayloadSize)}
	if cfg.MaxOperations <= 0 || cfg.MaxPayloadSize <= 0 {
		// Limits are required with bulk.supported; without them nothing
		// safe can be sent.
		cfg.Supported = false
	}
	return cfg, nil
}

// flexInt reads a number that some servers quote; 0 when absent or bad.
func flexInt(raw json.RawMessage) int {
	n, err := strconv.Atoi(strings.Trim(string(raw), `" `))
	if err != nil {
		return 0
	}
	return n
}

// BulkOperation is one operation of a BulkRequest, or of Send.
type BulkOperation struct {
	// Kind names the operation for accounting and errors ("users.create").
	Kind   string `json:"-"`
	Method string `json:"method"`
	// Path is relative to the base URL and escaped: UserPath, GroupPath,
	// "/Users" or "/Groups".
	Path   string `json:"path"`
	BulkID string `json:"bulkId,omitempty"`
	// Data is the request body: a User (the client's attribute policy
	// applies), a Group, PatchData, or nil.
	Data any `json:"data,omitempty"`
}

// BulkResult is the answer to one operation.
type BulkResult struct {
	// Status is the operation's HTTP status, 0 when it has none.
	Status   int
	Location string
	// Response is the body the server sent for the operation (an error, or
	// for some servers the resource), if any.
	Response json.RawMessage
	// Err is nil for a 2xx status; an *Error for others; ErrBulkNotProcessed
	// when the server did not reach the operation.
	Err error
}

// ResourceID is the id of the resource the operation created or changed:
// from the response body when it has one, else the location's last segment.
func (r BulkResult) ResourceID() string {
	var body struct {
		ID string `json:"id"`
	}
	if len(r.Response) > 0 && json.Unmarshal(r.Response, &body) == nil && body.ID != "" {
		return body.ID
	}
	loc := strings.TrimRight(r.Location, "/")
	seg := loc[strings.LastIndex(loc, "/")+1:]
	if id, err := url.PathUnescape(seg); err == nil {
		return id
	}
	return seg
}

// UserPath and GroupPath are the escaped paths of one resource.
func UserPath(id string) string { return userPath(id) }

// GroupPath is the escaped path of one group.
func GroupPath(id string) string { return groupPath(id) }

// PatchData is the body of a PATCH with ops.
func PatchData(ops ...PatchOp) any { return newPatch(ops) }

// wireOp is an operation as sent, with the client's policies applied.
type wireOp struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	BulkID string `json:"bulkId,omitempty"`
	Data   any    `json:"data,omitempty"`
}

func (c *Client) data(op BulkOperation) any {
	if u, ok := op.Data.(User); ok {
		u.ID = ""
		return c.outgoing(u)
	}
	return op.Data
}

func refuseUserDelete(op BulkOperation) error {
	if strings.EqualFold(op.Method, http.MethodDelete) && strings.HasPrefix(op.Path, "/Users") {
		return ErrUserDelete
	}
	return nil
}

// Bulk sends ops as one BulkRequest (RFC 7644 §3.7) and returns one result
// per operation, in order. failOnErrors is the number of operations, so
// the server never stops because some fail: one bad user does not fail its
// neighbours. The request is retried like any other (a 429 or 503 means it
// was not processed; a create replayed after a lost answer meets 409,
// which callers resolve by lookup). err is set when the request as a whole
// failed; then no result is meaningful.
func (c *Client) Bulk(ctx context.Context, ops []BulkOperation) ([]BulkResult, error) {
	wire := make([]wireOp, len(ops))
	for i, op := range ops {
		if err := refuseUserDelete(op); err != nil {
			return nil, err
		}
		wire[i] = wireOp{Method: op.Method, Path: op.Path, BulkID: op.BulkID, Data: c.data(op)}
	}
	body := map[string]any{"schemas": []string{SchemaBulkRequest}, "failOnErrors": len(ops), "Operations": wire}
	var resp bulkResponse
	cl := &call{op: "bulk", method: http.MethodPost, path: "/Bulk", body: body, limit: c.opts.MaxListBytes, decode: into(&resp)}
	if err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	if resp.Operations == nil {
		return nil, fmt.Errorf("scim bulk: %w: the answer is not a BulkResponse", ErrInvalidResponse)
	}
	return c.matchResults(ops, resp.Operations), nil
}

type bulkResponse struct {
	Operations []bulkAnswer `json:"Operations"`
}

type bulkAnswer struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId"`
	Location string          `json:"location"`
	Status   json.RawMessage `json:"status"`
	Response json.RawMessage `json:"response"`
}

// matchResults pairs answers with operations by bulkId, or by position for
// answers without one.
func (c *Client) matchResults(ops []BulkOperation, answers []bulkAnswer) []BulkResult {
	out := make([]BulkResult, len(ops))
	byID := make(map[string]int, len(ops))
	for i, op := range ops {
		out[i].Err = ErrBulkNotProcessed
		if op.BulkID != "" {
			byID[op.BulkID] = i
		}
	}
	for pos, a := range answers {
		i, ok := byID[a.BulkID]
		if !ok && a.BulkID == "" && pos < len(ops) && strings.EqualFold(a.Method, ops[pos].Method) {
			i, ok = pos, true
		}
		if !ok {
			continue
		}
		out[i] = c.result(ops[i], a)
	}
	return out
}

func (c *Client) result(op BulkOperation, a bulkAnswer) BulkResult {
	r := BulkResult{Status: answerStatus(a.Status), Location: a.Location, Response: a.Response}
	if r.Status >= 200 && r.Status < 300 {
		return r
	}
	e := &Error{Op: op.Kind, Method: op.Method, Path: stripQuery(op.Path), Status: r.Status}
	parseErrorBody(e, a.Response, c.token)
	r.Err = e
	return r
}

// answerStatus reads "201", 201 or SCIM 1.1's {"code":"201"}.
func answerStatus(raw json.RawMessage) int {
	var obj struct {
		Code json.RawMessage `json:"code"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) && json.Unmarshal(raw, &obj) == nil {
		raw = obj.Code
	}
	return flexInt(raw)
}

func stripQuery(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// Send runs one operation as a request of its own and answers like a Bulk
// operation, so a caller can fall back from Bulk without a second code path.
func (c *Client) Send(ctx context.Context, op BulkOperation) BulkResult {
	if err := refuseUserDelete(op); err != nil {
		return BulkResult{Err: err}
	}
	var raw json.RawMessage
	cl := &call{op: op.Kind, method: op.Method, path: op.Path, body: c.data(op), limit: c.opts.MaxGroupBytes, allowEmpty: true,
		decode: func(r io.Reader) error {
			b, err := io.ReadAll(r)
			raw = b
			return err
		}}
	if op.Data == nil {
		cl.body = nil
	}
	err := c.do(ctx, cl)
	res := BulkResult{Status: cl.status, Response: raw, Err: err}
	if err == nil && res.Status == 0 {
		res.Status = http.StatusOK
	}
	return res
}

// MemberOps are the operations of one PATCH for a membership delta, in the
// form UpdateMembers sends; the caller bounds its size.
func MemberOps(add, remove []string) ([]PatchOp, error) {
	d, err := newMemberDelta(add, remove, len(add)+len(remove))
	if err != nil || d.batches() == 0 {
		return nil, err
	}
	return d.batch(0), nil
}

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

package scimserver

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// FaultKind selects what a Fault does.
type FaultKind string

// Fault kinds.
const (
	// FaultStatus answers Status (default 503) with a SCIM error body, or
	// Body/ContentType when set (e.g. an HTML error page), and Retry-After
	// when RetryAfter is set.
	FaultStatus FaultKind = "status"
	// FaultReset resets the TCP connection instead of answering.
	FaultReset FaultKind = "reset"
	// FaultMalformed answers 200 with a truncated JSON body.
	FaultMalformed FaultKind = "malformed"
	// FaultLatency waits Latency, then serves the request normally.
	FaultLatency FaultKind = "latency"
	// FaultTruncatedPage serves a list request, then answers its page with
	// no resources but the true totalResults: a listing cut short.
	FaultTruncatedPage FaultKind = "truncatedPage"
)

// Fault is one injected failure. Method and Path ("/Users", "/Users/{id}",
// "/Groups", "/Groups/{id}", …) narrow the requests it applies to; empty
// matches all. Times is how many matching requests it affects; 0 means
// until cleared.
type Fault struct {
	Kind        FaultKind     `json:"kind"`
	Method      string        `json:"method,omitempty"`
	Path        string        `json:"path,omitempty"`
	Times       int           `json:"times,omitempty"`
	Status      int           `json:"status,omitempty"`
	RetryAfter  string        `json:"retryAfter,omitempty"`
	Body        string        `json:"body,omitempty"`
	ContentType string        `json:"contentType,omitempty"`
	Latency     time.Duration `json:"latency,omitempty"`
	// AfterHandler lets the request take effect first and then fails its
	// answer: the case where a client cannot know whether a write happened.
	AfterHandler bool `json:"afterHandler,omitempty"`
	// InBulk applies the fault to operations inside Bulk requests instead
	// of to requests: the operation is answered Status (default 503) in
	// the BulkResponse. Only status faults apply there.
	InBulk bool `json:"inBulk,omitempty"`
	// Contains narrows the fault to requests (or, InBulk, operations) whose
	// body contains this text, a userName say: which of several
	// concurrent creates meets it then does not depend on their order.
	Contains string `json:"contains,omitempty"`
}

// faultSet is the ordered list of active faults.
type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
}

func (fs *faultSet) add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = append(fs.faults, &f)
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = nil
}

// matchesBodies reports whether a fault looks into request bodies.
func (fs *faultSet) matchesBodies() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.faults {
		if f.Contains != "" && !f.InBulk {
			return true
		}
	}
	return false
}

// takeIn returns the first fault matching a request (inBulk false) or a
// Bulk operation with data (inBulk true) and uses up one of its times.
func (fs *faultSet) takeIn(method, route string, inBulk bool, data ...[]byte) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if (f.Method != "" && f.Method != method) || (f.Path != "" && f.Path != route) || f.InBulk != inBulk {
			continue
		}
		if f.Contains != "" && (len(data) == 0 || !bytes.Contains(data[0], []byte(f.Contains))) {
			continue
		}
		out := *f
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				fs.faults = append(fs.faults[:i], fs.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

// inject writes the fault's answer. It returns false for latency faults,
// after which the request is served normally.
func (f *Fault) inject(w http.ResponseWriter, r *http.Request) bool {
	switch f.Kind {
	case FaultLatency:
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		return false
	case FaultReset:
		resetConn(w)
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusOK)
		body := f.Body
		if body == "" {
			body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"Resources":[{"id":"`
		}
		_, _ = w.Write([]byte(body))
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			ct := f.ContentType
			if ct == "" {
				ct = "text/html; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(f.Body))
			return true
		}
		writeError(w, status, "", "injected fault")
	}
	return true
}

// writeTruncated answers with the recorded list page emptied of its
// resources; anything that is not a list page passes through unchanged.
func writeTruncated(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	var page map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &page) == nil {
		if _, ok := page["Resources"]; ok {
			page["Resources"] = []any{}
			page["itemsPerPage"] = 0
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusOK)
			_ = json.NewEncoder(w).Encode(page)
			return
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// resetConn aborts the connection with a TCP RST (SO_LINGER 0) so the
// client sees "connection reset by peer", not a clean close.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = nc.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeError writes a SCIM error (RFC 7644 §3.12).
func writeError(w http.ResponseWriter, status int, scimType, detail string) {
	body := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  strconv.Itoa(status),
		"detail":  detail,
	}
	if scimType != "" {
		body["scimType"] = scimType
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// UnmarshalJSON accepts latency as a Go duration string ("250ms") as well
// as nanoseconds, for the control endpoint.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var aux struct {
		plain
		Latency json.RawMessage `json:"latency,omitempty"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*f = Fault(aux.plain)
	if len(aux.Latency) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(aux.Latency, &s) == nil {
		d, err := time.ParseDuration(s)
		f.Latency = d
		return err
	}
	return json.Unmarshal(aux.Latency, &f.Latency)
}

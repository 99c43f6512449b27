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

package localenv

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// Fakes are the Okta emulator and the SCIM test server, on loopback.
type Fakes struct {
	Okta      *oktaserver.Server
	OktaURL   string
	OktaToken string

	SCIM      *scimserver.Server
	SCIMURL   string
	SCIMToken string
	// Audit sees every answer the SCIM server gives.
	Audit *Audit

	scimHTTP *http.Server
}

// StartFakes starts both servers on 127.0.0.1 with fresh random tokens.
func StartFakes(maxGroups int) (*Fakes, error) {
	f := &Fakes{OktaToken: randomToken(), SCIMToken: randomToken(), Audit: &Audit{}}
	o, err := oktaserver.Start(oktaserver.Options{APIToken: f.OktaToken, DefaultRateLimit: 6000}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f.Okta, f.OktaURL = o, o.URL()

	s, err := scimserver.New(scimserver.Options{Token: f.SCIMToken, MaxGroups: maxGroups})
	if err != nil {
		_ = o.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = o.Close()
		return nil, err
	}
	f.SCIM = s
	f.SCIMURL = "http://" + ln.Addr().String() + s.BasePath()
	f.scimHTTP = &http.Server{Handler: f.Audit.wrap(s), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.scimHTTP.Serve(ln) }()
	return f, nil
}

// Close stops both servers.
func (f *Fakes) Close() {
	_ = f.Okta.Close()
	_ = f.scimHTTP.Close()
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Audit counts what the SCIM server answered, and the deactivations it was
// asked for, without changing the server.
type Audit struct {
	mu            sync.Mutex
	statuses      map[int]int
	deactivations int
	writes        int
	// spans are the requests of sharded replicas, by replica.
	spans []Span
}

// Span is one request of a sharded replica as the server saw it: from
// the moment the server got it until it answered.
type Span struct {
	Replica    string
	Begin, End time.Time
}

// Spans returns the requests of sharded replicas seen so far.
func (a *Audit) Spans() []Span {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.spans)
}

// replicaOf returns the replica a sharded manager names in its User-Agent.
func replicaOf(userAgent string) string {
	_, after, ok := strings.Cut(userAgent, "(replica ")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(after, ")")
	return id
}

// Status returns how many answers had the status code.
func (a *Audit) Status(code int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.statuses[code]
}

// Requests returns how many requests the SCIM server answered.
func (a *Audit) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.statuses {
		n += c
	}
	return n
}

// Deactivations returns the PATCHes of a user that set active to false.
func (a *Audit) Deactivations() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.deactivations
}

// Writes returns the POST, PUT, PATCH and DELETE requests seen.
func (a *Audit) Writes() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writes
}

// Reset zeroes the counts.
func (a *Audit) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.statuses, a.deactivations, a.writes, a.spans = nil, 0, 0, nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (a *Audit) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deactivation := false
		if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/Users/") {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			deactivation = setsInactive(body)
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		begin := time.Now()
		next.ServeHTTP(rec, r)
		end := time.Now()
		a.mu.Lock()
		defer a.mu.Unlock()
		if id := replicaOf(r.UserAgent()); id != "" {
			a.spans = append(a.spans, Span{Replica: id, Begin: begin, End: end})
		}
		if a.statuses == nil {
			a.statuses = map[int]int{}
		}
		a.statuses[rec.status]++
		if r.Method != http.MethodGet {
			a.writes++
		}
		if deactivation {
			a.deactivations++
		}
	})
}

// setsInactive reports whether a PATCH body sets active to false, by path or
// in a path-less value.
func setsInactive(body []byte) bool {
	var patch struct {
		Operations []struct {
			Op    string          `json:"op"`
			Path  string          `json:"path"`
			Value json.RawMessage `json:"value"`
		} `json:"Operations"`
	}
	if json.Unmarshal(body, &patch) != nil {
		return false
	}
	for _, op := range patch.Operations {
		if !strings.EqualFold(op.Op, "replace") && !strings.EqualFold(op.Op, "add") {
			continue
		}
		if strings.EqualFold(op.Path, "active") && string(op.Value) == "false" {
			return true
		}
		var values map[string]json.RawMessage
		if op.Path == "" && json.Unmarshal(op.Value, &values) == nil {
			if v, ok := values["active"]; ok && string(v) == "false" {
				return true
			}
		}
	}
	return false
}

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

package oktaserver

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Outage describes a failure injected in the middle of pagination: page
// requests (those carrying an after cursor) fail once AfterPages of them
// have succeeded.
type Outage struct {
	AfterPages int
	// Status answered during the outage; default 503. Ignored when Drop is set.
	Status int
	// Failures is how many requests fail before service resumes; 0 means until ClearFaults.
	Failures int
	// Drop closes the connection without a response instead.
	Drop bool
}

type faultState struct {
	mu        sync.Mutex
	latency   time.Duration
	outage    *Outage
	pagesSeen int
	failed    int
	n429      int
	forbidden bool
	// failPrefix fails every API request whose path starts with it.
	failPrefix string
	failStatus int
	failServed int
}

// SetLatency delays every API and token response by d.
func (s *Server) SetLatency(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.latency = d
}

// InjectOutage arms a mid-pagination outage.
func (s *Server) InjectOutage(o Outage) {
	if o.Status == 0 {
		o.Status = http.StatusServiceUnavailable
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.outage, s.faults.pagesSeen, s.faults.failed = &o, 0, 0
}

// Inject429 makes the next n API requests answer 429 with an exhausted bucket.
func (s *Server) Inject429(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.n429 = n
}

// SetForbidden makes every API request answer 403 E0000006, as for a
// service app without an admin role.
func (s *Server) SetForbidden(on bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.forbidden = on
}

// ClearFaults removes latency, outages, injected 429s and the forbidden switch.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.latency, s.faults.outage, s.faults.n429, s.faults.forbidden = 0, nil, 0, false
	s.faults.failPrefix = ""
}

// FailPath makes every API request whose path starts with prefix answer
// status (an Okta error body) until ClearFaults, for example one user's
// record and groups: /api/v1/users/<id>.
func (s *Server) FailPath(prefix string, status int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.failPrefix, s.faults.failStatus, s.faults.failServed = prefix, status, 0
}

// PathFailures counts the requests FailPath failed since it was set.
func (s *Server) PathFailures() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.failServed
}

// failPath answers for the request if FailPath applies to it.
func (f *faultState) failPath(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	fail := f.failPrefix != "" && strings.HasPrefix(r.URL.Path, f.failPrefix)
	status := f.failStatus
	if fail {
		f.failServed++
	}
	f.mu.Unlock()
	if fail {
		writeError(w, status, "E0000009", "Internal Server Error")
	}
	return fail
}

func (f *faultState) delay(ctx context.Context) {
	f.mu.Lock()
	d := f.latency
	f.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (f *faultState) force429() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n429 > 0 {
		f.n429--
		return true
	}
	return false
}

func (f *faultState) isForbidden() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forbidden
}

// outage answers for the request if an armed outage applies to it.
func (f *faultState) applyOutage(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Query().Get("after") == "" {
		return false
	}
	f.mu.Lock()
	o := f.outage
	fail := false
	if o != nil {
		if f.pagesSeen < o.AfterPages {
			f.pagesSeen++
		} else if o.Failures == 0 || f.failed < o.Failures {
			f.failed++
			fail = true
		}
	}
	f.mu.Unlock()
	if !fail {
		return false
	}
	if o.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
	}
	code, summary := "E0000009", "Internal Server Error"
	if o.Status == http.StatusNotFound {
		// e.g. the group was deleted while it was being paged.
		code, summary = codeNotFound, "Not found: Resource not found (UserGroup)"
	}
	writeError(w, o.Status, code, summary)
	return true
}

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
	"bufio"
	"errors"
	"maps"
	"net"
	"net/http"
	"sync"
)

// CountKey identifies requests by route pattern (e.g. "GET /api/v1/groups/{id}/users") and status.
type CountKey struct {
	Endpoint string
	Status   int
}

type countState struct {
	mu sync.Mutex
	m  map[CountKey]int64
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the outage fault reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack passes through so dropped-connection faults work behind the counter.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	return hj.Hijack()
}

func (s *Server) counted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		key := CountKey{Endpoint: r.Pattern, Status: sw.status}
		if key.Endpoint == "" {
			key.Endpoint = r.Method + " (unmatched)"
		}
		s.counts.mu.Lock()
		if s.counts.m == nil {
			s.counts.m = map[CountKey]int64{}
		}
		s.counts.m[key]++
		s.counts.mu.Unlock()
	})
}

// Counts returns request counts by endpoint pattern and status (0 for dropped connections).
func (s *Server) Counts() map[CountKey]int64 {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	return maps.Clone(s.counts.m)
}

// Count returns the requests to an endpoint pattern; with statuses, only those.
func (s *Server) Count(endpoint string, statuses ...int) int64 {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	var n int64
	for k, v := range s.counts.m {
		if k.Endpoint != endpoint {
			continue
		}
		if len(statuses) == 0 {
			n += v
			continue
		}
		for _, st := range statuses {
			if k.Status == st {
				n += v
			}
		}
	}
	return n
}

// ResetCounts clears the request counts.
func (s *Server) ResetCounts() {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	clear(s.counts.m)
}

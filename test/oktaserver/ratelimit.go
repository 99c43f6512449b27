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
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateState implements Okta-style fixed windows per bucket, aligned to whole
// seconds so X-Rate-Limit-Reset (epoch seconds) is exact.
type rateState struct {
	mu      sync.Mutex
	limits  map[string]int
	def     int
	window  time.Duration
	buckets map[string]*rateBucket
}

type rateBucket struct {
	start time.Time
	used  int
	peak  int // most requests admitted in any one window
}

func (rs *rateState) init(o Options) {
	rs.limits = map[string]int{}
	for k, v := range o.RateLimits {
		rs.limits[k] = v
	}
	rs.def, rs.window = o.DefaultRateLimit, o.RateWindow
	rs.buckets = map[string]*rateBucket{}
}

// current returns the bucket with its window rolled forward.
func (rs *rateState) current(name string) (*rateBucket, int) {
	start := time.Now().Truncate(rs.window)
	b, ok := rs.buckets[name]
	if !ok {
		b = &rateBucket{start: start}
		rs.buckets[name] = b
	}
	if !b.start.Equal(start) {
		b.start, b.used = start, 0
	}
	limit, ok := rs.limits[name]
	if !ok {
		limit = rs.def
	}
	return b, limit
}

func (rs *rateState) headers(w http.ResponseWriter, b *rateBucket, limit int) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(max(0, limit-b.used)))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(b.start.Add(rs.window).Unix(), 10))
}

// take counts one request against the bucket and writes the headers; false
// means the limit is exhausted and the caller must answer 429.
func (rs *rateState) take(w http.ResponseWriter, name string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	b, limit := rs.current(name)
	ok := b.used < limit
	if ok {
		b.used++
		b.peak = max(b.peak, b.used)
	}
	rs.headers(w, b, limit)
	return ok
}

// exhaust uses up the bucket's window (for injected 429s).
func (rs *rateState) exhaust(w http.ResponseWriter, name string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	b, limit := rs.current(name)
	b.used = max(b.used, limit)
	rs.headers(w, b, limit)
}

// SetRateLimit sets a bucket's limit per window.
func (s *Server) SetRateLimit(bucket string, limit int) {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	s.limits.limits[bucket] = limit
}

// ConsumeRate uses n units of a bucket's current window, as another
// integration reading the same org would.
func (s *Server) ConsumeRate(bucket string, n int) {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	b, _ := s.limits.current(bucket)
	b.used += n
}

// PeakRate returns the most requests a bucket admitted within one window,
// which shows whether a client kept to its share.
func (s *Server) PeakRate(bucket string) int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	if b, ok := s.limits.buckets[bucket]; ok {
		return b.peak
	}
	return 0
}

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
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// bucket is the server's rate limit: a token bucket refilled at rate per
// second up to burst. Every SCIM request takes one token (a Bulk request
// is one request, as on real servers); without a token it is answered 429.
type bucket struct {
	rate, burst float64
	retryAfter  bool
	loadLatency time.Duration

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(o Options) *bucket {
	if o.RateLimit <= 0 {
		return nil
	}
	burst := float64(o.RateBurst)
	if burst <= 0 {
		burst = math.Max(1, math.Ceil(o.RateLimit))
	}
	return &bucket{rate: o.RateLimit, burst: burst, retryAfter: o.RetryAfter, loadLatency: o.LoadLatency, tokens: burst, last: time.Now()}
}

// refill adds the tokens earned since the last call. Caller holds mu.
func (b *bucket) refill(now time.Time) {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
}

// delay is the extra latency of a request now: none while the bucket is at
// least half full, growing to loadLatency as it empties, so a client can
// see the limit coming before it is refused.
func (b *bucket) delay() time.Duration {
	if b.loadLatency <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(time.Now())
	half := b.burst / 2
	if b.tokens >= half {
		return 0
	}
	return time.Duration(float64(b.loadLatency) * (1 - math.Max(0, b.tokens)/half))
}

// take spends a token, or says how long until one is there.
func (b *bucket) take() (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(time.Now())
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// admit applies the rate limit to one request; false means it was answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	b := s.bucket
	if b == nil {
		return true
	}
	if d := b.delay(); d > 0 {
		(&Fault{Kind: FaultLatency, Latency: d}).inject(w, r)
	}
	ok, wait := b.take()
	if ok {
		return true
	}
	s.throttled.Add(1)
	if b.retryAfter {
		// Whole seconds, rounded up: a client that waits this long finds a token.
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
	writeError(w, http.StatusTooManyRequests, "", "rate limit exceeded")
	return false
}

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
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/defaults"
	"github.com/scimbridge/scimbridge/internal/httpx"
)

// LimiterOptions tunes an org's request budget. Zero fields take the value
// in defaultLimiterOptions.
type LimiterOptions struct {
	// Share is the fraction of each rate-limit bucket this process may use
	// before it waits for the bucket's reset; default DefaultShare so the
	// org's other integrations keep working. Values above 1 count as unset.
	Share float64
	// Shares overrides Share for named buckets; the System Log bucket
	// defaults to DefaultLogsShare, since the org's log readers (SIEM
	// exports, audits) live on it.
	Shares map[string]float64
	// Concurrency caps requests in flight to the org; default 8 (Okta's org
	// concurrency limit is 75).
	Concurrency int
}

// DefaultShare is the part of each rate-limit bucket this process uses
// unless told otherwise.
const DefaultShare = 0.5

// defaultLimiterOptions holds the value each zero field of LimiterOptions takes.
var defaultLimiterOptions = LimiterOptions{Share: DefaultShare, Concurrency: 8}

func (o LimiterOptions) withDefaults() LimiterOptions {
	d := defaultLimiterOptions
	if o.Share > 1 {
		o.Share = 0 // not a fraction: unset
	}
	o.Share = defaults.Positive(o.Share, d.Share)
	o.Concurrency = defaults.Positive(o.Concurrency, d.Concurrency)
	if _, ok := o.Shares[LogsBucket]; !ok {
		// A copy, so the caller's map is never written.
		shares := map[string]float64{LogsBucket: DefaultLogsShare}
		for k, v := range o.Shares {
			shares[k] = v
		}
		o.Shares = shares
	}
	return o
}

// Limiters hands out one OrgLimiter per Okta org, so every client given the
// same registry draws from one budget per org. The manager makes one and
// passes it to every Okta client it builds.
type Limiters struct {
	opts LimiterOptions
	mu   sync.Mutex
	orgs map[string]*OrgLimiter
}

// NewLimiters returns a registry whose limiters use opts.
func NewLimiters(opts LimiterOptions) *Limiters {
	return &Limiters{opts: opts.withDefaults(), orgs: make(map[string]*OrgLimiter)}
}

// For returns the limiter of the org at orgURL, creating it on first use.
func (l *Limiters) For(orgURL string) *OrgLimiter {
	key := orgKey(orgURL)
	l.mu.Lock()
	defer l.mu.Unlock()
	if o, ok := l.orgs[key]; ok {
		return o
	}
	o := newOrgLimiter(l.opts)
	l.orgs[key] = o
	return o
}

// OrgKey names the org at orgURL the way the limiters do: two URLs of
// one org give one key.
func OrgKey(orgURL string) string { return orgKey(orgURL) }

// orgKey normalises an org URL to scheme://host so trailing slashes or case
// never split one org's budget in two.
func orgKey(orgURL string) string {
	u, err := url.Parse(strings.TrimSpace(orgURL))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimRight(orgURL, "/"))
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// OrgLimiter paces requests to one Okta org: a concurrency cap plus, per
// rate-limit bucket, a budget learned from the X-Rate-Limit-* headers.
type OrgLimiter struct {
	opts LimiterOptions
	sem  chan struct{}

	mu      sync.Mutex
	buckets map[string]*bucket
	// offset is server time minus local time, from the last Date header, so
	// waits are computed on the server's clock.
	offset time.Duration
}

type bucket struct {
	limit     int       // 0 while unknown, -1 when the server sends no headers
	remaining int       // as last reported for the current window
	reset     time.Time // server clock; zero once the window has passed
	pending   int       // requests sent, response not yet seen
}

// newOrgLimiter returns the limiter of one org; Limiters.For is the way in.
func newOrgLimiter(opts LimiterOptions) *OrgLimiter {
	opts = opts.withDefaults()
	return &OrgLimiter{opts: opts, sem: make(chan struct{}, opts.Concurrency), buckets: make(map[string]*bucket)}
}

// shareOf returns the share of the named bucket this process may use.
func (l *OrgLimiter) shareOf(bucket string) float64 {
	if s, ok := l.opts.Shares[bucket]; ok && s > 0 && s <= 1 {
		return s
	}
	return l.opts.Share
}

// BucketState describes one bucket for diagnostics.
type BucketState struct {
	Limit, Remaining, Pending int
	Reset                     time.Time
}

// Bucket returns the state of a bucket.
func (l *OrgLimiter) Bucket(name string) BucketState {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(name)
	return BucketState{Limit: b.limit, Remaining: b.remaining, Pending: b.pending, Reset: b.reset}
}

func (l *OrgLimiter) bucket(name string) *bucket {
	b, ok := l.buckets[name]
	if !ok {
		b = &bucket{}
		l.buckets[name] = b
	}
	return b
}

// serverNow estimates the server's clock. Date has whole seconds and is set
// before the response travels, so the estimate lags: waits err on the long side.
func (l *OrgLimiter) serverNow() time.Time { return time.Now().Add(l.offset) }

// acquire blocks until a request to bucket name fits the concurrency cap and
// the bucket's budget. The returned func must be called with the response's
// status and headers (0 and nil on transport errors).
func (l *OrgLimiter) acquire(ctx context.Context, name string) (func(status int, header http.Header), error) {
	// Budget first, slot second: a request waiting for its bucket's reset
	// must not hold a concurrency slot that other buckets could use.
	for {
		wait, ok := l.reserve(name)
		if ok {
			break
		}
		if err := httpx.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		l.observe(name, 0, nil) // give the reserved unit back
		return nil, ctx.Err()
	}
	var once sync.Once
	return func(status int, header http.Header) {
		once.Do(func() {
			l.observe(name, status, header)
			<-l.sem
		})
	}, nil
}

// reserve takes one unit of the bucket's budget, or says how long to wait.
func (l *OrgLimiter) reserve(name string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(name)
	now := l.serverNow()
	if !b.reset.IsZero() && !now.Before(b.reset) {
		// The window has passed: the full limit is back.
		b.remaining, b.reset = b.limit, time.Time{}
	}
	if b.limit < 0 {
		// The server sends no rate-limit headers: only the concurrency cap applies.
		b.pending++
		return 0, true
	}
	if b.limit == 0 {
		// Limit unknown: one request at a time until a response teaches it.
		if b.pending == 0 {
			b.pending++
			return 0, true
		}
		return 25 * time.Millisecond, false
	}
	budget := max(1, int(float64(b.limit)*l.shareOf(name)))
	used := b.limit - b.remaining + b.pending
	if used < budget {
		b.pending++
		return 0, true
	}
	if b.reset.IsZero() {
		// Over budget within an unknown window: in-flight responses will tell.
		return 25 * time.Millisecond, false
	}
	// A small fixed margin plus jitter so waiting clients don't stampede at the reset.
	return httpx.Jitter(b.reset.Sub(now), 0.05) + 20*time.Millisecond, false
}

// observe folds a response's rate-limit headers into the bucket; a nil
// header means there was no response.
func (l *OrgLimiter) observe(name string, status int, header http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(name)
	if b.pending > 0 {
		b.pending--
	}
	if header == nil {
		return
	}
	if d, err := http.ParseTime(header.Get("Date")); err == nil {
		l.offset = time.Until(d)
	}
	limit, err1 := strconv.Atoi(header.Get("X-Rate-Limit-Limit"))
	remaining, err2 := strconv.Atoi(header.Get("X-Rate-Limit-Remaining"))
	resetSec, err3 := strconv.ParseInt(header.Get("X-Rate-Limit-Reset"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		if b.limit == 0 && header.Get("X-Rate-Limit-Limit") == "" {
			b.limit = -1
		}
		return
	}
	if status == http.StatusTooManyRequests {
		remaining = 0
	}
	reset := time.Unix(resetSec, 0)
	switch {
	case b.reset.IsZero() || reset.After(b.reset):
		b.limit, b.remaining, b.reset = limit, remaining, reset
	case reset.Equal(b.reset):
		// Responses can arrive out of order: the smallest remaining is the truth.
		b.limit, b.remaining = limit, min(b.remaining, remaining)
	}
	if b.remaining < 0 {
		b.remaining = 0
	}
}

// ServerTime returns the limiter's estimate of the org's clock.
func (l *OrgLimiter) ServerTime() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.serverNow()
}

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
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

const membersBucket = oktaserver.BucketGroupMembers

func TestRateBudgetSlowsBefore429(t *testing.T) {
	tests := []struct {
		name     string
		share    float64
		consumed int // used by "another integration" before we start
		wantPeak int
	}{
		{"default half share", 0, 0, 5},
		{"other integration used part", 0.5, 3, 5},
		{"full share", 1, 0, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each subtest has its own emulator and limiter; waits overlap
			e := newEnv(t, oktaserver.Options{RateWindow: time.Second, RateLimits: map[string]int{membersBucket: 10}})
			_, groups := e.mustGen(60, 1)
			e.srv.ConsumeRate(membersBucket, tc.consumed)
			c := e.client(func(cfg *testConfig) {
				cfg.PageSize = 5 // 12 pages: more than one window's limit
				cfg.Limiters = NewLimiters(LimiterOptions{Share: tc.share})
			})
			got, err := collectMembers(t, c, groups[0])
			if err != nil || len(got) != 60 {
				t.Fatalf("got %d, err %v", len(got), err)
			}
			if n := e.srv.Count("GET /api/v1/groups/{id}/users", 429); n != 0 {
				t.Errorf("client hit %d 429s; it should slow down first", n)
			}
			if p := e.srv.PeakRate(membersBucket); p > tc.wantPeak {
				t.Errorf("peak requests in one window = %d, want <= %d", p, tc.wantPeak)
			}
		})
	}
}

func TestRecoversAfter429(t *testing.T) {
	t.Parallel()
	e := newEnv(t, oktaserver.Options{RateWindow: time.Second})
	_, groups := e.mustGen(30, 1)
	c := e.client(func(cfg *testConfig) { cfg.PageSize = 10 })
	e.srv.Inject429(1)
	got, err := collectMembers(t, c, groups[0])
	if err != nil || len(got) != 30 {
		t.Fatalf("got %d, err %v", len(got), err)
	}
	if n := e.srv.Count("GET /api/v1/groups/{id}/users", 429); n != 1 {
		t.Errorf("429s = %d, want 1", n)
	}
	if n := e.srv.Count("GET /api/v1/groups/{id}/users", 200); n != 3 {
		t.Errorf("pages = %d, want 3", n)
	}
}

func TestPersistent429IsRateLimitedError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, oktaserver.Options{RateWindow: time.Second})
	users, _ := e.mustGen(1, 0)
	c := e.client(func(cfg *testConfig) { cfg.MaxRetries = 1 })
	e.srv.Inject429(5)
	_, err := c.GetUser(t.Context(), users[0])
	if !errIs(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
}

// Without bucket headers the client honours Retry-After.
func TestRetryAfterWithoutBucketHeaders(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if calls.Load() == 2 {
			w.WriteHeader(http.StatusTooManyRequests) // neither: backoff
			return
		}
		_, _ = w.Write([]byte(`{"id":"00u1","status":"ACTIVE","profile":{}}`))
	}))
	defer hs.Close()
	c, err := New(hs.URL, SSWS("t"), Options{Limiters: NewLimiters(LimiterOptions{}), Backoff: httpx.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(t.Context(), "00u1"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d", calls.Load())
	}
}

func TestConcurrencyCap(t *testing.T) {
	var inFlight, peak atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		// A large bucket so only the concurrency cap limits.
		w.Header().Set("X-Rate-Limit-Limit", "100000")
		w.Header().Set("X-Rate-Limit-Remaining", "99999")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
		_, _ = w.Write([]byte(`{"id":"x","status":"ACTIVE","profile":{}}`))
	}))
	defer hs.Close()
	c, err := New(hs.URL, SSWS("t"), Options{Limiters: NewLimiters(LimiterOptions{Concurrency: 3})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(t.Context(), "warm"); err != nil { // learn the bucket
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			if _, err := c.GetUser(t.Context(), "x"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 3 || p < 1 {
		t.Errorf("peak concurrency = %d, want at most 3", p)
	}
}

func TestSharedLimiterRegistry(t *testing.T) {
	shared := NewLimiters(LimiterOptions{})
	a := shared.For("https://Example.okta.com/")
	b := shared.For("https://example.okta.com")
	if a != b {
		t.Error("same org got two limiters")
	}
	if shared.For("https://other.okta.com") == a {
		t.Error("different orgs share a limiter")
	}
	reg := NewLimiters(LimiterOptions{Share: 0.25, Concurrency: 2})
	l := reg.For("https://x.okta.com")
	if l != reg.For("HTTPS://X.OKTA.COM/") || l.Share() != 0.25 || cap(l.sem) != 2 {
		t.Error("registry options or identity wrong")
	}
	if orgKey("not a url") != "not a url" {
		t.Error(orgKey("not a url"))
	}
	// Two clients of one org given one registry use one limiter.
	c1, _ := New("https://shared.okta.com", SSWS("t"), Options{Limiters: shared})
	c2, _ := New("https://shared.okta.com/", SSWS("u"), Options{Limiters: shared})
	if c1.Limiter() != c2.Limiter() {
		t.Error("clients of one org do not share a limiter")
	}
}

func TestLimiterWaitsOnServerClock(t *testing.T) {
	l := newOrgLimiter(LimiterOptions{Share: 0.5})
	// The server's clock runs 1 h behind ours; reset is 1 s after the server's now.
	serverNow := time.Now().Add(-time.Hour).Truncate(time.Second)
	header := http.Header{}
	header.Set("Date", serverNow.UTC().Format(http.TimeFormat))
	header.Set("X-Rate-Limit-Limit", "10")
	header.Set("X-Rate-Limit-Remaining", "5")
	header.Set("X-Rate-Limit-Reset", strconv.FormatInt(serverNow.Add(time.Second).Unix(), 10))
	release, err := l.acquire(t.Context(), "b")
	if err != nil {
		t.Fatal(err)
	}
	release(http.StatusOK, header)
	st := l.Bucket("b")
	if st.Limit != 10 || st.Remaining != 5 || st.Pending != 0 {
		t.Fatalf("bucket = %+v", st)
	}
	wait, ok := l.reserve("b")
	if ok {
		t.Fatal("over budget yet admitted")
	}
	// Measured on the local clock the reset is an hour ago: the wait must come from the server clock.
	if wait <= 0 || wait > 3*time.Second {
		t.Fatalf("wait = %v, want about 1 s", wait)
	}
	if d := l.ServerTime().Sub(serverNow); d < 0 || d > 2*time.Second {
		t.Errorf("server time estimate off by %v", d)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.acquire(ctx, "b"); err == nil {
		t.Error("acquire ignored a cancelled context")
	}
}

func TestLimiterWithoutHeadersAndCancel(t *testing.T) {
	l := newOrgLimiter(LimiterOptions{Concurrency: 1})
	release, err := l.acquire(t.Context(), "b")
	if err != nil {
		t.Fatal(err)
	}
	// While the limit is unknown a second request waits for the first response.
	if _, ok := l.reserve("b"); ok {
		t.Fatal("second request admitted before the bucket was learned")
	}
	release(http.StatusOK, http.Header{})
	if st := l.Bucket("b"); st.Limit != -1 {
		t.Fatalf("headerless server not recognised: %+v", st)
	}
	r1, err := l.acquire(t.Context(), "b")
	if err != nil {
		t.Fatal(err)
	}
	// The only slot is taken: a cancelled wait gives its reservation back.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx, "b"); err == nil {
		t.Fatal("acquired beyond the concurrency cap")
	}
	r1(0, nil)
	if st := l.Bucket("b"); st.Pending != 0 {
		t.Errorf("pending = %d after all releases", st.Pending)
	}
}

func TestLogsBucketHasItsOwnShare(t *testing.T) {
	l := newOrgLimiter(LimiterOptions{Share: 0.5})
	if got := l.ShareOf(LogsBucket); got != DefaultLogsShare {
		t.Fatalf("logs share %v, want %v", got, DefaultLogsShare)
	}
	if got := l.ShareOf("/api/v1/users"); got != 0.5 {
		t.Fatalf("users share %v", got)
	}
	if got := newOrgLimiter(LimiterOptions{Shares: map[string]float64{LogsBucket: 0.2}}).ShareOf(LogsBucket); got != 0.2 {
		t.Fatalf("configured logs share %v", got)
	}
}

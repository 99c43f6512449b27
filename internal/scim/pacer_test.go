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
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// fakePacer is an adaptive pacer on a clock the test moves.
type fakePacer struct {
	*Pacer
	now time.Time
}

func newFakePacer(ceiling float64, maxInFlight int) *fakePacer {
	f := &fakePacer{now: time.Unix(1_000_000, 0)}
	f.Pacer = &Pacer{limiter: rate.NewLimiter(rate.Inf, 1), slots: newSlots(1), ops: map[string]*opLatency{}}
	f.Pacer.now = func() time.Time { return f.now }
	f.Configure(PacerConfig{Mode: PacingAdaptive, RPS: ceiling, MaxInFlight: maxInFlight})
	return f
}

// epoch sends at the pacer's current rate for one second, answering each
// request with status after latency, and returns the rate after it.
func (f *fakePacer) epoch(status int, latency time.Duration) float64 {
	n := int(f.Stats().RPS)
	start := f.now
	for i := range n {
		asked := start.Add(time.Duration(i) * time.Second / time.Duration(max(n, 1)))
		f.now = asked
		f.mu.Lock()
		f.sends++
		f.mu.Unlock()
		_ = f.slots.acquire(context.Background())
		f.done("users.create", asked, status, latency)
	}
	f.now = start.Add(time.Second + time.Millisecond)
	f.mu.Lock()
	f.tick(f.now)
	f.mu.Unlock()
	return f.Stats().RPS
}

func TestAdaptivePacingAIMD(t *testing.T) {
	f := newFakePacer(100, 8)
	if s := f.Stats(); s.RPS != defaultInitialRPS || !s.SlowStart || s.Mode != PacingAdaptive {
		t.Fatalf("start = %+v", s)
	}
	// Slow start doubles every busy epoch.
	for _, want := range []float64{10, 20, 40} {
		if got := f.epoch(http.StatusCreated, time.Millisecond); got != want {
			t.Fatalf("slow start: rate %v, want %v", got, want)
		}
	}
	// The first 429 halves the rate and ends slow start.
	f.now = f.now.Add(time.Millisecond)
	asked := f.now
	_ = f.slots.acquire(context.Background())
	f.done("users.create", asked, http.StatusTooManyRequests, time.Millisecond)
	if s := f.Stats(); s.RPS != 20 || s.SlowStart || s.Cuts != 1 || s.Throttled != 1 {
		t.Fatalf("after the first 429: %+v", s)
	}
	// A request asked for before that cut was paced at the old rate: its
	// 429 cuts nothing more.
	_ = f.slots.acquire(context.Background())
	f.done("users.create", asked.Add(-time.Millisecond), http.StatusTooManyRequests, time.Millisecond)
	if s := f.Stats(); s.RPS != 20 || s.Cuts != 1 || s.Throttled != 2 {
		t.Fatalf("a stale 429 cut again: %+v", s)
	}
	// Then each busy epoch adds 2% of the rate found (40).
	if got := f.epoch(http.StatusCreated, time.Millisecond); !near(got, 20.8) {
		t.Fatalf("additive increase: %v", got)
	}
	// A 429 paced at the new rate cuts by a fifth.
	f.now = f.now.Add(time.Millisecond)
	_ = f.slots.acquire(context.Background())
	f.done("users.create", f.now, http.StatusServiceUnavailable, time.Millisecond)
	if got := f.Stats().RPS; !near(got, 16.64) {
		t.Fatalf("after a 503: %v", got)
	}
	// An idle epoch learns nothing.
	before := f.Stats().RPS
	f.now = f.now.Add(2 * time.Second)
	f.mu.Lock()
	f.tick(f.now)
	f.mu.Unlock()
	if got := f.Stats().RPS; got != before {
		t.Fatalf("an idle epoch moved the rate from %v to %v", before, got)
	}
}

func TestAdaptivePacingNeverExceedsTheCeiling(t *testing.T) {
	f := newFakePacer(12, 8)
	for range 20 {
		if got := f.epoch(http.StatusOK, time.Millisecond); got > 12 {
			t.Fatalf("rate %v above the ceiling 12", got)
		}
	}
	if got := f.Stats().RPS; got != 12 {
		t.Fatalf("healthy answers should reach the ceiling: %v", got)
	}
	// A lower ceiling applies at once; what was learned is kept below it.
	f.Configure(PacerConfig{Mode: PacingAdaptive, RPS: 7, MaxInFlight: 8})
	if s := f.Stats(); s.RPS != 7 || s.Ceiling != 7 {
		t.Fatalf("after lowering the ceiling: %+v", s)
	}
}

func TestAdaptivePacingCutsOnRisingLatency(t *testing.T) {
	f := newFakePacer(100, 8)
	for range 3 {
		f.epoch(http.StatusOK, 2*time.Millisecond)
	}
	before := f.Stats()
	// The same operation now takes 300ms: the target is queueing.
	f.epoch(http.StatusOK, 300*time.Millisecond)
	after := f.Stats()
	if after.Cuts != before.Cuts+1 || after.RPS >= before.RPS {
		t.Fatalf("latency rise: before %+v, after %+v", before, after)
	}
	// Latency that stays high cuts once, not every epoch.
	f.epoch(http.StatusOK, 300*time.Millisecond)
	if s := f.Stats(); s.Cuts != after.Cuts {
		t.Fatalf("steady high latency cut again: %+v", s)
	}
}

// The in-flight cap follows the rate times the latency (Little's law),
// with room to spare, within the configured maximum.
func TestAdaptiveInFlightFollowsTheRate(t *testing.T) {
	f := newFakePacer(1000, 16)
	f.epoch(http.StatusOK, 100*time.Millisecond)
	// 10 requests/s at 100ms: 1 in flight on average, cap 2×1+2.
	if s := f.Stats(); s.InFlight != 4 {
		t.Fatalf("in flight = %d at %v/s", s.InFlight, s.RPS)
	}
	for range 6 {
		f.epoch(http.StatusOK, 100*time.Millisecond)
	}
	if s := f.Stats(); s.InFlight != 16 {
		t.Fatalf("in flight = %d at %v/s, want the maximum 16", s.InFlight, s.RPS)
	}
}

func TestFixedPacingKeepsItsRate(t *testing.T) {
	p := NewPacer(PacerConfig{Mode: PacingFixed, RPS: 25, MaxInFlight: 8})
	for range 10 {
		_ = p.slots.acquire(context.Background())
		p.done("users.create", time.Now(), http.StatusTooManyRequests, time.Millisecond)
	}
	if s := p.Stats(); s.RPS != 25 || s.Ceiling != 25 || s.InFlight != 8 || s.Throttled != 10 || s.Cuts != 0 {
		t.Fatalf("fixed pacing = %+v", s)
	}
}

// Against a server with no limit of its own, adaptive pacing climbs to
// its ceiling and no second holds more requests than the ceiling allows.
func TestAdaptivePacingCeilingOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("paces real requests for a few seconds")
	}
	var mu sync.Mutex
	var arrivals []time.Time
	srv, err := scimserver.New(scimserver.Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	const ceiling = 20
	pacer := NewPacer(PacerConfig{Mode: PacingAdaptive, RPS: ceiling, MaxInFlight: 8, InitialRPS: 10})
	c, err := New(ts.URL+srv.BasePath(), testToken, Options{Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	deadline := time.Now().Add(4 * time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				_, _ = c.GetUser(ctx, "missing")
			}
		})
	}
	wg.Wait()
	if s := pacer.Stats(); s.RPS != ceiling {
		t.Errorf("rate after 4s of healthy answers = %v, want the ceiling %d", s.RPS, ceiling)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range arrivals {
		n := 0
		for j := i; j < len(arrivals) && arrivals[j].Sub(arrivals[i]) < time.Second; j++ {
			n++
		}
		// One request of slack: the limiter's single token of burst.
		if n > ceiling+1 {
			t.Fatalf("%d requests within one second from %s, ceiling %d", n, arrivals[i].Format("15:04:05.000"), ceiling)
		}
	}
}

// A Retry-After pause that begins while a call waits for its turn holds
// that call too: sending into the pause only earns another 429.
func TestPauseBegunWhileWaitingHoldsTheCall(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	c, _ := rawServer(t, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"id":"x","userName":"x"}`))
	}, Options{RPS: 2, Burst: 1})
	ctx := ctxT(t)
	if _, err := c.GetUser(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := c.GetUser(ctx, "x"); done <- err }()
	// The second call waits about 500ms for its token; meanwhile another
	// caller's 429 pauses the client for a second.
	time.Sleep(100 * time.Millisecond)
	c.pause(time.Second)
	until := time.Unix(0, c.pausedUntil.Load())
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 2 || arrivals[1].Before(until) {
		t.Fatalf("the second call arrived at %s, inside the pause until %s", arrivals[1].Format("15:04:05.000"), until.Format("15:04:05.000"))
	}
}

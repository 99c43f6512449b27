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
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestRetries(t *testing.T) {
	inAMoment := func() string { return time.Now().Add(time.Second).UTC().Format(http.TimeFormat) }
	for _, tc := range []struct {
		name     string
		fault    scimserver.Fault
		op       func(*env) error
		route    string
		wantSent int
		wantAcct map[string]int64
	}{
		{
			name:     "429 with Retry-After seconds",
			fault:    scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "1", Times: 1},
			op:       func(e *env) error { _, err := e.client.GetUser(context.Background(), e.userID()); return err },
			route:    "GET /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"GET 429": 1, "GET 200": 1},
		},
		{
			name:     "429 with Retry-After date",
			fault:    scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "DATE", Times: 1},
			op:       func(e *env) error { _, err := e.client.GetUser(context.Background(), e.userID()); return err },
			route:    "GET /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"GET 429": 1, "GET 200": 1},
		},
		{
			name:     "429 without Retry-After",
			fault:    scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, Times: 2},
			op:       func(e *env) error { _, err := e.client.GetUser(context.Background(), e.userID()); return err },
			route:    "GET /Users/{id}",
			wantSent: 3,
			wantAcct: map[string]int64{"GET 429": 2, "GET 200": 1},
		},
		{
			name:     "503 then success",
			fault:    scimserver.Fault{Kind: scimserver.FaultStatus, Status: 503, Times: 1},
			op:       func(e *env) error { return e.client.SetUserActive(context.Background(), e.userID(), false) },
			route:    "PATCH /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"PATCH 503": 1, "PATCH 200": 1},
		},
		{
			name:     "502 and 504",
			fault:    scimserver.Fault{Kind: scimserver.FaultStatus, Status: 502, Times: 1},
			op:       func(e *env) error { _, err := e.client.GetUser(context.Background(), e.userID()); return err },
			route:    "GET /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"GET 502": 1, "GET 200": 1},
		},
		{
			name:  "connection reset",
			fault: scimserver.Fault{Kind: scimserver.FaultReset, Times: 1},
			op: func(e *env) error {
				_, err := e.client.ReplaceUser(context.Background(), User{ID: e.userID(), UserName: "r@x"})
				return err
			},
			route:    "PUT /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"PUT reset": 1, "PUT 200": 1},
		},
		{
			name:     "attempt timeout",
			fault:    scimserver.Fault{Kind: scimserver.FaultLatency, Latency: 2 * time.Second, Times: 1},
			op:       func(e *env) error { _, err := e.client.GetUser(context.Background(), e.userID()); return err },
			route:    "GET /Users/{id}",
			wantSent: 2,
			wantAcct: map[string]int64{"GET timeout": 1, "GET 200": 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			co := fastOptions()
			co.Timeout = 300 * time.Millisecond
			e := newEnv(t, scimserver.Options{}, co)
			e.seedOne(t)
			f := tc.fault
			if f.RetryAfter == "DATE" {
				f.RetryAfter = inAMoment()
			}
			method, route, _ := strings.Cut(tc.route, " ")
			f.Method, f.Path = method, route
			e.srv.AddFault(f)
			if err := tc.op(e); err != nil {
				t.Fatal(err)
			}
			if n := e.srv.Count(method, route); n != tc.wantSent {
				t.Fatalf("server saw %d requests, want %d", n, tc.wantSent)
			}
			got := map[string]int64{}
			for k, v := range e.client.Accounting().Snapshot() {
				if k.Method == method {
					got[k.Method+" "+k.Outcome] += v
				}
			}
			if len(got) != len(tc.wantAcct) {
				t.Fatalf("accounting = %v, want %v", got, tc.wantAcct)
			}
			for k, v := range tc.wantAcct {
				if got[k] != v {
					t.Fatalf("accounting = %v, want %v", got, tc.wantAcct)
				}
			}
		})
	}
}

func (e *env) seedOne(t *testing.T) {
	if _, err := e.srv.AddUser(map[string]any{"userName": "seed@x"}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) userID() string {
	id, _ := e.srv.UserIDByName("seed@x")
	return id
}

func TestRetriesAreBounded(t *testing.T) {
	co := fastOptions()
	co.MaxAttempts = 3
	e := newEnv(t, scimserver.Options{}, co)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 503})
	_, err := e.client.GetUser(ctxT(t), "x")
	if !errors.Is(err, ErrServer) || e.srv.Count("GET", "/Users/{id}") != 3 {
		t.Fatalf("err = %v after %d requests", err, e.srv.Count("GET", "/Users/{id}"))
	}
}

func TestLongRetryAfterIsReturned(t *testing.T) {
	e := newEnv(t, scimserver.Options{}, fastOptions())
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "3600"})
	_, err := e.client.GetUser(ctxT(t), "x")
	wait, ok := RetryAfter(err)
	if !errors.Is(err, ErrRateLimited) || !ok || wait != time.Hour {
		t.Fatalf("err = %v, wait = %v", err, wait)
	}
	if n := e.srv.TotalRequests(); n != 1 {
		t.Fatalf("%d requests", n)
	}
	if _, ok := RetryAfter(errors.New("x")); ok {
		t.Fatal("RetryAfter on a plain error")
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	e := newFastEnv(t)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 400})
	_, err := e.client.GetUser(ctxT(t), "x")
	if !errors.Is(err, ErrInvalidRequest) || e.srv.TotalRequests() != 1 {
		t.Fatalf("err = %v, %d requests", err, e.srv.TotalRequests())
	}
}

func TestMalformedBodyIsNotRetried(t *testing.T) {
	e := newFastEnv(t)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultMalformed, Times: 1})
	for _, err := range e.client.ListUsers(ctxT(t), ListOptions{}) {
		if !errors.Is(err, ErrInvalidResponse) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := e.srv.TotalRequests(); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

// A create whose answer is lost after the server stored the user must not
// produce a second user: the retry gets 409 and resolves to the user.
func TestRetriedCreateDoesNotDuplicate(t *testing.T) {
	for _, kind := range []scimserver.FaultKind{scimserver.FaultReset, scimserver.FaultStatus} {
		t.Run(string(kind), func(t *testing.T) {
			e := newFastEnv(t)
			e.srv.AddFault(scimserver.Fault{Kind: kind, Status: 502, Method: "POST", Path: "/Users", Times: 1, AfterHandler: true})
			u, err := e.client.CreateUser(ctxT(t), User{UserName: "once@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			id, _ := e.srv.UserIDByName("once@example.com")
			if u.ID != id || e.srv.UserCount() != 1 {
				t.Fatalf("user %q, server id %q, %d users", u.ID, id, e.srv.UserCount())
			}
			if e.srv.Count("POST", "/Users") != 2 || e.srv.Count("GET", "/Users") != 1 {
				t.Fatalf("requests = %v", e.srv.Requests())
			}
		})
	}
}

func TestRetriedGroupCreateDoesNotDuplicate(t *testing.T) {
	e := newFastEnv(t)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 504, Method: "POST", Path: "/Groups", Times: 1, AfterHandler: true})
	g, err := e.client.CreateGroup(ctxT(t), Group{DisplayName: "Once"})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := e.srv.GroupIDByName("Once")
	if g.ID != id || e.srv.GroupCount() != 1 {
		t.Fatalf("group %q, server %q, %d groups", g.ID, id, e.srv.GroupCount())
	}
	// The lookup before the replay found the group: no second POST.
	if e.srv.Count("POST", "/Groups") != 1 || e.srv.Count("GET", "/Groups") != 1 {
		t.Fatalf("requests = %v", e.srv.Requests())
	}
}

func TestRetriedGroupCreateReplaysWhenAbsent(t *testing.T) {
	e := newFastEnv(t)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 503, Method: "POST", Path: "/Groups", Times: 1})
	if _, err := e.client.CreateGroup(ctxT(t), Group{DisplayName: "G"}); err != nil {
		t.Fatal(err)
	}
	if e.srv.Count("POST", "/Groups") != 2 || e.srv.Count("GET", "/Groups") != 1 || e.srv.GroupCount() != 1 {
		t.Fatalf("requests = %v", e.srv.Requests())
	}
}

func TestRetriedDeleteTreats404AsDone(t *testing.T) {
	e := newFastEnv(t)
	gid, _ := e.srv.AddGroup("G")
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 502, Method: "DELETE", Times: 1, AfterHandler: true})
	if err := e.client.DeleteGroup(ctxT(t), gid); err != nil {
		t.Fatal(err)
	}
	if e.srv.Count("DELETE", "/Groups/{id}") != 2 || e.srv.GroupCount() != 0 {
		t.Fatalf("requests = %v", e.srv.Requests())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	co := fastOptions()
	co.BackoffBase, co.BackoffMax = time.Hour, time.Hour
	e := newEnv(t, scimserver.Options{}, co)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 503})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.client.GetUser(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) || e.srv.TotalRequests() != 1 {
		t.Fatalf("err = %v, %d requests", err, e.srv.TotalRequests())
	}
}

func TestSharedPauseAfter429(t *testing.T) {
	e := newFastEnv(t)
	e.seedOne(t)
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "1", Times: 1})
	if _, err := e.client.GetUser(ctxT(t), e.userID()); err != nil {
		t.Fatal(err)
	}
	if until := e.client.pausedUntil.Load(); until == 0 {
		t.Fatal("429 with Retry-After did not set the shared pause")
	}
	e.client.pause(-time.Hour) // an older deadline never shortens the pause
	if time.Unix(0, e.client.pausedUntil.Load()).Before(time.Now().Add(-time.Minute)) {
		t.Fatal("pause went backwards")
	}
}

func TestConcurrencyCap(t *testing.T) {
	var inFlight, peak atomic.Int32
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"id":"x","userName":"x"}`))
	}, Options{MaxConcurrency: 2, RPS: -1})
	done := make(chan error)
	for range 8 {
		go func() { _, err := c.GetUser(context.Background(), "x"); done <- err }()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > 2 || p < 1 {
		t.Fatalf("peak in flight = %d, cap 2", p)
	}
}

func TestRateLimiterConfigured(t *testing.T) {
	c, err := New("https://example.com/scim", "t", Options{RPS: 5, Burst: 3})
	if err != nil {
		t.Fatal(err)
	}
	if lim := c.pacer.limiter; lim.Limit() != 5 || lim.Burst() != 3 {
		t.Fatalf("limit %v burst %d", lim.Limit(), lim.Burst())
	}
	c, _ = New("https://example.com/scim", "t", Options{RPS: -1})
	if !c.pacer.limiter.Allow() || c.pacer.limiter.Limit() != rateInf() {
		t.Fatal("negative RPS should disable limiting")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _ = New("https://example.com/scim", "t", Options{RPS: 0.001, Burst: 1})
	c.pacer.limiter.Allow()
	if _, err := c.waitTurn(ctx); err == nil {
		t.Fatal("waitTurn ignored a cancelled context")
	}
}

func TestObserverAndAccounting(t *testing.T) {
	var calls atomic.Int32
	co := fastOptions()
	shared := &httpx.Accounting{}
	co.Accounting = shared
	co.Observer = func(k httpx.RequestKey, d time.Duration) {
		calls.Add(1)
		if k.Kind != "users.get" || d < 0 {
			t.Errorf("observer got %+v %v", k, d)
		}
	}
	e := newEnv(t, scimserver.Options{}, co)
	_, _ = e.client.GetUser(ctxT(t), "missing")
	if calls.Load() != 1 || e.client.Accounting() != shared {
		t.Fatalf("observer calls %d", calls.Load())
	}
	if got := keysOf(shared); len(got) != 1 || got[0] != "users.get/GET/404" {
		t.Fatalf("keys = %v", got)
	}
}

// A Retry-After longer than the client sleeps through blocks every later
// call until it has passed: they fail at once, unsent, with the time left.
func TestLongRetryAfterBlocksLaterCalls(t *testing.T) {
	e := newEnv(t, scimserver.Options{}, fastOptions())
	id := e.userID()
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "3600", Times: 1})
	if err := e.client.SetUserActive(context.Background(), id, false); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	sent := e.srv.TotalRequests()
	_, err := e.client.GetUser(context.Background(), id)
	d, ok := RetryAfter(err)
	if !errors.Is(err, ErrRateLimited) || !ok || d < 59*time.Minute {
		t.Fatalf("second call: err = %v, retry after %s", err, d)
	}
	if e.srv.TotalRequests() != sent {
		t.Error("a call was sent during the server's Retry-After")
	}
}

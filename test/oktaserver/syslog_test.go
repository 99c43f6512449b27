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
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// getLogs fetches one System Log page and returns the events and the next link.
func getLogs(t *testing.T, s *Server, rawURL string) ([]map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	req.Header.Set("Authorization", "SSWS "+s.APIToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", rawURL, resp.StatusCode, b)
	}
	var out []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	next := ""
	for _, l := range resp.Header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			next = strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ";")[0], "<"), ">")
		}
	}
	return out, next
}

func TestSystemLogPolling(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	start := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	uid, _ := s.AddUser(UserSpec{Login: "ann@example.com"})
	gid, _ := s.AddGroup(GroupSpec{Name: "Lab"})
	if err := s.AddMember(gid, uid); err != nil {
		t.Fatal(err)
	}
	if err := s.Suspend(uid); err != nil {
		t.Fatal(err)
	}
	filter := url.QueryEscape(`eventType eq "user.lifecycle.suspend" or eventType eq "group.user_membership.add"`)
	events, next := getLogs(t, s, hs.URL+"/api/v1/logs?limit=1&since="+start+"&filter="+filter)
	if len(events) != 1 || events[0]["eventType"] != "group.user_membership.add" || next == "" {
		t.Fatalf("first page: %v next %q", events, next)
	}
	targets := events[0]["target"].([]any)
	if len(targets) != 2 || targets[0].(map[string]any)["id"] != uid || targets[1].(map[string]any)["id"] != gid {
		t.Fatalf("targets: %v", targets)
	}
	events, next = getLogs(t, s, next)
	if len(events) != 1 || events[0]["eventType"] != "user.lifecycle.suspend" {
		t.Fatalf("second page: %v", events)
	}
	// Polling: an empty page still links to the next poll, which sees new events.
	events, next = getLogs(t, s, next)
	if len(events) != 0 || next == "" {
		t.Fatalf("empty poll: %v next %q", events, next)
	}
	if err := s.Unsuspend(uid); err != nil {
		t.Fatal(err)
	}
	if err := s.Suspend(uid); err != nil {
		t.Fatal(err)
	}
	if events, _ = getLogs(t, s, next); len(events) != 1 {
		t.Fatalf("after a new suspension: %v", events)
	}
	// A bounded query has no next link once it is complete.
	until := time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	if events, next = getLogs(t, s, hs.URL+"/api/v1/logs?since="+start+"&until="+until); len(events) != 6 || next != "" {
		t.Fatalf("bounded: %d events next %q", len(events), next)
	}
	if got := s.Count("GET /api/v1/logs"); got != 5 {
		t.Fatalf("counted %d log requests", got)
	}
}

func TestUserGroups(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	uid, _ := s.AddUser(UserSpec{Login: "ann@example.com"})
	g1, _ := s.AddGroup(GroupSpec{Name: "A"})
	_, _ = s.AddGroup(GroupSpec{Name: "B"})
	_ = s.AddMember(g1, uid)
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/users/"+uid+"/groups", nil)
	req.Header.Set("Authorization", "SSWS "+s.APIToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var groups []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&groups)
	if len(groups) != 1 || groups[0]["id"] != g1 {
		t.Fatalf("groups: %v", groups)
	}
}

// hookSink is an event hook endpoint that answers the verification and
// records deliveries.
type hookSink struct {
	mu       sync.Mutex
	events   []string
	verified bool
	status   int
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get("Authorization") != "s3cret" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if c := r.Header.Get("X-Okta-Verification-Challenge"); c != "" {
		h.verified = true
		_ = json.NewEncoder(w).Encode(map[string]string{"verification": c})
		return
	}
	var body struct {
		Source string
		Data   struct{ Events []struct{ EventType string } }
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	for _, e := range body.Data.Events {
		h.events = append(h.events, e.EventType)
	}
	if h.status != 0 {
		w.WriteHeader(h.status)
	}
}

func (h *hookSink) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

func TestEventHookDelivery(t *testing.T) {
	s := New(Options{})
	sink := &hookSink{}
	hs := httptest.NewServer(sink)
	defer hs.Close()
	if err := s.RegisterEventHook(HookOptions{URL: hs.URL, Secret: "wrong"}); err == nil {
		t.Fatal("a hook whose endpoint refuses the verification was registered")
	}
	if err := s.RegisterEventHook(HookOptions{URL: hs.URL, Secret: "s3cret", Batch: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer s.StopEventHooks()
	uid, _ := s.AddUser(UserSpec{Login: "ann@example.com"})
	_ = s.Suspend(uid)
	waitFor(t, func() bool { return sink.count() == 2 })

	// A 4xx is not retried; a loss of 100% sends nothing.
	sink.mu.Lock()
	sink.status = http.StatusBadRequest
	sink.mu.Unlock()
	_ = s.Unsuspend(uid)
	waitFor(t, func() bool { return s.HookStats().Failed == 1 })
	if st := s.HookStats(); st.Retried != 0 || st.Delivered != 1 {
		t.Fatalf("stats after a 400: %+v", st)
	}
	if err := s.RegisterEventHook(HookOptions{URL: hs.URL, Secret: "s3cret", LossPercent: 100, Batch: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	_ = s.Suspend(uid)
	waitFor(t, func() bool { return s.HookStats().Dropped == 1 })
	if sink.count() != 3 {
		t.Fatalf("a dropped delivery arrived: %d events", sink.count())
	}
}

func TestEventHookRetriesOnceAndReorders(t *testing.T) {
	s := New(Options{})
	var mu sync.Mutex
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := r.Header.Get("X-Okta-Verification-Challenge"); c != "" {
			_ = json.NewEncoder(w).Encode(map[string]string{"verification": c})
			return
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer hs.Close()
	if err := s.RegisterEventHook(HookOptions{URL: hs.URL, Batch: 10 * time.Millisecond, Reorder: true}); err != nil {
		t.Fatal(err)
	}
	defer s.StopEventHooks()
	uid, _ := s.AddUser(UserSpec{Login: "ann@example.com"})
	for range 10 {
		_ = s.Suspend(uid)
		_ = s.Unsuspend(uid)
		time.Sleep(15 * time.Millisecond)
	}
	waitFor(t, func() bool { st := s.HookStats(); return st.Failed > 0 && st.Failed == st.Retried })
	mu.Lock()
	defer mu.Unlock()
	// Deliveries run one after another; one may be under way.
	if st := s.HookStats(); calls < 2*st.Failed || calls > 2*st.Failed+2 {
		t.Fatalf("%d calls for %+v: every failed delivery is tried twice", calls, st)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// AgeLog moves what was logged out of a recent poll's window; what is
// logged after it is polled as before.
func TestAgeLogMovesSeedingOutOfAPoll(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	since := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	uid, _ := s.AddUser(UserSpec{Login: "ann@example.com"})
	s.AgeLog(time.Hour)
	if events, _ := getLogs(t, s, hs.URL+"/api/v1/logs?since="+since); len(events) != 0 {
		t.Fatalf("aged events polled: %v", events)
	}
	if err := s.Suspend(uid); err != nil {
		t.Fatal(err)
	}
	if events, _ := getLogs(t, s, hs.URL+"/api/v1/logs?since="+since); len(events) != 1 || events[0]["eventType"] != "user.lifecycle.suspend" {
		t.Fatalf("events after aging: %v", events)
	}
}

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
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// echoServer answers every request with an Okta error whose summary and
// causes echo the Authorization header, as some proxies and error pages do.
func echoServer(t *testing.T, status int) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"errorCode":    "E0000011",
			"errorSummary": "Invalid token provided: " + auth,
			"errorCauses":  []map[string]string{{"errorSummary": "header was " + strings.ReplaceAll(auth, " ", "%20")}},
		})
	}))
	t.Cleanup(hs.Close)
	return hs
}

func TestServerEchoOfTheTokenIsRedacted(t *testing.T) {
	const token = "00aSecretApiTokenValue-0123456789"
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusBadRequest} {
		hs := echoServer(t, status)
		c, err := New(hs.URL, SSWS(token), Options{Limiters: NewLimiters(LimiterOptions{})})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetUser(context.Background(), "00u1234567890abcdefg")
		if err == nil {
			t.Fatalf("status %d: no error", status)
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("status %d: the token reached the error: %s", status, err)
		}
		if v := c.Verify(context.Background()); strings.Contains(v.Message, token) {
			t.Errorf("status %d: the token reached the check's message: %s", status, v.Message)
		}
	}
}

// recordingServer records the paths requested.
type recordingServer struct {
	mu    sync.Mutex
	paths []string
}

func (s *recordingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.EscapedPath())
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"errorCode":"E0000007","errorSummary":"Not found"}`))
}

// An id or login never changes the path it is put into: "me", dot segments
// and reserved characters are refused or escaped.
func TestUserIDsCannotLeaveTheirPath(t *testing.T) {
	rec := &recordingServer{}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	c, err := New(hs.URL, SSWS("00aToken0123456789"), Options{Limiters: NewLimiters(LimiterOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"me", "ME", ".", "..", "../groups", "%2e%2e", "a?b#c", "a/b"} {
		_, _ = c.GetUser(context.Background(), id)
		_, _ = c.GetGroup(context.Background(), id)
	}
	for _, p := range rec.paths {
		rest, ok := strings.CutPrefix(p, "/api/v1/")
		seg := rest[strings.Index(rest, "/")+1:]
		if !ok || strings.Contains(seg, "/") || seg == "me" || seg == "ME" || seg == "." || seg == ".." ||
			strings.ContainsAny(seg, "?#") || strings.EqualFold(seg, "%2e%2e") {
			t.Errorf("requested %q", p)
		}
	}
}

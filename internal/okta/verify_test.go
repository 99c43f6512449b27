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
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

func TestVerifyReasons(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	e := newEnv(t, oktaserver.Options{})
	forbidden := newEnv(t, oktaserver.Options{})
	forbidden.srv.SetForbidden(true)
	fail500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer fail500.Close()
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer teapot.Close()

	tests := []struct {
		name string
		cfg  func(*testConfig)
		want check.Reason
	}{
		{"ok", nil, check.OK},
		{"bad token", func(c *testConfig) { c.Auth = SSWS("bad") }, check.Unauthorized},
		{"no admin role", func(c *testConfig) { c.OrgURL = forbidden.hs.URL; c.Auth = SSWS(forbidden.srv.APIToken()) }, check.Forbidden},
		{"untrusted certificate", func(c *testConfig) { c.OrgURL = tlsSrv.URL; c.HTTPClient = nil }, check.TLSError},
		{"nothing listening", func(c *testConfig) { c.OrgURL = closedURL }, check.Unreachable},
		{"bad gateway", func(c *testConfig) { c.OrgURL = fail500.URL }, check.Unreachable},
		{"other status", func(c *testConfig) { c.OrgURL = teapot.URL }, check.Error},
		{"slow server", func(c *testConfig) {
			c.OrgURL = e.hs.URL
			c.Timeout = 50 * time.Millisecond
		}, check.Unreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "slow server" {
				e.srv.SetLatency(time.Second)
				defer e.srv.SetLatency(0)
			}
			c := e.client(func(c *testConfig) {
				c.MaxRetries = 1
				if tc.cfg != nil {
					tc.cfg(c)
				}
			})
			r := c.Verify(t.Context())
			if r.Reason != tc.want {
				t.Fatalf("Verify = %+v, want %s", r, tc.want)
			}
			if r.Message == "" || strings.Contains(r.Message, e.srv.APIToken()) {
				t.Errorf("message %q empty or leaks the token", r.Message)
			}
		})
	}
}

func TestVerifyTrustsCABundle(t *testing.T) {
	srv := oktaserver.New(oktaserver.Options{})
	hs := httptest.NewTLSServer(srv.Handler())
	defer hs.Close()
	caPEM := pemBlock(t, "CERTIFICATE", hs.Certificate().Raw)
	c, err := New(hs.URL, SSWS(srv.APIToken()), Options{CABundle: caPEM, Limiters: NewLimiters(LimiterOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Verify(t.Context()); r.Reason != check.OK {
		t.Fatalf("Verify = %+v", r)
	}
	if _, err := New(hs.URL, SSWS("x"), Options{CABundle: []byte("junk")}); err == nil {
		t.Error("junk CA bundle accepted")
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  testConfig
	}{
		{"no scheme", testConfig{OrgURL: "example.okta.com", Auth: SSWS("t")}},
		{"ftp", testConfig{OrgURL: "ftp://example.okta.com", Auth: SSWS("t")}},
		{"path", testConfig{OrgURL: "https://example.okta.com/api", Auth: SSWS("t")}},
		{"no auth", testConfig{OrgURL: "https://example.okta.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg.OrgURL, tc.cfg.Auth, tc.cfg.Options); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	c, err := New(" https://example.okta.com/ ", SSWS("t"), Options{})
	if err != nil || c.OrgURL() != "https://example.okta.com" || c.AuthMode() != "ssws" {
		t.Fatalf("%v %v", c, err)
	}
}

func TestBodyCapAndGarbage(t *testing.T) {
	big := strings.Repeat(`{"id":"00u","status":"ACTIVE","profile":{}},`, 200)
	tests := []struct {
		name string
		body string
		want error
	}{
		{"over cap", "[" + big + `{"id":"x"}]`, httpx.ErrBodyTooLarge},
		{"truncated", `[{"id":"00u1","status":"ACT`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, tc.body)
			}))
			defer hs.Close()
			c, _ := New(hs.URL, SSWS("t"), Options{MaxBodyBytes: 4096, MaxRetries: 1, Limiters: NewLimiters(LimiterOptions{})})
			_, err := collect(c.ListGroupMembers(t.Context(), "g"))
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestErrorsAndClassification(t *testing.T) {
	tests := []struct {
		err    error
		is     []error
		not    []error
		reason check.Reason
		text   string
	}{
		{&APIError{Status: 404, ErrorCode: CodeNotFound, ErrorSummary: "Not found", ErrorID: "x", Causes: []string{"c1"}, Kind: "k"},
			[]error{ErrNotFound}, []error{ErrForbidden}, check.Error, "okta k: HTTP 404 E0000007: Not found; c1 (errorId x)"},
		{&APIError{Status: 404}, []error{ErrNotFound}, nil, check.Error, "HTTP 404"},
		{&APIError{Status: 401}, []error{ErrUnauthorized}, nil, check.Unauthorized, "401"},
		{&APIError{Status: 403}, []error{ErrForbidden}, nil, check.Forbidden, "403"},
		{&APIError{Status: 429}, []error{ErrRateLimited}, []error{ErrNotFound}, check.Unreachable, "429"},
		{&APIError{Status: 503}, nil, []error{ErrRateLimited}, check.Unreachable, "503"},
		{&TokenError{Status: 401, Code: "invalid_client", Description: "bad"}, []error{ErrUnauthorized}, []error{ErrForbidden}, check.Unauthorized, "invalid_client: bad"},
		{&TokenError{Status: 400, Code: "invalid_scope"}, []error{ErrForbidden}, nil, check.Forbidden, "invalid_scope"},
		{&TokenError{Status: 400, Code: "invalid_dpop_proof", Description: "The DPoP proof JWT header is missing."}, []error{ErrDPoPRequired}, nil, check.DPoPRequired, "DPoP"},
		{&TokenError{Status: 429}, []error{ErrRateLimited}, []error{ErrDPoPRequired}, check.Unreachable, "429"},
		{fmt.Errorf("wrapped: %w", &AmbiguousError{Name: "n", Matches: 3}), []error{ErrAmbiguous}, nil, check.Error, `3 groups are named "n"`},
		{context.DeadlineExceeded, nil, nil, check.Unreachable, "deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			for _, target := range tc.is {
				if !errors.Is(tc.err, target) {
					t.Errorf("%v is not %v", tc.err, target)
				}
			}
			for _, target := range tc.not {
				if errors.Is(tc.err, target) {
					t.Errorf("%v is %v", tc.err, target)
				}
			}
			if !strings.Contains(tc.err.Error(), tc.text) {
				t.Errorf("Error() = %q", tc.err.Error())
			}
			if r := classify(tc.err); r.Reason != tc.reason {
				t.Errorf("classify = %s, want %s", r.Reason, tc.reason)
			}
		})
	}
}

func TestRedactURLError(t *testing.T) {
	ue := makeURLError()
	err := redactURLError(fmt.Errorf("x: %w", &ue))
	if strings.Contains(err.Error(), "secret-search") {
		t.Errorf("query kept: %v", err)
	}
	plain := errors.New("plain")
	if redactURLError(plain) != plain { //nolint:errorlint // the very same value must come back
		t.Error("non-URL error changed")
	}
}

func TestOutcome(t *testing.T) {
	if o := outcome(nil, context.Canceled); o != "canceled" {
		t.Error(o)
	}
	if o := outcome(nil, context.DeadlineExceeded); o != "timeout" {
		t.Error(o)
	}
	if o := outcome(nil, errors.New("x")); o != "error" {
		t.Error(o)
	}
}

// A page whose connection breaks mid-body is fetched again, not cut short.
func TestBrokenBodyIsRetried(t *testing.T) {
	var calls int
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		body := `[{"id":"00u1","status":"ACTIVE","profile":{}},{"id":"00u2","status":"ACTIVE","profile":{}}]`
		if calls == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			_, _ = io.WriteString(w, body[:20]) // the server promises more than it sends
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	defer hs.Close()
	c, _ := New(hs.URL, SSWS("t"), Options{Limiters: NewLimiters(LimiterOptions{}), Backoff: httpx.Backoff{Base: time.Millisecond, Max: time.Millisecond}})
	got, err := collect(c.ListGroupMembers(t.Context(), "g"))
	if err != nil || len(got) != 2 || calls != 2 {
		t.Fatalf("got %d members, %d calls, err %v", len(got), calls, err)
	}
}

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
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestTypedErrors(t *testing.T) {
	sentinels := []error{ErrNotFound, ErrConflict, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrInvalidRequest, ErrServer}
	for _, tc := range []struct {
		name       string
		fault      *scimserver.Fault
		token      string
		want       error
		status     int
		detailHas  string
		retryAfter time.Duration
	}{
		{name: "not found", want: ErrNotFound, status: 404, detailHas: "not found"},
		{name: "unauthorized", token: "wrong", want: ErrUnauthorized, status: 401, detailHas: "bearer token"},
		{name: "forbidden", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 403}, want: ErrForbidden, status: 403},
		{name: "rate limited", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 429, RetryAfter: "7200"}, want: ErrRateLimited, status: 429, retryAfter: 2 * time.Hour},
		{name: "invalid request", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 400}, want: ErrInvalidRequest, status: 400, detailHas: "injected"},
		{name: "server error", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 500}, want: ErrServer, status: 500},
		{name: "html error page", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 500, Body: "<html><head><title>Bad &amp; Broken</title></head><body>x</body></html>"}, want: ErrServer, status: 500, detailHas: "Bad & Broken"},
		{name: "empty body", fault: &scimserver.Fault{Kind: scimserver.FaultStatus, Status: 418, Body: " ", ContentType: "text/plain"}, want: ErrInvalidRequest, status: 418},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFastEnv(t)
			c := e.client
			if tc.token != "" {
				c, _ = New(e.ts.URL+e.srv.BasePath(), tc.token, fastOptions())
			}
			if tc.fault != nil {
				e.srv.AddFault(*tc.fault)
			}
			_, err := c.GetUser(ctxT(t), "some-id")
			var se *Error
			if !errors.As(err, &se) || se.Status != tc.status || se.RetryAfter != tc.retryAfter {
				t.Fatalf("err = %#v", err)
			}
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != (s == tc.want) { //nolint:errorlint // comparing two sentinels, not an error
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if !strings.Contains(se.Detail, tc.detailHas) {
				t.Errorf("detail %q lacks %q", se.Detail, tc.detailHas)
			}
			if se.Op != "users.get" || se.Method != http.MethodGet || se.Path != "/Users/some-id" {
				t.Errorf("error context = %+v", se)
			}
			assertNoToken(t, append(keysOf(c.Accounting()), err.Error(), fmt.Sprintf("%#v", se))...)
		})
	}
}

func TestErrorTextAndRedaction(t *testing.T) {
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"schemas":["%s"],"status":400,"scimType":"invalidValue","detail":"bad header %s\n%s"}`,
			SchemaError, r.Header.Get("Authorization"), strings.Repeat("x", 2000))
	}, fastOptions())
	_, err := c.GetUser(ctxT(t), "a")
	var se *Error
	if !errors.As(err, &se) || se.ScimType != "invalidValue" {
		t.Fatalf("err = %v", err)
	}
	assertNoToken(t, err.Error())
	if !strings.Contains(se.Detail, "[REDACTED]") || len(se.Detail) > maxDetail+len("…") || strings.Contains(se.Detail, "\n") {
		t.Fatalf("detail = %q", se.Detail)
	}
	want := "scim users.get: GET /Users/a: 400 Bad Request (invalidValue): bad header Bearer [REDACTED] x"
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error text %q", err.Error())
	}
}

func TestConflictByScimType(t *testing.T) {
	e := &Error{Status: 400, ScimType: "uniqueness"}
	if !errors.Is(e, ErrConflict) || errors.Is(e, ErrInvalidRequest) {
		t.Fatal("a 400 uniqueness error is a conflict")
	}
	if !strings.Contains((&Error{Status: 503, RetryAfter: time.Second}).Error(), "retry after 1s") {
		t.Fatal("retry-after missing from text")
	}
}

func TestParseErrorBody(t *testing.T) {
	for _, tc := range []struct{ body, detail, scimType string }{
		{`{"detail":"d","scimType":"mutability","status":"400"}`, "d", "mutability"},
		{`{"message":"m"}`, "m", ""},
		{`{"other":1}`, `{"other":1}`, ""},
		{`<p>plain <b>html</b></p>`, "plain html", ""},
		{"just text\n\tmore", "just text more", ""},
		{"bad utf8 \xff", "bad utf8 ?", ""},
		{"", "", ""},
	} {
		var e Error
		parseErrorBody(&e, []byte(tc.body), "")
		if e.Detail != tc.detail || e.ScimType != tc.scimType {
			t.Errorf("%q: got %q/%q", tc.body, e.Detail, e.ScimType)
		}
	}
}

func TestTransportErrorHidesQuery(t *testing.T) {
	c, ts := rawServer(t, func(w http.ResponseWriter, r *http.Request) {}, fastOptions())
	ts.Close()
	_, err := c.FindUserByUserName(ctxT(t), "private@example.com")
	if err == nil || strings.Contains(err.Error(), "private") {
		t.Fatalf("err = %v", err)
	}
	var te *transportError
	if !errors.As(err, &te) || te.op != "users.find" {
		t.Fatalf("err = %#v", err)
	}
	if got := keysOf(c.Accounting()); len(got) != 1 || got[0] != "users.find/GET/refused" {
		t.Fatalf("accounting = %v", got)
	}
}

func TestNonJSONSuccessIsInvalid(t *testing.T) {
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>login</html>"))
	}, fastOptions())
	if _, err := c.GetUser(ctxT(t), "a"); !errors.Is(err, ErrInvalidResponse) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewValidation(t *testing.T) {
	for _, tc := range []struct{ url, token string }{
		{"ftp://x/scim", "t"},
		{"/relative", "t"},
		{"https://user:pw@x/scim", "t"},
		{"https://x/scim?q=1", "t"},
		{"https://x/scim", ""},
		{"://bad", "t"},
	} {
		if _, err := New(tc.url, tc.token, Options{}); err == nil {
			t.Errorf("New(%q, %q) accepted", tc.url, tc.token)
		}
	}
	if _, err := New("https://x/scim", "t", Options{CABundle: []byte("not pem")}); err == nil {
		t.Error("bad CA bundle accepted")
	}
	c, err := New("https://x/scim/", "t", Options{})
	if err != nil || c.base != "https://x/scim" || c.opts.PageSize != 100 || c.opts.MembersPerPatch != 100 ||
		!strings.HasPrefix(c.opts.UserAgent, "scimbridge/") {
		t.Fatalf("defaults: %+v %v", c.opts, err)
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"id":"u1","userName":"x"}`))
	}, Options{UserAgent: "scimbridge/test", RPS: -1})
	if _, err := c.CreateUser(ctxT(t), User{UserName: "x"}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Authorization": "Bearer " + testToken,
		"Content-Type":  "application/scim+json",
		"Accept":        "application/scim+json, application/json",
		"User-Agent":    "scimbridge/test",
	} {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
}

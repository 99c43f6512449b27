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

package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestCapReader(t *testing.T) {
	for _, tc := range []struct {
		body    string
		limit   int64
		wantErr error
	}{
		{"12345", 5, nil},
		{"123456", 5, ErrBodyTooLarge},
		{"", 0, nil},
		{"1", 0, ErrBodyTooLarge},
	} {
		got, err := ReadAll(strings.NewReader(tc.body), tc.limit)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%q/%d: err = %v", tc.body, tc.limit, err)
		}
		if tc.wantErr == nil && string(got) != tc.body {
			t.Errorf("%q/%d: got %q", tc.body, tc.limit, got)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	var v struct{ A int }
	if err := DecodeJSON(strings.NewReader(`{"A":7}`), 100, &v); err != nil || v.A != 7 {
		t.Fatalf("v = %+v, err = %v", v, err)
	}
	if err := DecodeJSON(strings.NewReader(`{"A":7}`), 3, &v); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if err := DecodeJSON(strings.NewReader(`{"A":`), 100, &v); !IsTransient(err) {
		t.Errorf("a body cut inside its value must be transient, got %v", err)
	}
	if err := DecodeJSON(strings.NewReader(``), 100, &v); !IsTransient(err) {
		t.Errorf("an empty body must be transient, got %v", err)
	}
	if err := DecodeJSON(strings.NewReader(`{"A":x}`), 100, &v); IsTransient(err) {
		t.Errorf("a garbled body is not transient, got %v", err)
	}
	if err := DecodeJSON(strings.NewReader(`{"A":`), 100, &v); err == nil || !strings.Contains(err.Error(), "decoding response") {
		t.Fatalf("err = %v", err)
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestDrain(t *testing.T) {
	r := strings.NewReader(strings.Repeat("x", 100))
	body := &closeRecorder{Reader: r}
	Drain(body, 10)
	if !body.closed || r.Len() != 90 {
		t.Fatalf("closed %v, left %d", body.closed, r.Len())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
	} {
		got, ok := ParseRetryAfter(tc.value, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestServerNow(t *testing.T) {
	local := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	resp := &http.Response{Header: http.Header{"Date": {srv.Format(http.TimeFormat)}}}
	if got := ServerNow(resp, local); !got.Equal(srv) {
		t.Errorf("with Date: %v", got)
	}
	if got := ServerNow(&http.Response{Header: http.Header{}}, local); !got.Equal(local) {
		t.Errorf("without Date: %v", got)
	}
	if got := ServerNow(nil, local); !got.Equal(local) {
		t.Errorf("nil response: %v", got)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	for attempt, ceiling := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceiling *= time.Millisecond
		if attempt == 5 {
			attempt = 50 // far past the cap must not overflow
		}
		for range 50 {
			d := b.Delay(attempt)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
	if d := (Backoff{}).Delay(0); d < 100*time.Millisecond || d > 200*time.Millisecond {
		t.Fatalf("default base: %v", d)
	}
	if d := (Backoff{}).Delay(100); d < 15*time.Second || d > 30*time.Second {
		t.Fatalf("default max: %v", d)
	}
}

func TestJitter(t *testing.T) {
	for range 50 {
		if d := Jitter(time.Second, 0.5); d < time.Second || d > 1500*time.Millisecond {
			t.Fatalf("Jitter = %v", d)
		}
	}
	if Jitter(0, 1) != 0 || Jitter(time.Second, 0) != time.Second {
		t.Fatal("degenerate jitter changed the value")
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("zero wait on a cancelled context: %v", err)
	}
	if err := Sleep(context.Background(), -time.Second); err != nil {
		t.Fatal(err)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsTransient(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), false},
		{"deadline", &url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}, true},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"broken pipe", syscall.EPIPE, true},
		{"eof", io.EOF, true},
		{"unexpected eof", io.ErrUnexpectedEOF, true},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutErr{}}, true},
		{"other", errors.New("no such host"), false},
	} {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("%s: IsTransient = %v", tc.name, got)
		}
	}
}

func TestIsRetryableStatus(t *testing.T) {
	for code := 100; code < 600; code++ {
		want := code == 429 || code == 502 || code == 503 || code == 504
		if IsRetryableStatus(code) != want {
			t.Errorf("IsRetryableStatus(%d) = %v", code, !want)
		}
	}
}

func TestNewTransport(t *testing.T) {
	tr, err := NewTransport(TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.MaxConnsPerHost != 16 || tr.TLSClientConfig.RootCAs == nil {
		t.Fatalf("defaults: min %x conns %d", tr.TLSClientConfig.MinVersion, tr.MaxConnsPerHost)
	}
	tr, _ = NewTransport(TransportOptions{MaxConnsPerHost: 3})
	if tr.MaxConnsPerHost != 3 || tr.MaxIdleConnsPerHost != 3 {
		t.Fatalf("conns %d", tr.MaxConnsPerHost)
	}
	if _, err := NewTransport(TransportOptions{CABundle: []byte("not a certificate")}); err == nil {
		t.Fatal("garbage CA bundle accepted")
	}
}

func TestSameOriginRedirects(t *testing.T) {
	req := func(u string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, u, nil)
		return r
	}
	first := req("https://a.example/scim/Users")
	for _, tc := range []struct {
		to string
		ok bool
	}{
		{"https://a.example/other", true},
		{"https://b.example/scim/Users", false},
		{"http://a.example/scim/Users", false},
		{"https://a.example:8443/scim/Users", false},
	} {
		err := SameOriginRedirects(req(tc.to), []*http.Request{first})
		if (err == nil) != tc.ok {
			t.Errorf("redirect to %s: err = %v", tc.to, err)
		}
	}
	via := []*http.Request{first, first, first, first, first}
	if err := SameOriginRedirects(req("https://a.example/x"), via); err == nil {
		t.Error("sixth redirect allowed")
	}
}

func TestAccounting(t *testing.T) {
	var a Accounting
	if a.Total() != 0 || len(a.Snapshot()) != 0 {
		t.Fatal("zero value not empty")
	}
	keys := []RequestKey{
		{"users.list", "GET", "200"},
		{"groups.patch", "PATCH", "429"},
		{"groups.patch", "PATCH", "200"},
		{"users.list", "GET", "200"},
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for _, k := range keys {
				a.Add(k)
			}
		})
	}
	wg.Wait()
	if a.Total() != 40 {
		t.Fatalf("total %d", a.Total())
	}
	snap := a.Snapshot()
	if snap[RequestKey{"users.list", "GET", "200"}] != 20 || snap[RequestKey{"groups.patch", "PATCH", "429"}] != 10 {
		t.Fatalf("snapshot %v", snap)
	}
	snap[RequestKey{"x", "y", "z"}] = 1 // a snapshot is a copy
	if len(a.Snapshot()) != 3 {
		t.Fatalf("snapshot not a copy: %v", a.Snapshot())
	}
}

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
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

const testToken = "s3cr3t-token-value"

// env is a client wired to a fresh test server over loopback HTTP.
type env struct {
	srv    *scimserver.Server
	ts     *httptest.Server
	client *Client
}

// fastOptions keeps retries quick; tests assert counts, not timings.
func fastOptions() Options {
	return Options{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, RPS: -1, Timeout: 5 * time.Second}
}

func newEnv(t *testing.T, so scimserver.Options, co Options) *env {
	t.Helper()
	if so.Token == "" {
		so.Token = testToken
	}
	srv, err := scimserver.New(so)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := New(ts.URL+srv.BasePath(), so.Token, co)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, ts: ts, client: c}
}

func newFastEnv(t *testing.T) *env { return newEnv(t, scimserver.Options{}, fastOptions()) }

// rawServer serves h on loopback and returns a fast client for it.
func rawServer(t *testing.T, h http.HandlerFunc, co Options) (*Client, *httptest.Server) {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c, err := New(ts.URL+"/scim/v2", testToken, co)
	if err != nil {
		t.Fatal(err)
	}
	return c, ts
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertNoToken fails if the token leaked into text.
func assertNoToken(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, testToken) {
			t.Fatalf("token leaked: %q", s)
		}
	}
}

// keysOf lists the accounting's keys as kind/method/outcome, sorted.
func keysOf(a *httpx.Accounting) []string {
	var out []string
	for k := range a.Snapshot() {
		out = append(out, k.Kind+"/"+k.Method+"/"+k.Outcome)
	}
	slices.Sort(out)
	return out
}

func rateInf() rate.Limit { return rate.Inf }

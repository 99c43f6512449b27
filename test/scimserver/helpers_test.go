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

package scimserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const token = "conformance-token"

type harness struct {
	t    *testing.T
	srv  *Server
	ts   *httptest.Server
	base string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &harness{t: t, srv: srv, ts: ts, base: ts.URL + srv.BasePath()}
}

// response is a decoded answer; json is nil for non-JSON bodies.
type response struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// do sends a request with the harness token (auth "" sends none, "-" the
// default) and decodes the answer.
func (h *harness) do(method, path, auth string, body any) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			buf, _ := json.Marshal(b)
			rd = bytes.NewReader(buf)
		}
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	switch auth {
	case "-":
		req.Header.Set("Authorization", "Bearer "+token)
	case "":
	default:
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.json)
	return r
}

func (h *harness) get(path string) response { return h.do("GET", path, "-", nil) }

func (h *harness) mustStatus(r response, want int) response {
	h.t.Helper()
	if r.status != want {
		h.t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

// at follows a dotted path with [i] indexes through decoded JSON.
func at(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
		if hasIdx {
			l, ok := v.([]any)
			i := int(idx[0] - '0')
			if !ok || i >= len(l) {
				return nil
			}
			v = l[i]
		}
	}
	return v
}

func notEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func hasValue(v any, want string) bool {
	l, _ := v.([]any)
	for _, e := range l {
		if e == want {
			return true
		}
	}
	return false
}

func isNumber(v any) bool { _, ok := v.(float64); return ok }

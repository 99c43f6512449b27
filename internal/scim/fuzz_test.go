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
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzFilterEscape(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, `\"`, `a" or "b`, "\x00\x1f\x7f", "ü☃🎉", `]`, "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			if _, err := QuoteFilterValue(v); err == nil {
				t.Fatalf("invalid UTF-8 %q accepted", v)
			}
			return
		}
		checkFilterRoundTrip(t, v)
	})
}

func FuzzDecodeListPage(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[{"id":"a","userName":"x"},{"id":"b"}]}`,
		`{"totalResults":"3","resources":null}`,
		`{"Resources":[{"id":1}]}`,
		`{"totalResults":-1}`,
		`{"Resources":[{"id":"a","members":[{"value":"v"}]}]`,
		`[]`, `null`, ``, `{`, `{"a":{"b":[1,2,{"c":null}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeListPage[User](bytes.NewReader(b))
		if err == nil && p.Total < -1 {
			t.Fatalf("negative total %d", p.Total)
		}
		_, _ = decodeListPage[Group](bytes.NewReader(b))
		_, _ = decodeGroup(bytes.NewReader(b), true)
		_, _ = decodeGroup(bytes.NewReader(b), false)
	})
}

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists"}`,
		`{"status":404,"detail":"TOKEN"}`,
		`<html><title>TOKEN</title></html>`,
		`<html><body>TOKEN`, "plain TOKEN text", ``, `{`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	const secret = "TOKEN"
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Error
		e.Status = 400
		parseErrorBody(&e, b, secret)
		msg := e.Error()
		if strings.Contains(msg, secret) {
			t.Fatalf("secret in %q", msg)
		}
		if !utf8.ValidString(msg) || len(e.Detail) > maxDetail+len("…") {
			t.Fatalf("bad detail %q", e.Detail)
		}
	})
}

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
	"encoding/json"
	"testing"

	fp "github.com/scim2/filter-parser/v2"
)

func TestQuoteFilterValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`plain@example.com`, `"plain@example.com"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{`\"`, `"\\\""`},
		{"tab\there\n", `"tab\u0009here\u000A"`},
		{"\x1f", `"\u001F"`},
		{"ünï ☃", `"ünï ☃"`},
		{`x" or userName pr or "`, `"x\" or userName pr or \""`},
	} {
		got, err := QuoteFilterValue(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("QuoteFilterValue(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := QuoteFilterValue("bad \xff"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

func TestEqFilter(t *testing.T) {
	for _, tc := range []struct {
		attr, value, want string
		ok                bool
	}{
		{"userName", `x"y`, `userName eq "x\"y"`, true},
		{"name.givenName", "a", `name.givenName eq "a"`, true},
		{"urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User:authName", "a",
			`urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User:authName eq "a"`, true},
		{"userName pr or userName", "a", "", false},
		{"", "a", "", false},
		{"userName", "\xff", "", false},
	} {
		got, err := EqFilter(tc.attr, tc.value)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("EqFilter(%q, %q) = %q, %v", tc.attr, tc.value, got, err)
		}
	}
}

// The escaped value must survive a real SCIM filter parser unchanged.
func TestFilterEscapingParses(t *testing.T) {
	for _, v := range []string{`a"b`, `a\b`, `"`, `\`, "ctl\x01\x7f", `] or [`, "", "emoji 🎉"} {
		checkFilterRoundTrip(t, v)
	}
}

// Against the test server: a userName with quote and backslash finds
// exactly its user, and cannot widen the filter.
func TestFilterEscapingEndToEnd(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	tricky := `o"brien\` + `" or userName pr or "x`
	want, err := e.client.CreateUser(ctx, User{UserName: tricky})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateUser(ctx, User{UserName: "other"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.FindUserByUserName(ctx, tricky)
	if err != nil || got.ID != want.ID || got.UserName != tricky {
		t.Fatalf("got %+v, %v", got, err)
	}
	f, _ := EqFilter("userName", `x" or userName pr or "`)
	n := 0
	for _, err := range e.client.ListUsers(ctx, ListOptions{Filter: f}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Fatalf("injected filter matched %d users", n)
	}
}

func checkFilterRoundTrip(t *testing.T, v string) {
	t.Helper()
	f, err := EqFilter("userName", v)
	if err != nil {
		t.Fatalf("EqFilter(%q): %v", v, err)
	}
	expr, err := fp.ParseFilter([]byte(f))
	if err != nil {
		t.Fatalf("parse %s: %v", f, err)
	}
	ae, ok := expr.(*fp.AttributeExpression)
	if !ok || ae.Operator != fp.EQ || ae.AttributePath.AttributeName != "userName" {
		t.Fatalf("%s parsed as %#v", f, expr)
	}
	raw, _ := ae.CompareValue.(string)
	var back string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &back); err != nil || back != v {
		t.Fatalf("value %q came back as %q (%v)", v, back, err)
	}
}

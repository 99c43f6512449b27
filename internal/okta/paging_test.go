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
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

func TestListGroupMembersPaging(t *testing.T) {
	const membersEndpoint = "GET /api/v1/groups/{id}/users"
	tests := []struct {
		name      string
		members   int
		pageSize  int
		wantPages int64
	}{
		{"empty group", 0, 10, 1},
		{"single page", 5, 10, 1},
		{"exact multiple", 30, 10, 3},
		{"many pages", 251, 7, 36},
		{"default page size", 1001, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oktaserver.Options{})
			users, _ := e.mustGen(tc.members, 0)
			gid, err := e.srv.AddGroup(oktaserver.GroupSpec{Name: "Paged"})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if err := e.srv.AddMember(gid, u); err != nil {
					t.Fatal(err)
				}
			}
			c := e.client(func(cfg *testConfig) { cfg.PageSize = tc.pageSize })
			got, err := collectMembers(t, c, gid)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := e.srv.Members(gid)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("got %d members, want %d (each exactly once)", len(got), len(want))
			}
			if n := e.srv.Count(membersEndpoint, 200); n != tc.wantPages {
				t.Errorf("page requests = %d, want %d", n, tc.wantPages)
			}
			if n := c.Accounting().Snapshot()[httpx.RequestKey{Kind: "groups.members", Method: "GET", Outcome: "200"}]; n != tc.wantPages {
				t.Errorf("accounted pages = %d, want %d", n, tc.wantPages)
			}
		})
	}
}

func TestListGroupMembersEarlyBreak(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	_, groups := e.mustGen(50, 1)
	c := e.client(func(cfg *testConfig) { cfg.PageSize = 10 })
	n := 0
	for _, err := range c.ListGroupMembers(t.Context(), groups[0]) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if got := e.srv.Count("GET /api/v1/groups/{id}/users"); got != 2 {
		t.Errorf("requests after early break = %d, want 2", got)
	}
}

func TestOutageMidPagination(t *testing.T) {
	tests := []struct {
		name     string
		outage   oktaserver.Outage
		wantErr  bool
		errCheck func(error) bool
	}{
		{"persistent 503", oktaserver.Outage{AfterPages: 2}, true, func(err error) bool {
			var ae *APIError
			return errors.As(err, &ae) && ae.Status == 503
		}},
		{"dropped connections", oktaserver.Outage{AfterPages: 3, Drop: true}, true, func(err error) bool { return err != nil }},
		{"persistent 404", oktaserver.Outage{AfterPages: 1, Status: 404}, true, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"transient blip recovers", oktaserver.Outage{AfterPages: 2, Failures: 2}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oktaserver.Options{})
			_, groups := e.mustGen(100, 1)
			e.srv.InjectOutage(tc.outage)
			c := e.client(func(cfg *testConfig) { cfg.PageSize = 10; cfg.MaxRetries = 3 })
			got, err := collectMembers(t, c, groups[0])
			if !tc.wantErr {
				if err != nil || len(got) != 100 {
					t.Fatalf("got %d members, err %v; want all 100", len(got), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("outage produced a short list of %d members and no error", len(got))
			}
			if !tc.errCheck(err) {
				t.Errorf("unexpected error: %v", err)
			}
			if len(got) >= 100 {
				t.Errorf("got %d members before the error", len(got))
			}
		})
	}
}

// linkServer answers group member pages with a fixed Link header.
func linkServer(t *testing.T, link func(base string) string) *httptest.Server {
	t.Helper()
	var hs *httptest.Server
	hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", link(hs.URL))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@example.com"}}]`)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func TestNextLinkValidation(t *testing.T) {
	tests := []struct {
		name string
		link func(base string) string
		want string
	}{
		{"other host", func(string) string { return `<http://127.0.0.2:1/api/v1/groups/g/users?after=x>; rel="next"` }, "leaves the org URL"},
		{"other scheme", func(b string) string {
			return `<https://` + strings.TrimPrefix(b, "http://") + `/api/v1/groups/g/users?after=x>; rel="next"`
		}, "leaves the org URL"},
		{"loop", func(b string) string { return `<` + b + `/api/v1/groups/g/users?after=same>; rel="next"` }, "loops"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := linkServer(t, tc.link)
			c, err := New(hs.URL, SSWS("t"), Options{Limiters: NewLimiters(LimiterOptions{})})
			if err != nil {
				t.Fatal(err)
			}
			_, err = collect(c.ListGroupMembers(t.Context(), "g"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseLinks(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		next   string
		ok     bool
	}{
		{"next only", []string{`<https://o/x?after=1>; rel="next"`}, "https://o/x?after=1", true},
		{"self and next in one", []string{`<https://o/x>; rel="self", <https://o/x?after=2>; rel="next"`}, "https://o/x?after=2", true},
		{"separate headers", []string{`<https://o/x>; rel="self"`, `<https://o/y>; rel=next`}, "https://o/y", true},
		{"multi rel", []string{`<https://o/z>; rel="prev next"`}, "https://o/z", true},
		{"self only", []string{`<https://o/x>; rel="self"`}, "", false},
		{"garbage", []string{`no link here`, `<unterminated`}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.header {
				h.Add("Link", v)
			}
			got, ok := nextLink(h)
			if got != tc.next || ok != tc.ok {
				t.Fatalf("nextLink = %q, %v; want %q, %v", got, ok, tc.next, tc.ok)
			}
		})
	}
}

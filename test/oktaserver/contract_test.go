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
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The expectations below restate, in our own words, what Okta's published
// Management API spec says about the User, Group and Error objects.

var (
	reTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	reUserID    = regexp.MustCompile(`^00u[0-9A-Za-z]{17}$`)
	reGroupID   = regexp.MustCompile(`^00g[0-9A-Za-z]{17}$`)
	reErrorCode = regexp.MustCompile(`^E\d{7}$`)
	userStatus  = []string{"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"}
	groupTypes  = []string{"OKTA_GROUP", "APP_GROUP", "BUILT_IN"}
)

type contract struct {
	t    *testing.T
	what string
}

func (c contract) fail(field, format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("%s.%s: "+format, append([]any{c.what, field}, args...)...)
}

func (c contract) str(obj map[string]any, field string, re *regexp.Regexp) string {
	c.t.Helper()
	s, ok := obj[field].(string)
	if !ok {
		c.fail(field, "want string, got %T", obj[field])
		return ""
	}
	if re != nil && !re.MatchString(s) {
		c.fail(field, "%q does not match %s", s, re)
	}
	return s
}

func (c contract) timestamp(obj map[string]any, field string, nullable bool) {
	c.t.Helper()
	v, present := obj[field]
	if !present {
		c.fail(field, "missing")
		return
	}
	if v == nil {
		if !nullable {
			c.fail(field, "null but not nullable")
		}
		return
	}
	c.str(obj, field, reTimestamp)
}

func (c contract) object(obj map[string]any, field string) map[string]any {
	c.t.Helper()
	m, ok := obj[field].(map[string]any)
	if !ok {
		c.fail(field, "want object, got %T", obj[field])
	}
	return m
}

func (c contract) href(links map[string]any, rel string) {
	c.t.Helper()
	l, ok := links[rel].(map[string]any)
	if !ok {
		c.fail("_links."+rel, "want link object, got %T", links[rel])
		return
	}
	if h, _ := l["href"].(string); !strings.HasPrefix(h, "http") {
		c.fail("_links."+rel+".href", "want absolute URL, got %q", h)
	}
}

func checkUser(t *testing.T, u map[string]any, single bool) {
	t.Helper()
	c := contract{t, "user"}
	c.str(u, "id", reUserID)
	if s := c.str(u, "status", nil); !slices.Contains(userStatus, s) {
		c.fail("status", "%q not in the UserStatus enum", s)
	}
	c.timestamp(u, "created", false)
	c.timestamp(u, "lastUpdated", false)
	for _, f := range []string{"activated", "statusChanged", "lastLogin", "passwordChanged"} {
		c.timestamp(u, f, true)
	}
	c.str(c.object(u, "type"), "id", nil)
	p := c.object(u, "profile")
	for _, f := range []string{"login", "email", "firstName", "lastName"} {
		c.str(p, f, nil)
	}
	links := c.object(u, "_links")
	c.href(links, "self")
	if !single && len(links) != 1 {
		c.fail("_links", "collections carry only self, got %v", slices.Collect(mapsKeys(links)))
	}
}

func checkGroup(t *testing.T, g map[string]any) {
	t.Helper()
	c := contract{t, "group"}
	c.str(g, "id", reGroupID)
	for _, f := range []string{"created", "lastUpdated", "lastMembershipUpdated"} {
		c.timestamp(g, f, false)
	}
	if s := c.str(g, "type", nil); !slices.Contains(groupTypes, s) {
		c.fail("type", "%q not a known group type", s)
	}
	oc, ok := g["objectClass"].([]any)
	if !ok || len(oc) == 0 {
		c.fail("objectClass", "want non-empty array")
	}
	for _, v := range oc {
		if _, ok := v.(string); !ok {
			c.fail("objectClass", "want strings")
		}
	}
	p := c.object(g, "profile")
	c.str(p, "name", nil)
	c.str(p, "description", nil)
	links := c.object(g, "_links")
	for _, rel := range []string{"self", "users", "apps"} {
		c.href(links, rel)
	}
	if _, ok := links["logo"].([]any); !ok {
		c.fail("_links.logo", "want array")
	}
}

func checkError(t *testing.T, e map[string]any, code string) {
	t.Helper()
	c := contract{t, "error"}
	if got := c.str(e, "errorCode", reErrorCode); got != code {
		c.fail("errorCode", "got %s, want %s", got, code)
	}
	for _, f := range []string{"errorSummary", "errorLink", "errorId"} {
		if c.str(e, f, nil) == "" {
			c.fail(f, "empty")
		}
	}
	causes, ok := e["errorCauses"].([]any)
	if !ok {
		c.fail("errorCauses", "want array, got %T", e["errorCauses"])
	}
	for _, x := range causes {
		if m, ok := x.(map[string]any); !ok || m["errorSummary"] == nil {
			c.fail("errorCauses", "want objects with errorSummary")
		}
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// fetch does an authenticated GET and decodes the JSON body.
func fetch(t *testing.T, hs *httptest.Server, token, path string, wantStatus int, out any) http.Header {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, hs.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if _, err := strconv.ParseInt(resp.Header.Get(h), 10, 64); err != nil && !strings.HasPrefix(path, "/nope") {
			t.Errorf("GET %s: %s = %q", path, h, resp.Header.Get(h))
		}
	}
	if resp.Header.Get("Date") == "" {
		t.Errorf("GET %s: no Date header", path)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.Header
}

func TestContract(t *testing.T) {
	s := New(Options{})
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	users, groups, err := s.Generate(GenOptions{Users: 60, Groups: 3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Cover every status, including nullable timestamps being set.
	for i, st := range userStatus {
		if err := s.SetStatus(users[i], st); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.RecordLogin(users[0])

	t.Run("user", func(t *testing.T) {
		var u map[string]any
		fetch(t, hs, s.APIToken(), "/api/v1/users/"+users[0], 200, &u)
		checkUser(t, u, true)
		if u["lastLogin"] == nil {
			t.Error("lastLogin not rendered")
		}
	})
	t.Run("user list", func(t *testing.T) {
		var list []map[string]any
		h := fetch(t, hs, s.APIToken(), `/api/v1/users?search=lastUpdated+gt+"2000-01-01T00:00:00.000Z"&limit=200`, 200, &list)
		if len(list) != 60 {
			t.Errorf("search returned %d users, want 60 (all statuses)", len(list))
		}
		for _, u := range list {
			checkUser(t, u, false)
		}
		if !strings.Contains(h.Get("Link"), `rel="self"`) {
			t.Error("no self link")
		}
	})
	t.Run("group and members", func(t *testing.T) {
		var g map[string]any
		fetch(t, hs, s.APIToken(), "/api/v1/groups/"+groups[0], 200, &g)
		checkGroup(t, g)
		var list []map[string]any
		fetch(t, hs, s.APIToken(), "/api/v1/groups?limit=10", 200, &list)
		for _, g := range list {
			checkGroup(t, g)
		}
		var members []map[string]any
		fetch(t, hs, s.APIToken(), "/api/v1/groups/"+groups[0]+"/users", 200, &members)
		if len(members) != 60 {
			t.Errorf("All Staff has %d members", len(members))
		}
		for _, u := range members {
			checkUser(t, u, false)
		}
	})
	errorsCases := []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"not found", s.APIToken(), "/api/v1/users/00unope", 404, "E0000007"},
		{"invalid token", "wrong", "/api/v1/users", 401, "E0000011"},
		{"bad limit", s.APIToken(), "/api/v1/users?limit=-1", 400, "E0000001"},
		{"bad search", s.APIToken(), "/api/v1/users?search=lastUpdated+zz+1", 400, "E0000001"},
		{"unknown path", s.APIToken(), "/nope", 404, "E0000007"},
	}
	for _, tc := range errorsCases {
		t.Run("error "+tc.name, func(t *testing.T) {
			var e map[string]any
			fetch(t, hs, tc.token, tc.path, tc.status, &e)
			checkError(t, e, tc.code)
		})
	}
	t.Run("error forbidden", func(t *testing.T) {
		s.SetForbidden(true)
		defer s.SetForbidden(false)
		var e map[string]any
		fetch(t, hs, s.APIToken(), "/api/v1/groups", 403, &e)
		checkError(t, e, "E0000006")
	})
	t.Run("error rate limited", func(t *testing.T) {
		s.Inject429(1)
		var e map[string]any
		h := fetch(t, hs, s.APIToken(), "/api/v1/groups", 429, &e)
		checkError(t, e, "E0000047")
		if h.Get("X-Rate-Limit-Remaining") != "0" {
			t.Errorf("remaining = %s", h.Get("X-Rate-Limit-Remaining"))
		}
	})
}

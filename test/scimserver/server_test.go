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

func TestPagingAndMaxResults(t *testing.T) {
	h := newHarness(t, Options{MaxResults: 10})
	for i := range 25 {
		if _, err := h.srv.AddUser(map[string]any{"userName": fmt.Sprintf("u%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query     string
		n         int
		firstName string
	}{
		{"", 10, "u00"},
		{"?count=50", 10, "u00"},
		{"?startIndex=21&count=10", 5, "u20"},
		{"?startIndex=0&count=3", 3, "u00"},
		{"?startIndex=26", 0, ""},
		{"?count=0", 0, ""},
		{"?filter=" + url.QueryEscape(`userName sw "u1"`) + "&startIndex=3&count=4", 4, "u12"},
	} {
		r := h.mustStatus(h.get("/Users"+tc.query), 200)
		res, _ := r.json["Resources"].([]any)
		if len(res) != tc.n || (tc.n > 0 && at(r.json, "Resources[0].userName") != tc.firstName) {
			t.Errorf("%s: %d resources: %s", tc.query, len(res), r.raw)
		}
		wantTotal := 25.0
		if strings.Contains(tc.query, "filter") {
			wantTotal = 10
		}
		if r.json["totalResults"] != wantTotal {
			t.Errorf("%s: totalResults %v", tc.query, r.json["totalResults"])
		}
	}
	h.mustStatus(h.get("/Users?count=abc"), 400)
}

func TestFilters(t *testing.T) {
	h := newHarness(t, Options{})
	a, _ := h.srv.AddUser(map[string]any{"userName": "Alice@X", "externalId": "e1", "name": map[string]any{"givenName": "Al"}})
	b, _ := h.srv.AddUser(map[string]any{"userName": `b"ob\`, "externalId": "e1"})
	gid, _ := h.srv.AddGroup("Team A", a)
	for _, tc := range []struct {
		path, filter string
		want         []string
	}{
		{"/Users", `userName eq "alice@x"`, []string{a}},
		{"/Users", `userName eq "b\"ob\\"`, []string{b}},
		{"/Users", `externalId eq "e1"`, []string{a, b}},
		{"/Users", `id eq "` + b + `"`, []string{b}},
		{"/Users", `id eq "nope"`, nil},
		{"/Users", `name.givenName eq "Al"`, []string{a}},
		{"/Users", `userName eq "x" or externalId eq "e1"`, []string{a, b}},
		{"/Users", `not (userName eq "alice@x")`, []string{b}},
		{"/Groups", `displayName eq "team a"`, []string{gid}},
		{"/Groups", `members[value eq "` + a + `"]`, []string{gid}},
		{"/Groups", `displayName co "zzz"`, nil},
	} {
		r := h.mustStatus(h.get(tc.path+"?filter="+url.QueryEscape(tc.filter)), 200)
		var got []string
		res, _ := r.json["Resources"].([]any)
		for _, x := range res {
			got = append(got, x.(map[string]any)["id"].(string))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s %s: got %v, want %v", tc.path, tc.filter, got, tc.want)
		}
	}
	h.mustStatus(h.get("/Users?filter="+url.QueryEscape(`nickName eq "x"`)), 400)
}

func TestAttributesProjection(t *testing.T) {
	h := newHarness(t, Options{})
	id, _ := h.srv.AddUser(map[string]any{
		"userName": "p@x", "displayName": "P", "name": map[string]any{"givenName": "G", "familyName": "F"},
		CiscoUserSchemaID: map[string]any{"authName": "a", "nativeObjectId": "n"},
	})
	uid2, _ := h.srv.AddUser(map[string]any{"userName": "q@x"})
	gid, _ := h.srv.AddGroup("G", id, uid2)
	for _, tc := range []struct {
		query string
		keys  string
	}{
		{"attributes=userName", "id meta schemas userName"},
		{"attributes=name.givenName,displayName", "displayName id meta name{givenName} schemas"},
		{"attributes=" + CiscoUserSchemaID + ":authName", "id meta schemas " + CiscoUserSchemaID + "{authName}"},
		{"attributes=" + CiscoUserSchemaID, "id meta schemas " + CiscoUserSchemaID + "{authName nativeObjectId}"},
		{"excludedAttributes=name,displayName", "id meta schemas " + CiscoUserSchemaID + "{authName nativeObjectId} userName"},
		{"excludedAttributes=name.familyName," + CiscoUserSchemaID, "displayName id meta name{givenName} schemas userName"},
		{"excludedAttributes=" + CiscoUserSchemaID + ":nativeObjectId", "displayName id meta name{familyName givenName} schemas " + CiscoUserSchemaID + "{authName} userName"},
		{"attributes=urn:unknown:schema:x", "id meta schemas"},
	} {
		r := h.mustStatus(h.get("/Users/"+id+"?"+tc.query), 200)
		if got := shape(r.json); got != tc.keys {
			t.Errorf("%s:\n got %s\nwant %s", tc.query, got, tc.keys)
		}
	}
	r := h.mustStatus(h.get("/Groups/"+gid+"?excludedAttributes=members"), 200)
	if _, ok := r.json["members"]; ok || r.json["displayName"] != "G" {
		t.Fatalf("%s", r.raw)
	}
	r = h.mustStatus(h.get("/Groups?attributes=members"), 200)
	if m, _ := at(r.json, "Resources[0].members").([]any); len(m) != 2 || at(r.json, "Resources[0].displayName") != nil {
		t.Fatalf("%s", r.raw)
	}
}

// shape lists a resource's keys, one level into objects, sorted.
func shape(m map[string]any) string {
	var parts []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok && k != "meta" {
			var ks []string
			for sk := range sub {
				ks = append(ks, sk)
			}
			sortStrings(ks)
			k += "{" + strings.Join(ks, " ") + "}"
		}
		parts = append(parts, k)
	}
	sortStrings(parts)
	return strings.Join(parts, " ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestReplaceAndDelete(t *testing.T) {
	h := newHarness(t, Options{})
	a, _ := h.srv.AddUser(map[string]any{"userName": "a", "externalId": "x1"})
	if _, err := h.srv.AddUser(map[string]any{"userName": "b"}); err != nil {
		t.Fatal(err)
	}
	put := func(id, name string) response {
		return h.do("PUT", "/Users/"+id, "-", fmt.Sprintf(`{"schemas":["%s"],"userName":%q,"externalId":"x2"}`, UserSchemaID, name))
	}
	h.mustStatus(put(a, "B"), 409)
	r := h.mustStatus(put(a, "a2"), 200)
	if r.json["userName"] != "a2" || r.json["externalId"] != "x2" {
		t.Fatalf("%s", r.raw)
	}
	if got := h.get("/Users?filter=" + url.QueryEscape(`externalId eq "x1"`)); got.json["totalResults"] != 0.0 {
		t.Fatalf("stale externalId index: %s", got.raw)
	}
	h.mustStatus(put("missing", "z"), 404)

	u1, _ := h.srv.AddUser(map[string]any{"userName": "m"})
	gid, _ := h.srv.AddGroup("G")
	r = h.mustStatus(h.do("PUT", "/Groups/"+gid, "-", fmt.Sprintf(`{"schemas":["%s"],"displayName":"G2","members":[{"value":%q}]}`, GroupSchemaID, u1)), 200)
	if m, _ := h.srv.GroupMembers(gid); len(m) != 1 || r.json["displayName"] != "G2" {
		t.Fatalf("%s", r.raw)
	}
	h.mustStatus(h.do("DELETE", "/Groups/"+gid, "-", nil), 204)
	h.mustStatus(h.do("DELETE", "/Groups/"+gid, "-", nil), 404)
	h.mustStatus(h.do("PATCH", "/Groups/"+gid, "-", patchBody(`{"op":"remove","path":"members"}`)), 404)
	h.mustStatus(h.do("DELETE", "/Users/"+a, "-", nil), 204)
	if h.srv.UserCount() != 2 {
		t.Fatalf("%d users", h.srv.UserCount())
	}
	if _, err := h.srv.AddUser(map[string]any{"userName": "a2"}); err != nil {
		t.Fatalf("userName of a deleted user is still taken: %v", err)
	}
}

func TestGroupCap(t *testing.T) {
	post := func(h *harness, name string) response {
		return h.do("POST", "/Groups", "-", fmt.Sprintf(`{"schemas":["%s"],"displayName":%q}`, GroupSchemaID, name))
	}
	t.Run("drop like Cisco", func(t *testing.T) {
		h := newHarness(t, Options{MaxGroups: 2})
		h.mustStatus(post(h, "a"), 201)
		h.mustStatus(post(h, "b"), 201)
		r := h.mustStatus(post(h, "c"), 201)
		id, _ := r.json["id"].(string)
		h.mustStatus(h.get("/Groups/"+id), 404)
		if h.srv.GroupCount() != 2 || h.srv.DroppedGroups() != 1 {
			t.Fatalf("%d groups, %d dropped", h.srv.GroupCount(), h.srv.DroppedGroups())
		}
	})
	t.Run("reject", func(t *testing.T) {
		h := newHarness(t, Options{MaxGroups: 1, RejectOverCap: true})
		h.mustStatus(post(h, "a"), 201)
		h.mustStatus(post(h, "b"), 400)
		h.mustStatus(post(h, "A"), 409)
	})
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{})
	for _, auth := range []string{"", "non-token", "Bearer wrong", "Basic " + token, "bearer " + token} {
		r := h.do("GET", "/Users", auth, nil)
		if r.status != 401 || r.json["status"] != "401" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: %d %s", auth, r.status, r.raw)
		}
	}
	if n := h.srv.Count("GET", "/Users"); n != 5 {
		t.Fatalf("counted %d", n)
	}
	h.mustStatus(h.get("/Users"), 200)
	h.mustStatus(h.get("/ServiceProviderConfig"), 200)
	if _, err := New(Options{}); err == nil {
		t.Fatal("server without token")
	}
	// Outside the base path.
	resp, err := h.ts.Client().Get(h.ts.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated /other: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/scim/v2x/Users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, _ = h.ts.Client().Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("path outside base: %d", resp.StatusCode)
	}
}

func TestFaults(t *testing.T) {
	t.Run("status with Retry-After, limited times, matched by route", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultStatus, Status: 429, RetryAfter: "3", Method: "GET", Path: "/Users", Times: 2})
		h.mustStatus(h.get("/Groups"), 200)
		for range 2 {
			r := h.mustStatus(h.get("/Users"), 429)
			if r.header.Get("Retry-After") != "3" || r.json["status"] != "429" {
				t.Fatalf("%v %s", r.header, r.raw)
			}
		}
		h.mustStatus(h.get("/Users"), 200)
		if h.srv.Count("GET", "/Users") != 3 || h.srv.Count("GET", "/Groups") != 1 || h.srv.TotalRequests() != 4 {
			t.Fatalf("counts %v", h.srv.Requests())
		}
	})
	t.Run("without Retry-After and until cleared", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultStatus})
		for range 3 {
			if r := h.mustStatus(h.get("/Users"), 503); r.header.Get("Retry-After") != "" {
				t.Fatal("unexpected Retry-After")
			}
		}
		h.srv.ClearFaults()
		h.mustStatus(h.get("/Users"), 200)
	})
	t.Run("html body", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultStatus, Status: 502, Body: "<html>bad gateway</html>", Times: 1})
		r := h.mustStatus(h.get("/Users"), 502)
		if string(r.raw) != "<html>bad gateway</html>" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultMalformed, Times: 1})
		r := h.mustStatus(h.get("/Users"), 200)
		if r.json != nil {
			t.Fatalf("body parsed: %s", r.raw)
		}
	})
	t.Run("reset", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultReset, Times: 1})
		req, _ := http.NewRequest(http.MethodGet, h.base+"/Users", nil)
		resp, err := h.ts.Client().Do(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("after handler", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultStatus, Status: 504, AfterHandler: true, Times: 1})
		h.mustStatus(h.do("POST", "/Users", "-", fmt.Sprintf(`{"schemas":["%s"],"userName":"x"}`, UserSchemaID)), 504)
		if h.srv.UserCount() != 1 {
			t.Fatal("request did not take effect")
		}
	})
	t.Run("latency", func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.AddFault(Fault{Kind: FaultLatency, Latency: time.Millisecond, Times: 1})
		h.srv.SetLatency(time.Millisecond)
		h.mustStatus(h.get("/Users"), 200)
		h.srv.SetLatency(0)
	})
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{})
	gid, _ := h.srv.AddGroup("G")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			r := h.do("POST", "/Users", "-", fmt.Sprintf(`{"schemas":["%s"],"userName":"u%d"}`, UserSchemaID, i%20))
			if r.status != 201 && r.status != 409 {
				t.Errorf("create: %d %s", r.status, r.raw)
				return
			}
			if r.status == 201 {
				id := r.json["id"].(string)
				h.mustStatus(h.do("PATCH", "/Groups/"+gid, "-", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, id))), 204)
			}
			h.get("/Users?count=5")
			h.get("/Groups/" + gid)
		})
	}
	wg.Wait()
	m, _ := h.srv.GroupMembers(gid)
	if h.srv.UserCount() != 20 || len(m) != 20 || h.srv.Count("POST", "/Users") != 40 {
		t.Fatalf("%d users, %d members, %v", h.srv.UserCount(), len(m), h.srv.Requests())
	}
}

func TestListenAndControl(t *testing.T) {
	srv, _ := New(Options{Token: token, BasePath: "identity/v2/scim/"})
	for _, addr := range []string{"0.0.0.0:0", ":0", "localhost:0", "bad"} {
		if _, err := srv.Listen(addr); err == nil {
			t.Fatalf("Listen(%q) accepted", addr)
		}
	}
	if srv.URL() != "" {
		t.Fatal("URL before Listen")
	}
	base, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if !strings.HasSuffix(base, "/identity/v2/scim") || srv.URL() != base {
		t.Fatalf("base %s", base)
	}
	host, _, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(base, "/identity/v2/scim"), "http://"))
	if host != "127.0.0.1" {
		t.Fatalf("host %s", host)
	}
	root := strings.TrimSuffix(base, "/identity/v2/scim")
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, root+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := call("GET", "/identity/v2/scim/Users", ""); st != 200 {
		t.Fatalf("users %d", st)
	}
	if st, body := call("GET", "/_control/requests", ""); st != 200 || !strings.Contains(body, `"path":"/Users","count":1`) {
		t.Fatalf("%d %s", st, body)
	}
	if st, _ := call("POST", "/_control/faults", `{"kind":"status","status":418,"times":1}`); st != 204 {
		t.Fatal(st)
	}
	if st, _ := call("GET", "/identity/v2/scim/Users", ""); st != 418 {
		t.Fatalf("fault not applied: %d", st)
	}
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/_control/faults", `{"kind":"latency","latency":"1ms"}`, 204},
		{"POST", "/_control/faults", `{"kind":"latency","latency":1000}`, 204},
		{"POST", "/_control/faults", `{"kind":"latency","latency":"soon"}`, 400},
		{"POST", "/_control/faults", `nope`, 400},
		{"DELETE", "/_control/faults", ``, 204},
		{"PUT", "/_control/latency?d=0s", ``, 204},
		{"PUT", "/_control/latency?d=x", ``, 400},
		{"DELETE", "/_control/requests", ``, 204},
		{"GET", "/_control/stats", ``, 200},
		{"GET", "/_control/nothing", ``, 404},
	} {
		if st, body := call(c.method, c.path, c.body); st != c.want {
			t.Errorf("%s %s: %d %s", c.method, c.path, st, body)
		}
	}
	if srv.TotalRequests() != 0 {
		t.Fatalf("control requests were counted: %v", srv.Requests())
	}
	req, _ := http.NewRequest(http.MethodGet, root+"/_control/stats", nil)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("control without token: %d", resp.StatusCode)
	}
}

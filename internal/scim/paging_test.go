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
	"strconv"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestListUsersManyPages(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		maxResults, pageSize int
		wantPages            int
	}{
		{"server caps count below the page size", 7, 10, 37},
		{"exact pages", 10, 10, 26},
		{"one big page", 500, 500, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			co := fastOptions()
			co.PageSize = tc.pageSize
			e := newEnv(t, scimserver.Options{MaxResults: tc.maxResults}, co)
			ids := seedUsers(t, e.srv, 257)
			seen := map[string]bool{}
			for u, err := range e.client.ListUsers(ctxT(t), ListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				if seen[u.ID] {
					t.Fatalf("duplicate %s", u.ID)
				}
				seen[u.ID] = true
			}
			if len(seen) != len(ids) {
				t.Fatalf("listed %d of %d", len(seen), len(ids))
			}
			if n := e.srv.Count("GET", "/Users"); n != tc.wantPages {
				t.Fatalf("%d page requests, want %d", n, tc.wantPages)
			}
		})
	}
}

func TestListStopsEarly(t *testing.T) {
	e := newFastEnv(t)
	seedUsers(t, e.srv, 250)
	n := 0
	for _, err := range e.client.ListUsers(ctxT(t), ListOptions{PageSize: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 60 {
			break
		}
	}
	if got := e.srv.Count("GET", "/Users"); got != 2 {
		t.Fatalf("%d pages fetched for 60 users", got)
	}
}

// pagedHandler serves total users named u<i>, honouring startIndex and
// optionally count, with optional totalResults.
func pagedHandler(total int, honourCount, sendTotal, honourStart bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		if !honourStart {
			start = 1
		}
		end := total
		if honourCount {
			end = min(start-1+count, total)
		}
		var res []string
		for i := start; i <= end; i++ {
			res = append(res, fmt.Sprintf(`{"id":"u%d","userName":"u%d"}`, i, i))
		}
		w.Header().Set("Content-Type", "application/json")
		tot := ""
		if sendTotal {
			tot = fmt.Sprintf(`"totalResults":%d,`, total)
		}
		fmt.Fprintf(w, `{"schemas":["%s"],%s"resources":[%s]}`, SchemaListResponse, tot, strings.Join(res, ","))
	}
}

func TestListToleratesServers(t *testing.T) {
	for _, tc := range []struct {
		name                                string
		honourCount, sendTotal, honourStart bool
		wantRequests                        int
		wantErr                             error
	}{
		{"ignores count", false, true, true, 1, nil},
		{"no totalResults", true, false, true, 4, nil},
		{"ignores startIndex", true, true, false, 2, ErrInvalidResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			h := pagedHandler(25, tc.honourCount, tc.sendTotal, tc.honourStart)
			c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) { calls++; h(w, r) }, Options{PageSize: 10, RPS: -1})
			n := 0
			var gotErr error
			for _, err := range c.ListUsers(ctxT(t), ListOptions{}) {
				if err != nil {
					gotErr = err
					break
				}
				n++
			}
			if tc.wantErr != nil {
				if !errors.Is(gotErr, tc.wantErr) {
					t.Fatalf("err = %v", gotErr)
				}
			} else if gotErr != nil || n != 25 {
				t.Fatalf("listed %d, err %v", n, gotErr)
			}
			if calls != tc.wantRequests {
				t.Fatalf("%d requests, want %d", calls, tc.wantRequests)
			}
		})
	}
}

func TestListPageSizeCap(t *testing.T) {
	co := fastOptions()
	co.MaxListBytes = 2 << 10
	e := newEnv(t, scimserver.Options{}, co)
	seedUsers(t, e.srv, 100)
	for _, err := range e.client.ListUsers(ctxT(t), ListOptions{}) {
		if !errors.Is(err, httpx.ErrBodyTooLarge) || !errors.Is(err, ErrInvalidResponse) {
			t.Fatalf("err = %v", err)
		}
		return
	}
	t.Fatal("no error for an oversized page")
}

func TestListError(t *testing.T) {
	e := newEnv(t, scimserver.Options{}, fastOptions())
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Status: 403})
	for _, err := range e.client.ListGroups(ctxT(t), ListOptions{}) {
		if !errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v", err)
		}
		return
	}
	t.Fatal("no error")
}

func TestListCutShortIsIncomplete(t *testing.T) {
	co := fastOptions()
	co.PageSize = 10
	e := newEnv(t, scimserver.Options{}, co)
	seedUsers(t, e.srv, 25)
	// The second page comes back empty although 25 users exist.
	e.srv.AddFault(scimserver.Fault{Kind: scimserver.FaultTruncatedPage, Method: "GET", Path: "/Users", Times: 1})
	var seen int
	var last error
	for _, err := range e.client.ListUsers(ctxT(t), ListOptions{}) {
		if err != nil {
			last = err
			break
		}
		seen++
	}
	if !errors.Is(last, ErrIncomplete) {
		t.Fatalf("listed %d users, err = %v; want ErrIncomplete", seen, last)
	}
}

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
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
)

// Route is a request class: method plus endpoint ("/Users/{id}").
type Route struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

type counter struct {
	mu sync.Mutex
	m  map[Route]int
}

func (c *counter) add(method, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[Route]int{}
	}
	c.m[Route{method, path}]++
}

// Requests returns how many requests arrived per route, faulted and
// unauthorised ones included.
func (s *Server) Requests() map[Route]int {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	out := make(map[Route]int, len(s.counts.m))
	for k, v := range s.counts.m {
		out[k] = v
	}
	return out
}

// Count returns the requests seen for method and route, e.g. ("PATCH", "/Groups/{id}").
func (s *Server) Count(method, route string) int {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	return s.counts.m[Route{method, route}]
}

// TotalRequests returns the number of requests seen.
func (s *Server) TotalRequests() int {
	n := 0
	for _, v := range s.Requests() {
		n += v
	}
	return n
}

// ResetCounts zeroes the request counts.
func (s *Server) ResetCounts() {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	s.counts.m = nil
}

// AddUser stores a user directly, bypassing HTTP (seeding for tests and
// benchmarks). attrs uses SCIM attribute names; userName is required and
// unique.
func (s *Server) AddUser(attrs map[string]any) (string, error) {
	res, err := s.users.Create(nil, scim.ResourceAttributes(copyAttrs(attrs)))
	return res.ID, err
}

// AddGroup stores a group with the given member ids, bypassing HTTP.
func (s *Server) AddGroup(displayName string, memberIDs ...string) (string, error) {
	ms := make([]any, len(memberIDs))
	for i, id := range memberIDs {
		ms[i] = map[string]any{"value": id}
	}
	res, err := s.groups.Create(nil, scim.ResourceAttributes{"displayName": displayName, "members": ms})
	return res.ID, err
}

// SetUserAttributes changes a stored user directly, bypassing HTTP: drift
// made by hand in the target.
func (s *Server) SetUserAttributes(id string, attrs map[string]any) error {
	cur, ok := s.User(id)
	if !ok {
		return fmt.Errorf("scimserver: no user %q", id)
	}
	for k, v := range attrs {
		cur[k] = v
	}
	_, err := s.users.Replace(nil, id, scim.ResourceAttributes(cur))
	return err
}

// User returns a copy of a stored user's attributes.
func (s *Server) User(id string) (map[string]any, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	rec, ok := s.store.users.byID[id]
	if !ok {
		return nil, false
	}
	return copyAttrs(rec.attrs), true
}

// UserIDByName finds a user id by userName, case-insensitively.
func (s *Server) UserIDByName(userName string) (string, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	id, ok := s.store.users.byKey[strings.ToLower(userName)]
	return id, ok
}

// GroupIDByName finds a group id by displayName, case-insensitively.
func (s *Server) GroupIDByName(displayName string) (string, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	id, ok := s.store.groups.byKey[strings.ToLower(displayName)]
	return id, ok
}

// GroupMembers returns a group's member ids, sorted.
func (s *Server) GroupMembers(id string) ([]string, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	rec, ok := s.store.groups.byID[id]
	if !ok {
		return nil, false
	}
	out := make([]string, len(rec.members))
	for i, m := range rec.members {
		out[i] = m.Value
	}
	slices.Sort(out)
	return out, true
}

// UserCount and GroupCount report the store's size.
func (s *Server) UserCount() int {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return len(s.store.users.order)
}

// GroupCount reports the number of stored groups.
func (s *Server) GroupCount() int {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return len(s.store.groups.order)
}

// controlPrefix is outside any SCIM base path; it needs the same token.
const controlPrefix = "/_control/"

// control serves the run-time knobs for the standalone process:
//
//	GET    /_control/requests  request counts
//	DELETE /_control/requests  reset counts
//	POST   /_control/faults    add a Fault (JSON; latency may be "250ms")
//	DELETE /_control/faults    clear faults
//	PUT    /_control/latency?d=250ms
//	GET    /_control/stats     users, groups, dropped groups, 429s, Bulk operations
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch strings.TrimPrefix(r.URL.Path, controlPrefix) + " " + r.Method {
	case "requests GET":
		type row struct {
			Route
			Count int `json:"count"`
		}
		var rows []row
		for k, v := range s.Requests() {
			rows = append(rows, row{k, v})
		}
		slices.SortFunc(rows, func(a, b row) int {
			return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
		})
		writeJSON(rows)
	case "requests DELETE":
		s.ResetCounts()
		w.WriteHeader(http.StatusNoContent)
	case "faults POST":
		var f Fault
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&f); err != nil {
			writeError(w, http.StatusBadRequest, "invalidSyntax", err.Error())
			return
		}
		s.AddFault(f)
		w.WriteHeader(http.StatusNoContent)
	case "faults DELETE":
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case "latency PUT":
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalidValue", err.Error())
			return
		}
		s.SetLatency(d)
		w.WriteHeader(http.StatusNoContent)
	case "stats GET":
		writeJSON(map[string]any{"users": s.UserCount(), "groups": s.GroupCount(), "droppedGroups": s.DroppedGroups(),
			"throttled": s.Throttled(), "bulkOperations": s.BulkOperations()})
	default:
		writeError(w, http.StatusNotFound, "", "unknown control endpoint")
	}
}

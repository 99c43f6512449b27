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
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// baseURL is the origin the client used, so links work behind any loopback port.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pageParams reads limit (clamped to [1,max], as Okta does) and the opaque after cursor.
func pageParams(w http.ResponseWriter, r *http.Request, def, maxLimit int) (limit int, after string, ok bool) {
	limit = def
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: limit", "limit: must be a positive integer")
			return 0, "", false
		}
		limit = min(n, maxLimit)
	}
	if v := r.URL.Query().Get("after"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: after", "after: invalid cursor")
			return 0, "", false
		}
		after = string(raw)
	}
	return limit, after, true
}

// page selects up to limit ids after the cursor from ids (sorted) that pass
// keep, and sets Link headers: self always, next when more remain.
func page(w http.ResponseWriter, r *http.Request, ids []string, after string, limit int, keep func(string) bool) []string {
	start := 0
	if after != "" {
		// Cursor is the last id served; ids are sorted, so binary search.
		lo, hi := 0, len(ids)
		for lo < hi {
			m := (lo + hi) / 2
			if ids[m] <= after {
				lo = m + 1
			} else {
				hi = m
			}
		}
		start = lo
	}
	var out []string
	more := false
	for _, id := range ids[start:] {
		if !keep(id) {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, id)
	}
	self := *r.URL
	w.Header().Add("Link", "<"+baseURL(r)+self.RequestURI()+`>; rel="self"`)
	if more {
		q := r.URL.Query()
		q.Set("after", base64.RawURLEncoding.EncodeToString([]byte(out[len(out)-1])))
		q.Set("limit", strconv.Itoa(limit))
		next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		w.Header().Add("Link", "<"+baseURL(r)+next.RequestURI()+`>; rel="next"`)
	}
	return out
}

// queryExpr parses the search or filter parameter, answering 400 on errors.
func queryExpr(w http.ResponseWriter, r *http.Request) (expr, bool, bool) {
	q := r.URL.Query()
	raw := q.Get("search")
	if raw == "" {
		raw = q.Get("filter")
	}
	if raw == "" {
		return nil, false, true
	}
	e, err := parseExpr(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: search", "search: "+err.Error())
		return nil, false, false
	}
	return e, true, true
}

// listSpec describes one collection endpoint for serveList.
type listSpec[T any] struct {
	def, max int
	ids      func() []string // sorted ids; called with s.mu held
	// plain filters when neither search nor filter is given.
	plain func(id string) bool
	// q matches the q parameter (a prefix search); nil means q is ignored.
	q      func(id, word string) bool
	lookup func(id string) lookup
	render func(id, base string) T
}

// serveList answers a paged collection request: limit/after, search or
// filter, Link headers and the JSON array.
func serveList[T any](s *Server, w http.ResponseWriter, r *http.Request, spec listSpec[T]) {
	limit, after, ok := pageParams(w, r, spec.def, spec.max)
	if !ok {
		return
	}
	var e expr
	has := false
	if spec.lookup != nil {
		if e, has, ok = queryExpr(w, r); !ok {
			return
		}
	}
	word := strings.ToLower(r.URL.Query().Get("q"))
	s.mu.Lock()
	var ferr error
	ids := page(w, r, spec.ids(), after, limit, func(id string) bool {
		switch {
		case word != "" && spec.q != nil:
			return spec.q(id, word)
		case !has:
			return spec.plain == nil || spec.plain(id)
		}
		m, err := e.match(spec.lookup(id))
		if err != nil {
			ferr = err
		}
		return m
	})
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, spec.render(id, baseURL(r)))
	}
	s.mu.Unlock()
	if ferr != nil {
		w.Header().Del("Link")
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: search", "search: "+ferr.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, listSpec[userJSON]{
		def: 200, max: 200, ids: s.sortedUsers,
		// Plain listing omits DEPROVISIONED users, as Okta does.
		plain: func(id string) bool { return s.users[id].status != Deprovisioned },
		q: func(id, word string) bool {
			p := s.users[id].profile
			return hasPrefixFold(p["firstName"], word) || hasPrefixFold(p["lastName"], word) || hasPrefixFold(p["email"], word)
		},
		lookup: func(id string) lookup { return s.users[id].lookup },
		render: func(id, base string) userJSON { return renderUser(s.users[id], base, false) },
	})
}

func hasPrefixFold(v any, word string) bool {
	str, _ := v.(string)
	return strings.HasPrefix(strings.ToLower(str), word)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, listSpec[groupJSON]{
		def: 10000, max: 10000, ids: s.sortedGroups,
		q:      func(id, word string) bool { return hasPrefixFold(s.groups[id].name, word) },
		lookup: func(id string) lookup { return s.groups[id].lookup },
		render: func(id, base string) groupJSON { return renderGroup(s.groups[id], base) },
	})
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	gid := r.PathValue("id")
	s.mu.Lock()
	_, found := s.groups[gid]
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+gid+" (UserGroup)")
		return
	}
	serveList(s, w, r, listSpec[userJSON]{
		def: 1000, max: 1000,
		ids: func() []string {
			// Looked up again under the lock: the group may have been deleted meanwhile.
			if g, ok := s.groups[gid]; ok {
				return g.memberIDs()
			}
			return nil
		},
		render: func(id, base string) userJSON { return renderUser(s.users[id], base, false) },
	})
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+r.PathValue("id")+" (User)")
		return
	}
	writeJSON(w, http.StatusOK, renderUser(u, baseURL(r), true))
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+r.PathValue("id")+" (UserGroup)")
		return
	}
	writeJSON(w, http.StatusOK, renderGroup(g, baseURL(r)))
}

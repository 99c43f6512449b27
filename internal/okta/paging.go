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
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"
)

// nextLink returns the rel="next" target of the response's Link headers.
func nextLink(h http.Header) (string, bool) {
	for _, v := range h.Values("Link") {
		for _, l := range parseLinks(v) {
			for _, rel := range strings.Fields(l.rel) {
				if strings.EqualFold(rel, "next") {
					return l.target, true
				}
			}
		}
	}
	return "", false
}

type link struct{ target, rel string }

// parseLinks parses an RFC 8288 Link header value: <uri>; param=value, ...
func parseLinks(v string) []link {
	var out []link
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return out
		}
		l := link{target: v[start+1 : start+end]}
		v = v[start+end+1:]
		// Params run to the next link, i.e. the next comma followed by '<'.
		params := v
		if i := strings.Index(v, "<"); i >= 0 {
			params, v = v[:i], v[i:]
		} else {
			v = ""
		}
		for p := range strings.SplitSeq(params, ";") {
			name, val, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "rel") {
				l.rel = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
		out = append(out, l)
	}
}

// paginate streams T from r, following rel="next" links. Each page is decoded
// whole (bounded by the page size and body cap) and its concurrency slot
// released before items are yielded, so a slow consumer never holds one.
// onPage, if set, sees every page's response headers.
func paginate[T any](ctx context.Context, c *Client, r request, onPage func(http.Header)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{}
		for {
			var page []T
			header, err := c.get(ctx, r, &page)
			if err != nil {
				yield(zero, err)
				return
			}
			if onPage != nil {
				onPage(header)
			}
			for _, item := range page {
				if !yield(item, nil) {
					return
				}
			}
			next, ok := nextLink(header)
			if !ok {
				return
			}
			u, err := r.url.Parse(next)
			if err != nil {
				yield(zero, fmt.Errorf("okta %s: bad next link: %w", r.kind, err))
				return
			}
			if !c.sameOrigin(u) {
				yield(zero, fmt.Errorf("okta %s: %w: %s://%s", r.kind, ErrForeignLink, u.Scheme, u.Host))
				return
			}
			if seen[u.String()] {
				yield(zero, fmt.Errorf("okta %s: pagination loops back to an earlier page", r.kind))
				return
			}
			seen[u.String()] = true
			r.url = u
		}
	}
}

// collect drains a sequence into a slice, stopping at the first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

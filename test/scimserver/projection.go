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
	"net/http"
	"strings"
)

// attrRef is one entry of attributes/excludedAttributes: an extension URN
// ("" for core), an attribute name ("" for the whole extension) and an
// optional sub-attribute.
type attrRef struct{ ext, name, sub string }

// projection applies RFC 7644 §3.4.2.5 attributes / excludedAttributes,
// which the library leaves to the handler. id, schemas and meta are added
// by the library afterwards and so are always returned.
type projection struct {
	include, exclude []attrRef
	// selecting is set when attributes= was given, even if nothing in it
	// names a known attribute.
	selecting bool
}

func newProjection(r *http.Request, s schemaSet) projection {
	parse := func(v string) []attrRef {
		var out []attrRef
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			uri, name, sub := s.splitAttr(f)
			ext, _ := s.extension(uri)
			if uri != "" && ext == "" && !strings.EqualFold(uri, s.core.ID) {
				continue // unknown schema: nothing to select
			}
			out = append(out, attrRef{ext, name, sub})
		}
		return out
	}
	if r == nil {
		return projection{}
	}
	q := r.URL.Query()
	sel := strings.TrimSpace(q.Get("attributes"))
	return projection{include: parse(sel), exclude: parse(q.Get("excludedAttributes")), selecting: sel != ""}
}

// wants reports whether the core attribute name appears in the response.
func (p projection) wants(name string) bool {
	if p.selecting {
		for _, a := range p.include {
			if a.ext == "" && strings.EqualFold(a.name, name) {
				return true
			}
		}
		return false
	}
	for _, a := range p.exclude {
		if a.ext == "" && a.sub == "" && strings.EqualFold(a.name, name) {
			return false
		}
	}
	return true
}

func findKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// container returns the object an attrRef addresses inside attrs.
func container(attrs map[string]any, a attrRef) map[string]any {
	if a.ext == "" {
		return attrs
	}
	m, _ := attrs[a.ext].(map[string]any)
	return m
}

func (p projection) apply(attrs map[string]any) map[string]any {
	if p.selecting {
		out := map[string]any{}
		for _, a := range p.include {
			src := container(attrs, a)
			if src == nil {
				continue
			}
			if a.name == "" {
				out[a.ext] = src
				continue
			}
			dst := out
			if a.ext != "" {
				d, _ := out[a.ext].(map[string]any)
				if d == nil {
					d = map[string]any{}
					out[a.ext] = d
				}
				dst = d
			}
			k, ok := findKey(src, a.name)
			if !ok {
				continue
			}
			if sm, isMap := src[k].(map[string]any); isMap && a.sub != "" {
				sk, ok := findKey(sm, a.sub)
				if !ok {
					continue
				}
				d, _ := dst[k].(map[string]any)
				if d == nil {
					d = map[string]any{}
					dst[k] = d
				}
				d[sk] = sm[sk]
				continue
			}
			dst[k] = src[k]
		}
		return out
	}
	for _, a := range p.exclude {
		src := container(attrs, a)
		if src == nil {
			continue
		}
		if a.name == "" {
			delete(attrs, a.ext)
			continue
		}
		k, ok := findKey(src, a.name)
		if !ok {
			continue
		}
		if sm, isMap := src[k].(map[string]any); isMap && a.sub != "" {
			if sk, ok := findKey(sm, a.sub); ok {
				delete(sm, sk)
			}
			continue
		}
		delete(src, k)
	}
	return attrs
}

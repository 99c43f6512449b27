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
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// record is one stored resource. attrs holds canonical attribute names; for
// users it is the whole resource, for groups everything except members,
// which live in an indexed list so single-member changes are O(1).
type record struct {
	id       string
	attrs    map[string]any
	created  time.Time
	modified time.Time
	version  int

	members   []member
	memberIdx map[string]int // member value → index in members
}

type member struct {
	Value, Display, Type, Ref string
}

func (m member) toMap() map[string]any {
	out := map[string]any{"value": m.Value}
	if m.Display != "" {
		out["display"] = m.Display
	}
	if m.Type != "" {
		out["type"] = m.Type
	}
	if m.Ref != "" {
		out["$ref"] = m.Ref
	}
	return out
}

func memberFromMap(v any) (member, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return member{}, false
	}
	s := func(k string) string { x, _ := m[k].(string); return x }
	mb := member{Value: s("value"), Display: s("display"), Type: s("type"), Ref: s("$ref")}
	return mb, mb.Value != ""
}

// addMember appends m unless a member with its value is present.
func (r *record) addMember(m member) {
	if _, ok := r.memberIdx[m.Value]; ok {
		return
	}
	r.memberIdx[m.Value] = len(r.members)
	r.members = append(r.members, m)
}

// removeMember swaps the last member into the hole: order carries no meaning
// in SCIM and this keeps removal O(1).
func (r *record) removeMember(value string) {
	i, ok := r.memberIdx[value]
	if !ok {
		return
	}
	last := len(r.members) - 1
	r.members[i] = r.members[last]
	r.memberIdx[r.members[i].Value] = i
	r.members = r.members[:last]
	delete(r.memberIdx, value)
}

func (r *record) setMembers(ms []member) {
	r.members, r.memberIdx = nil, make(map[string]int, len(ms))
	for _, m := range ms {
		r.addMember(m)
	}
}

func (r *record) memberMaps() []any {
	out := make([]any, len(r.members))
	for i, m := range r.members {
		out[i] = m.toMap()
	}
	return out
}

// table is an insertion-ordered set of records with a unique
// case-insensitive key (userName or displayName) and an externalId index.
type table struct {
	keyAttr string
	byID    map[string]*record
	order   []string
	pos     map[string]int // id → index in order
	byKey   map[string]string
	byExt   map[string]map[string]struct{}
}

func newTable(keyAttr string) *table {
	return &table{
		keyAttr: keyAttr,
		byID:    map[string]*record{},
		pos:     map[string]int{},
		byKey:   map[string]string{},
		byExt:   map[string]map[string]struct{}{},
	}
}

func strAttr(attrs map[string]any, k string) string { s, _ := attrs[k].(string); return s }

func (t *table) key(r *record) string { return strings.ToLower(strAttr(r.attrs, t.keyAttr)) }

// keyTaken reports whether key belongs to a record other than id.
func (t *table) keyTaken(key, id string) bool {
	owner, ok := t.byKey[strings.ToLower(key)]
	return ok && owner != id
}

func (t *table) insert(r *record) {
	t.byID[r.id] = r
	t.pos[r.id] = len(t.order)
	t.order = append(t.order, r.id)
	t.index(r)
}

func (t *table) index(r *record) {
	t.byKey[t.key(r)] = r.id
	if ext := strAttr(r.attrs, "externalId"); ext != "" {
		if t.byExt[ext] == nil {
			t.byExt[ext] = map[string]struct{}{}
		}
		t.byExt[ext][r.id] = struct{}{}
	}
}

func (t *table) unindex(r *record) {
	if t.byKey[t.key(r)] == r.id {
		delete(t.byKey, t.key(r))
	}
	if ext := strAttr(r.attrs, "externalId"); ext != "" {
		delete(t.byExt[ext], r.id)
		if len(t.byExt[ext]) == 0 {
			delete(t.byExt, ext)
		}
	}
}

// update swaps a record's attributes, keeping indexes right.
func (t *table) update(r *record, attrs map[string]any, now time.Time) {
	t.unindex(r)
	r.attrs = attrs
	r.modified = now
	r.version++
	t.index(r)
}

// remove deletes a record; O(n) in the order slice, which only matters for
// deletes, and users are never deleted by the operator.
func (t *table) remove(id string) {
	r, ok := t.byID[id]
	if !ok {
		return
	}
	t.unindex(r)
	delete(t.byID, id)
	i := t.pos[id]
	t.order = slices.Delete(t.order, i, i+1)
	delete(t.pos, id)
	for j := i; j < len(t.order); j++ {
		t.pos[t.order[j]] = j
	}
}

func (t *table) byExternalID(ext string) []*record {
	var out []*record
	for id := range t.byExt[ext] {
		out = append(out, t.byID[id])
	}
	slices.SortFunc(out, func(a, b *record) int { return t.pos[a.id] - t.pos[b.id] })
	return out
}

// store holds users and groups under one lock; SCIM operations are short
// and a single lock keeps cross-resource checks (members exist) simple.
type store struct {
	mu     sync.RWMutex
	users  *table
	groups *table
}

func newStore() *store {
	return &store{users: newTable("userName"), groups: newTable("displayName")}
}

// newID returns a random UUID (version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// deepCopy copies the JSON-like values stored in attribute maps.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func copyAttrs(m map[string]any) map[string]any {
	out, _ := deepCopy(m).(map[string]any)
	return out
}

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
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/filter"
	fp "github.com/scim2/filter-parser/v2"
)

// kind distinguishes the two resource types sharing most of the logic.
type kind int

const (
	userKind kind = iota
	groupKind
)

// handler implements scim.ResourceHandler for users or groups.
type handler struct {
	srv     *Server
	kind    kind
	schemas schemaSet
}

func (h *handler) table() *table {
	if h.kind == userKind {
		return h.srv.store.users
	}
	return h.srv.store.groups
}

func (h *handler) keyAttr() string { return h.table().keyAttr }

func notFound(id string) error { return scimerr.ScimErrorResourceNotFound(id) }

func uniqueness(attr, value string) error {
	e := scimerr.ScimErrorUniqueness
	e.Detail = fmt.Sprintf("%s %q is already in use", attr, value)
	return e
}

func badValue(detail string) error {
	e := scimerr.ScimErrorInvalidValue
	e.Detail = detail
	return e
}

// resource renders a record for the library, projected by the request's
// attributes/excludedAttributes parameters. Caller holds the lock.
func (h *handler) resource(r *http.Request, rec *record) scim.Resource {
	p := newProjection(r, h.schemas)
	attrs := copyAttrs(rec.attrs)
	if h.kind == groupKind && p.wants("members") {
		attrs["members"] = rec.memberMaps()
	}
	created, modified := rec.created, rec.modified
	return scim.Resource{
		ID:         rec.id,
		Attributes: p.apply(attrs),
		Meta:       scim.Meta{Created: &created, LastModified: &modified, Version: fmt.Sprintf(`W/"%d"`, rec.version)},
	}
}

// splitMembers takes members out of validated group attributes.
func splitMembers(attrs map[string]any) ([]member, bool) {
	raw, present := attrs["members"]
	delete(attrs, "members")
	list, _ := raw.([]any)
	var out []member
	for _, v := range list {
		if m, ok := memberFromMap(v); ok {
			out = append(out, m)
		}
	}
	return out, present
}

// checkMembers enforces StrictMembers: every member must be a known user.
// Caller holds the lock.
func (h *handler) checkMembers(ms ...member) error {
	if !h.srv.opts.StrictMembers {
		return nil
	}
	for _, m := range ms {
		if _, ok := h.srv.store.users.byID[m.Value]; !ok {
			return badValue(fmt.Sprintf("member %q is not a known user", m.Value))
		}
	}
	return nil
}

func (h *handler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	st := h.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	t := h.table()
	key := strAttr(attrs, h.keyAttr())
	if strings.TrimSpace(key) == "" {
		return scim.Resource{}, badValue(h.keyAttr() + " is required")
	}
	if t.keyTaken(key, "") {
		return scim.Resource{}, uniqueness(h.keyAttr(), key)
	}
	now := time.Now().UTC()
	rec := &record{id: newID(), attrs: attrs, created: now, modified: now, version: 1}
	if h.kind == groupKind {
		ms, _ := splitMembers(rec.attrs)
		if err := h.checkMembers(ms...); err != nil {
			return scim.Resource{}, err
		}
		rec.setMembers(ms)
		if limit := h.srv.opts.MaxGroups; limit > 0 && len(t.order) >= limit {
			if h.srv.opts.RejectOverCap {
				return scim.Resource{}, badValue(fmt.Sprintf("group limit of %d reached", limit))
			}
			// Cisco drops groups past its cap without an error: answer as
			// if created, store nothing.
			h.srv.dropped.Add(1)
			return h.resource(r, rec), nil
		}
	}
	t.insert(rec)
	return h.resource(r, rec), nil
}

func (h *handler) Get(r *http.Request, id string) (scim.Resource, error) {
	st := h.srv.store
	st.mu.RLock()
	defer st.mu.RUnlock()
	rec, ok := h.table().byID[id]
	if !ok {
		return scim.Resource{}, notFound(id)
	}
	return h.resource(r, rec), nil
}

func (h *handler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	st := h.srv.store
	st.mu.RLock()
	defer st.mu.RUnlock()
	t := h.table()
	page := scim.Page{Resources: []scim.Resource{}}
	emit := func(recs []*record) {
		for _, rec := range recs {
			page.Resources = append(page.Resources, h.resource(r, rec))
		}
	}
	start := params.StartIndex - 1
	if params.FilterValidator == nil {
		// No filter: page straight off the insertion order, O(count).
		page.TotalResults = len(t.order)
		end := min(start+params.Count, len(t.order))
		for i := start; i < end; i++ {
			emit([]*record{t.byID[t.order[i]]})
		}
		return page, nil
	}
	matches, err := h.match(params.FilterValidator)
	if err != nil {
		return scim.Page{}, err
	}
	page.TotalResults = len(matches)
	if start < len(matches) {
		emit(matches[start:min(start+params.Count, len(matches))])
	}
	return page, nil
}

// match evaluates a filter: `eq` on the indexed attributes is a map lookup,
// anything else a scan. Caller holds the lock.
func (h *handler) match(v *filter.Validator) (recs []*record, err error) {
	t := h.table()
	expr := v.GetFilter()
	unescapeStrings(expr)
	if e, ok := expr.(*fp.AttributeExpression); ok && e.Operator == fp.EQ && e.AttributePath.SubAttribute == nil {
		if val, ok := e.CompareValue.(string); ok {
			_, name, _ := h.schemas.splitAttr(e.AttributePath.String())
			switch {
			case strings.EqualFold(name, t.keyAttr):
				if id, ok := t.byKey[strings.ToLower(val)]; ok {
					return []*record{t.byID[id]}, nil
				}
				return nil, nil
			case strings.EqualFold(name, "externalId"):
				return t.byExternalID(val), nil
			case strings.EqualFold(name, "id"):
				if rec, ok := t.byID[val]; ok {
					return []*record{rec}, nil
				}
				return nil, nil
			}
		}
	}
	// The library's comparisons can panic on values of unexpected types;
	// a bad filter must be a 400, not a dropped connection.
	defer func() {
		if p := recover(); p != nil {
			recs, err = nil, scimerr.ScimErrorInvalidFilter
		}
	}()
	withMembers := h.kind == groupKind && strings.Contains(strings.ToLower(fmt.Sprint(expr)), "members")
	for _, id := range t.order {
		rec := t.byID[id]
		view := copyAttrs(rec.attrs)
		view["id"] = rec.id
		if withMembers {
			view["members"] = rec.memberMaps()
		}
		if v.PassesFilter(view) == nil {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// unescapeStrings turns filter string literals into their values: the
// filter parser keeps JSON escapes (\" \\ \u00XX) verbatim.
func unescapeStrings(e fp.Expression) {
	switch x := e.(type) {
	case *fp.AttributeExpression:
		if s, ok := x.CompareValue.(string); ok {
			var out string
			if json.Unmarshal([]byte(`"`+s+`"`), &out) == nil {
				x.CompareValue = out
			}
		}
	case *fp.LogicalExpression:
		unescapeStrings(x.Left)
		unescapeStrings(x.Right)
	case *fp.NotExpression:
		unescapeStrings(x.Expression)
	case *fp.ValuePath:
		unescapeStrings(x.ValueFilter)
	}
}

// update runs fn on record id under the write lock.
func (h *handler) update(id string, fn func(t *table, rec *record) (scim.Resource, error)) (scim.Resource, error) {
	st := h.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	t := h.table()
	rec, ok := t.byID[id]
	if !ok {
		return scim.Resource{}, notFound(id)
	}
	return fn(t, rec)
}

func (h *handler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	return h.update(id, func(t *table, rec *record) (scim.Resource, error) {
		return h.replace(r, t, rec, attrs)
	})
}

func (h *handler) replace(r *http.Request, t *table, rec *record, attrs scim.ResourceAttributes) (scim.Resource, error) {
	if key := strAttr(attrs, h.keyAttr()); t.keyTaken(key, rec.id) {
		return scim.Resource{}, uniqueness(h.keyAttr(), key)
	}
	if h.kind == groupKind {
		ms, _ := splitMembers(attrs)
		if err := h.checkMembers(ms...); err != nil {
			return scim.Resource{}, err
		}
		rec.setMembers(ms)
	}
	t.update(rec, attrs, time.Now().UTC())
	return h.resource(r, rec), nil
}

func (h *handler) Delete(_ *http.Request, id string) error {
	st := h.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := h.table().byID[id]; !ok {
		return notFound(id)
	}
	h.table().remove(id)
	if h.kind == userKind {
		for _, g := range st.groups.byID {
			g.removeMember(id)
		}
	}
	return nil
}

func (h *handler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	return h.update(id, func(t *table, rec *record) (scim.Resource, error) {
		return h.patch(r, t, rec, ops)
	})
}

func (h *handler) patch(r *http.Request, t *table, rec *record, ops []scim.PatchOperation) (scim.Resource, error) {
	id := rec.id
	// RFC 7644 §3.5.2: a PATCH applies atomically. Attributes are patched
	// on a copy; members (possibly 100k) in place with an undo journal.
	attrs := copyAttrs(rec.attrs)
	var undo journal
	fail := func(err error) (scim.Resource, error) {
		undo.rollback()
		return scim.Resource{}, err
	}
	for _, op := range ops {
		if err := h.applyOp(attrs, rec, op, &undo); err != nil {
			return fail(err)
		}
	}
	key := strAttr(attrs, h.keyAttr())
	if strings.TrimSpace(key) == "" {
		return fail(badValue(h.keyAttr() + " is required"))
	}
	if t.keyTaken(key, id) {
		return fail(uniqueness(h.keyAttr(), key))
	}
	t.update(rec, attrs, time.Now().UTC())
	if h.kind == groupKind {
		// Large groups: answer 204 rather than echo every member.
		return scim.Resource{}, nil
	}
	return h.resource(r, rec), nil
}

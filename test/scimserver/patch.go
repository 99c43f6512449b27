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
	"fmt"
	"reflect"
	"strings"

	"github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	fp "github.com/scim2/filter-parser/v2"
)

// journal undoes in-place member changes when a later operation fails.
type journal []func()

func (j *journal) add(f func()) { *j = append(*j, f) }

func (j journal) rollback() {
	for i := len(j) - 1; i >= 0; i-- {
		j[i]()
	}
}

func noTarget(detail string) error {
	e := scimerr.ScimErrorNoTarget
	e.Detail = detail
	return e
}

func invalidPath(detail string) error {
	e := scimerr.ScimErrorInvalidPath
	e.Detail = detail
	return e
}

// applyOp applies one validated operation. Without a path the value is an
// object whose keys are attribute paths or extension URNs (RFC 7644
// §3.5.2.1 and §3.5.2.3), each applied as if it were the path.
func (h *handler) applyOp(attrs map[string]any, rec *record, op scim.PatchOperation, undo *journal) error {
	name := strings.ToLower(op.Op)
	if op.Path != nil {
		return h.applyPath(attrs, rec, name, *op.Path, op.Value, undo)
	}
	values, ok := op.Value.(map[string]any)
	if !ok {
		return badValue("a PATCH without path needs an object value")
	}
	for k, v := range values {
		if ext, ok := h.schemas.extension(k); ok {
			sub, ok := v.(map[string]any)
			if !ok {
				return badValue(k + " must be an object")
			}
			for k2, v2 := range sub {
				p := fp.Path{AttributePath: fp.AttributePath{URIPrefix: &ext, AttributeName: k2}}
				if err := h.applyPath(attrs, rec, name, p, v2, undo); err != nil {
					return err
				}
			}
			continue
		}
		p, err := fp.ParsePath([]byte(k))
		if err != nil {
			return invalidPath(fmt.Sprintf("invalid attribute path %q", k))
		}
		if err := h.applyPath(attrs, rec, name, p, v, undo); err != nil {
			return err
		}
	}
	return nil
}

func (h *handler) applyPath(attrs map[string]any, rec *record, op string, p fp.Path, value any, undo *journal) error {
	if p.ValueExpression != nil {
		unescapeStrings(p.ValueExpression)
	}
	attr, ext, ok := h.schemas.lookup(p.AttributePath.URI(), p.AttributePath.AttributeName)
	if !ok {
		return noTarget(fmt.Sprintf("no attribute %q", p.AttributePath.String()))
	}
	if attr.Mutability() == "readOnly" || strings.EqualFold(attr.Name(), "schemas") {
		e := scimerr.ScimErrorMutability
		e.Detail = attr.Name() + " cannot be changed"
		return e
	}
	if h.kind == groupKind && ext == "" && attr.Name() == "members" {
		return h.applyMembers(rec, attr, op, p, value, undo)
	}
	cont := attrs
	if ext != "" {
		m, _ := attrs[ext].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		cont = m
		defer func() {
			if len(m) == 0 {
				delete(attrs, ext)
			} else {
				attrs[ext] = m
			}
		}()
	}
	return applyAttr(cont, attr, op, p, value)
}

// applyMembers handles the membership forms Okta and Entra send in O(1)
// per member; anything else goes through the generic path on a
// materialised list.
func (h *handler) applyMembers(rec *record, attr schema.CoreAttribute, op string, p fp.Path, value any, undo *journal) error {
	plain := p.ValueExpression == nil && p.AttributePath.SubAttribute == nil && p.SubAttribute == nil
	switch {
	case plain && op == "add":
		for _, v := range asList(value) {
			m, ok := memberFromMap(v)
			if !ok {
				return badValue("member needs a value")
			}
			if err := h.checkMembers(m); err != nil {
				return err
			}
			if _, present := rec.memberIdx[m.Value]; !present {
				rec.addMember(m)
				undo.add(func() { rec.removeMember(m.Value) })
			}
		}
		return nil
	case plain && op == "remove" && value != nil:
		// Entra style: remove with a list of member values and no filter.
		for _, v := range asList(value) {
			if m, ok := memberFromMap(v); ok {
				h.removeMember(rec, m.Value, undo)
			}
		}
		return nil
	case op == "remove" && p.SubAttribute == nil:
		if id, ok := valueEq(p.ValueExpression); ok {
			h.removeMember(rec, id, undo)
			return nil
		}
	}
	tmp := map[string]any{"members": rec.memberMaps()}
	if err := applyAttr(tmp, attr, op, p, value); err != nil {
		return err
	}
	ms, _ := splitMembers(tmp)
	if err := h.checkMembers(ms...); err != nil {
		return err
	}
	old := rec.members
	rec.setMembers(ms)
	undo.add(func() { rec.setMembers(old) })
	return nil
}

func (h *handler) removeMember(rec *record, id string, undo *journal) {
	i, ok := rec.memberIdx[id]
	if !ok {
		return
	}
	m := rec.members[i]
	rec.removeMember(id)
	undo.add(func() { rec.addMember(m) })
}

// valueEq recognises `value eq "id"`, the filter of a member removal.
func valueEq(e fp.Expression) (string, bool) {
	x, ok := e.(*fp.AttributeExpression)
	if !ok || x.Operator != fp.EQ || x.AttributePath.SubAttribute != nil || x.AttributePath.URIPrefix != nil ||
		!strings.EqualFold(x.AttributePath.AttributeName, "value") {
		return "", false
	}
	s, ok := x.CompareValue.(string)
	return s, ok
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// applyAttr applies op to attr inside cont (the resource or an extension
// object) following RFC 7644 §3.5.2.
func applyAttr(cont map[string]any, attr schema.CoreAttribute, op string, p fp.Path, value any) error {
	key := attr.Name()
	if sub := p.AttributePath.SubAttributeName(); sub != "" {
		return applySub(cont, attr, op, sub, value)
	}
	if p.ValueExpression != nil {
		return applyFiltered(cont, attr, op, p, value)
	}
	complexSingle := attr.AttributeType() == "complex" && !attr.MultiValued()
	switch op {
	case "remove":
		delete(cont, key)
	case "replace":
		if complexSingle {
			merge(cont, key, value)
		} else {
			cont[key] = value
		}
	case "add":
		switch {
		case attr.MultiValued():
			cont[key] = appendUnique(asList(cont[key]), asList(value))
		case complexSingle:
			merge(cont, key, value)
		default:
			cont[key] = value
		}
	default:
		return badValue("unknown op " + op)
	}
	return nil
}

// applySub sets or removes attr.sub; on a multi-valued attribute without a
// filter it applies to every value.
func applySub(cont map[string]any, attr schema.CoreAttribute, op, sub string, value any) error {
	sa, ok := attr.SubAttributes().ContainsAttribute(sub)
	if !ok {
		return noTarget(fmt.Sprintf("no sub-attribute %s.%s", attr.Name(), sub))
	}
	key := attr.Name()
	setIn := func(m map[string]any) {
		if op == "remove" {
			delete(m, sa.Name())
		} else {
			m[sa.Name()] = value
		}
	}
	if attr.MultiValued() {
		for _, el := range asList(cont[key]) {
			if m, ok := el.(map[string]any); ok {
				setIn(m)
			}
		}
		return nil
	}
	m, _ := cont[key].(map[string]any)
	if m == nil {
		if op == "remove" {
			return nil
		}
		m = map[string]any{}
	}
	setIn(m)
	if len(m) == 0 {
		delete(cont, key)
	} else {
		cont[key] = m
	}
	return nil
}

// applyFiltered handles attr[filter] and attr[filter].sub paths.
func applyFiltered(cont map[string]any, attr schema.CoreAttribute, op string, p fp.Path, value any) (err error) {
	key := attr.Name()
	v := filter.NewFilterValidator(p.ValueExpression, schema.Schema{Attributes: filter.MultiValuedFilterAttributes(attr)})
	defer func() {
		// The library's comparisons panic on values of unexpected types.
		if r := recover(); r != nil {
			err = invalidPath("filter cannot be evaluated")
		}
	}()
	subName := ""
	if s := p.SubAttributeName(); s != "" {
		sa, ok := attr.SubAttributes().ContainsAttribute(s)
		if !ok {
			return noTarget(fmt.Sprintf("no sub-attribute %s.%s", key, s))
		}
		subName = sa.Name()
	}
	var out []any
	matched := false
	for _, el := range asList(cont[key]) {
		m, isMap := el.(map[string]any)
		if !isMap {
			m = map[string]any{"value": el}
		}
		if v.PassesFilter(m) != nil {
			out = append(out, el)
			continue
		}
		matched = true
		switch {
		case op == "remove" && subName == "":
			// drop the value
		case op == "remove":
			delete(m, subName)
			out = append(out, m)
		case subName == "":
			out = append(out, value)
		default:
			m[subName] = value
			out = append(out, m)
		}
	}
	if !matched && op != "remove" {
		return noTarget("the filter matches no value")
	}
	if len(out) == 0 {
		delete(cont, key)
	} else {
		cont[key] = out
	}
	return nil
}

func merge(cont map[string]any, key string, value any) {
	src, ok := value.(map[string]any)
	if !ok {
		cont[key] = value
		return
	}
	dst, _ := cont[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		dst[k] = v
	}
	cont[key] = dst
}

func appendUnique(list, add []any) []any {
	for _, v := range add {
		dup := false
		for _, e := range list {
			if reflect.DeepEqual(e, v) {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, v)
		}
	}
	return list
}

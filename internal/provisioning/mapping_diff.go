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

package provisioning

// attrChange is one attribute to replace or remove, by SCIM path.
type attrChange struct {
	Path  string
	Value any
	// Remove clears the attribute: its expression produced no value.
	Remove bool
	ref    attrRef
	// stored is what the target view keeps once the change succeeded.
	stored string
}

// attrDiff lists the managed attributes whose desired value differs, in a
// fixed order. userName is left out: renames are planned separately.
// Attributes mapped with applyOn Create are never updated. waits is set
// when the desired manager is not in the target yet.
func attrDiff(cfg *Config, mgrs managers, want, cur userAttrs) ([]attrChange, bool) {
	d := attrDiffer{want: want, cur: cur}
	d.fixed(cfg)
	waits := d.extras(cfg.compiled, mgrs)
	return d.diff, waits
}

// attrDiffer collects one user's attribute changes.
type attrDiffer struct {
	want, cur userAttrs
	diff      []attrChange
}

// shorthand is the shorthands' rule, unchanged: replace, with "" too.
func (d *attrDiffer) shorthand(r attrRef) {
	if w := d.want.get(r); w != d.cur.get(r) {
		d.diff = append(d.diff, attrChange{Path: fixedPath[r], Value: w, ref: r, stored: w})
	}
}

// expr is an expression's rule: replace, or remove when it produced no value.
func (d *attrDiffer) expr(path string, r attrRef, w string, value any) {
	if h := d.cur.get(r); w == h {
		return
	}
	if w == "" {
		d.diff = append(d.diff, attrChange{Path: path, Remove: true, ref: r})
		return
	}
	d.diff = append(d.diff, attrChange{Path: path, Value: value, ref: r, stored: w})
}

// fixed diffs the attributes kept in userAttrs' own fields.
func (d *attrDiffer) fixed(cfg *Config) {
	m, want := cfg.compiled, d.want
	for _, r := range []attrRef{refDisplayName, refGivenName, refFamilyName} {
		switch a := m.byRef(r); {
		case a == nil:
			d.shorthand(r)
		case a.ApplyOn == ApplyAlways:
			d.expr(fixedPath[r], r, want.get(r), want.get(r))
		}
	}
	if !m.createOnly(refGivenName) && !m.createOnly(refFamilyName) {
		d.shorthand(refFormatted)
	}
	switch a := m.byRef(refEmail); {
	case a == nil:
		if cfg.Mapping.SendEmails && want.Email != "" && want.Email != d.cur.Email {
			d.diff = append(d.diff, attrChange{Path: fixedPath[refEmail], Value: emailList(want.Email), ref: refEmail, stored: want.Email})
		}
	case a.ApplyOn == ApplyAlways:
		d.expr(fixedPath[refEmail], refEmail, want.Email, emailList(want.Email))
	}
	switch a := m.byRef(refNativeObjectID); {
	case a == nil:
		if cfg.Mapping.NativeObjectID != "" && cfg.Profile != ProfileGeneric && want.NativeObjectID != "" {
			d.shorthand(refNativeObjectID)
		}
	case a.ApplyOn == ApplyAlways:
		d.expr(fixedPath[refNativeObjectID], refNativeObjectID, want.NativeObjectID, want.NativeObjectID)
	}
}

// extras diffs the attributes only expressions map; waits is set when the
// desired manager is not in the target yet.
func (d *attrDiffer) extras(m *compiledMapping, mgrs managers) (waits bool) {
	if m == nil {
		return false
	}
	for _, a := range m.extra {
		if a.ApplyOn != ApplyAlways {
			continue
		}
		r, w := attrRef(a.slot), d.want.get(attrRef(a.slot))
		var value any = w
		if a.Kind == kindManager {
			id, wait := mgrs.resolve(w)
			if wait {
				waits = true
				continue
			}
			w, value = id, map[string]any{"value": id}
		}
		d.expr(a.Path, r, w, value)
	}
	return waits
}

// createOnly reports whether r is mapped by an expression applied on create only.
func (m *compiledMapping) createOnly(r attrRef) bool {
	a := m.byRef(r)
	return a != nil && a.ApplyOn == ApplyCreate
}

// planManagers sets, after the creates, the managers that were created in
// this cycle: only the manager attribute, of users now in the target.
func planManagers(cfg *Config, want *desired, have *actual, ids []string) []*userChange {
	a := cfg.compiled.manager()
	if a == nil {
		return nil
	}
	mgrs := managers{have, want}
	var out []*userChange
	for _, id := range ids {
		d, t := want.Users[id], have.userByOktaID(id)
		if d == nil || t == nil {
			continue // its create failed
		}
		mid, _ := mgrs.resolve(d.Attrs.get(attrRef(a.slot)))
		if mid == "" || mid == t.Attrs.get(attrRef(a.slot)) {
			continue
		}
		ch := attrChange{Path: a.Path, Value: map[string]any{"value": mid}, ref: attrRef(a.slot), stored: mid}
		out = append(out, &userChange{OktaID: id, TargetID: t.ID, Name: t.Attrs.UserName, Attrs: []attrChange{ch}, want: d})
	}
	return out
}

// manager returns the manager's expression, if one is mapped.
func (m *compiledMapping) manager() *mappedAttr {
	if m == nil {
		return nil
	}
	for _, a := range m.extra {
		if a.Kind == kindManager {
			return a
		}
	}
	return nil
}

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
func attrDiff(cfg *Config, mgrs managers, want, cur userAttrs) (diff []attrChange, waits bool) {
	m := cfg.compiled
	// The shorthands' rule, unchanged: replace, with "" too.
	shorthand := func(path string, r attrRef) {
		if w := want.get(r); w != cur.get(r) {
			diff = append(diff, attrChange{Path: path, Value: w, ref: r, stored: w})
		}
	}
	// An expression's rule: replace, or remove when it produced no value.
	expr := func(path string, r attrRef, w string, value any) {
		if h := cur.get(r); w == h {
			return
		}
		if w == "" {
			diff = append(diff, attrChange{Path: path, Remove: true, ref: r})
			return
		}
		diff = append(diff, attrChange{Path: path, Value: value, ref: r, stored: w})
	}
	for _, r := range []attrRef{refDisplayName, refGivenName, refFamilyName} {
		switch a := m.byRef(r); {
		case a == nil:
			shorthand(fixedPath[r], r)
		case a.ApplyOn == ApplyAlways:
			expr(fixedPath[r], r, want.get(r), want.get(r))
		}
	}
	if !m.createOnly(refGivenName) && !m.createOnly(refFamilyName) {
		shorthand(fixedPath[refFormatted], refFormatted)
	}
	switch a := m.byRef(refEmail); {
	case a == nil:
		if cfg.Mapping.SendEmails && want.Email != "" && want.Email != cur.Email {
			diff = append(diff, attrChange{Path: fixedPath[refEmail], Value: emailList(want.Email), ref: refEmail, stored: want.Email})
		}
	case a.ApplyOn == ApplyAlways:
		expr(fixedPath[refEmail], refEmail, want.Email, emailList(want.Email))
	}
	native := fixedPath[refNativeObjectID]
	switch a := m.byRef(refNativeObjectID); {
	case a == nil:
		if cfg.Mapping.NativeObjectID != "" && cfg.Profile != ProfileGeneric && want.NativeObjectID != "" {
			shorthand(native, refNativeObjectID)
		}
	case a.ApplyOn == ApplyAlways:
		expr(native, refNativeObjectID, want.NativeObjectID, want.NativeObjectID)
	}
	if m == nil {
		return diff, false
	}
	for _, a := range m.extra {
		if a.ApplyOn != ApplyAlways {
			continue
		}
		r, w := attrRef(a.slot), want.get(attrRef(a.slot))
		var value any = w
		if a.Kind == kindManager {
			id, wait := mgrs.resolve(w)
			if wait {
				waits = true
				continue
			}
			w, value = id, map[string]any{"value": id}
		}
		expr(a.Path, r, w, value)
	}
	return diff, waits
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

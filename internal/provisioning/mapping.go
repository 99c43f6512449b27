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

import (
	"strings"
	"sync"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// oktaActive maps an Okta status to the SCIM active flag. provision is false
// for STAGED (and unknown) users, who are not provisioned at all.
func oktaActive(status string) (active, provision bool) {
	switch status {
	case okta.StatusActive, okta.StatusProvisioned, okta.StatusRecovery,
		okta.StatusPasswordExpired, okta.StatusLockedOut:
		return true, true
	case okta.StatusSuspended, okta.StatusDeprovisioned:
		return false, true
	}
	return false, false
}

// mapUser turns an Okta user into the desired SCIM user. nil means the user
// is not provisioned: STAGED (or an unknown status), or outside spec.scope.
// A user whose expressions fail is returned Invalid: it stays in scope (a
// failure never deactivates anyone) but is not written.
func mapUser(cfg *Config, u okta.User) *desiredUser {
	active, provision := oktaActive(u.Status)
	if !provision {
		return nil
	}
	if cfg.memo != nil {
		return cfg.memo.get(u.ID, func() *desiredUser { return mapProvisioned(cfg, u, active) })
	}
	return mapProvisioned(cfg, u, active)
}

func mapProvisioned(cfg *Config, u okta.User, active bool) *desiredUser {
	d := &desiredUser{OktaID: u.ID, Status: u.Status, Active: active}
	if m := cfg.compiled; m != nil && !mapExpressions(m, u, d) {
		return nil
	}
	if d.Invalid == "" {
		mapShorthands(cfg, u, d)
	}
	return d
}

// mapExpressions evaluates the scope and the expressions into d; false
// means the user is outside the scope.
func mapExpressions(m *compiledMapping, u okta.User, d *desiredUser) bool {
	in := m.input(u)
	ok, err := m.inScope(in)
	if err != nil {
		d.Invalid = invalidUser(u, "scope", err)
		return true
	}
	if !ok {
		return false
	}
	if len(m.extra) > 0 {
		d.Attrs.Extra = make([]string, len(m.extra))
	}
	for _, a := range m.attrs {
		v, err := a.eval(in)
		if err != nil {
			d.Invalid, d.Attrs.Extra = invalidUser(u, a.Name, err), nil
			return true
		}
		if a.Fixed != 0 {
			d.Attrs.set(a.Fixed, v, 0)
		} else {
			d.Attrs.Extra[a.slot] = v
		}
	}
	if m.byRef(refUserName) != nil && d.Attrs.UserName == "" {
		d.Invalid = invalidUser(u, "userName", errNoValue)
	}
	return true
}

// invalidUser says which user and which expression failed; the message is
// the user's only trace in status, so it names the Okta login.
func invalidUser(u okta.User, what string, err error) string {
	return "Okta user " + u.Login() + " (" + u.ID + "): " + what + ": " + err.Error()
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoValue = errString("the expression produced no value")

// mapShorthands fills what no expression maps, as the shorthand fields
// always have: userName from an Okta attribute (login by default),
// displayName from one with a fallback to "first last" and then userName,
// the names from firstName and lastName, and on request the email and
// Cisco's nativeObjectId.
func mapShorthands(cfg *Config, u okta.User, d *desiredUser) {
	m, x := cfg.Mapping, cfg.compiled
	if x.byRef(refUserName) == nil {
		userNameAttr := m.UserName
		if userNameAttr == "" {
			userNameAttr = "login"
		}
		d.Attrs.UserName, _ = u.Attr(userNameAttr)
		if d.Attrs.UserName == "" {
			d.Invalid = "Okta attribute " + userNameAttr + " is empty"
		}
	}
	if x.byRef(refGivenName) == nil {
		d.Attrs.GivenName = u.FirstName()
	}
	if x.byRef(refFamilyName) == nil {
		d.Attrs.FamilyName = u.LastName()
	}
	d.Attrs.Formatted = strings.TrimSpace(d.Attrs.GivenName + " " + d.Attrs.FamilyName)
	if x.byRef(refDisplayName) == nil {
		if m.DisplayName != "" {
			d.Attrs.DisplayName, _ = u.Attr(m.DisplayName)
		}
		if d.Attrs.DisplayName == "" {
			d.Attrs.DisplayName = d.Attrs.Formatted
		}
		if d.Attrs.DisplayName == "" {
			d.Attrs.DisplayName = d.Attrs.UserName
		}
	}
	if m.SendEmails && x.byRef(refEmail) == nil {
		d.Attrs.Email = u.Email()
	}
	if m.NativeObjectID != "" && cfg.Profile != ProfileGeneric && x.byRef(refNativeObjectID) == nil {
		d.Attrs.NativeObjectID, _ = u.Attr(m.NativeObjectID)
	}
}

// mappingMemo maps each Okta user once per cycle: a user in many assigned
// groups is streamed once per group, and expressions cost more than the
// shorthands.
type mappingMemo struct {
	mu    sync.Mutex
	users map[string]*desiredUser
}

func newMappingMemo() *mappingMemo { return &mappingMemo{users: map[string]*desiredUser{}} }

// seed starts an incremental cycle's memo with the previous cycle's
// mappings of the users whose Okta record did not change since the
// watermark (the same configuration mapped the same record), so only
// updated and new users are evaluated again. It runs before any read of
// the cycle's member pages.
func (m *mappingMemo) seed(prev *desired, updated map[string]okta.User) {
	if m == nil {
		return
	}
	for id, d := range prev.Users {
		if _, changed := updated[id]; !changed {
			m.users[id] = d
		}
	}
	for id := range prev.Unprovisioned {
		if _, changed := updated[id]; !changed {
			m.users[id] = nil
		}
	}
}

func (m *mappingMemo) get(id string, mapIt func() *desiredUser) *desiredUser {
	m.mu.Lock()
	d, ok := m.users[id]
	m.mu.Unlock()
	if ok {
		return d
	}
	d = mapIt()
	m.mu.Lock()
	defer m.mu.Unlock()
	if first, ok := m.users[id]; ok {
		return first // mapped concurrently from another group's page
	}
	m.users[id] = d
	return d
}

// fromSCIM turns a target user into the engine's view, keeping only the
// attributes the configuration maps.
func fromSCIM(cfg *Config, u scim.User) *targetUser {
	t := &targetUser{ID: u.ID, ExternalID: u.ExternalID, Active: u.IsActive(), Attrs: &userAttrs{}}
	t.Attrs.UserName = u.UserName
	t.Attrs.DisplayName = u.DisplayName
	if u.Name != nil {
		t.Attrs.GivenName = u.Name.GivenName
		t.Attrs.FamilyName = u.Name.FamilyName
		t.Attrs.Formatted = u.Name.Formatted
	}
	m := cfg.compiled
	if m.byRef(refEmail) != nil {
		t.Attrs.Email = joinEmails(u.Emails)
	} else {
		for _, e := range u.Emails {
			if e.Primary || t.Attrs.Email == "" {
				t.Attrs.Email = e.Value
			}
		}
	}
	if u.Cisco != nil {
		t.HasCisco = true
		t.Attrs.NativeObjectID = u.Cisco.NativeObjectID
	}
	if m != nil && len(m.extra) > 0 {
		t.Attrs.Extra = make([]string, len(m.extra))
		for _, a := range m.extra {
			t.Attrs.Extra[a.slot] = targetValue(u, a)
		}
	}
	return t
}

// joinEmails is the stored form of a target's emails, the primary first.
func joinEmails(emails []scim.Email) string {
	var primary string
	var rest []string
	for _, e := range emails {
		if e.Primary && primary == "" {
			primary = e.Value
			continue
		}
		rest = append(rest, e.Value)
	}
	if primary != "" {
		rest = append([]string{primary}, rest...)
	}
	return strings.Join(rest, emailSeparator)
}

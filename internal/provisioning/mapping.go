package provisioning

import (
	"strings"

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

// mapUser turns an Okta user into the desired SCIM user.
func mapUser(cfg *Config, u okta.User) *desiredUser {
	active, _ := oktaActive(u.Status)
	d := &desiredUser{OktaID: u.ID, Status: u.Status, Active: active}
	m := cfg.Mapping
	userNameAttr := m.UserName
	if userNameAttr == "" {
		userNameAttr = "login"
	}
	d.Attrs.UserName, _ = u.Attr(userNameAttr)
	if d.Attrs.UserName == "" {
		d.Invalid = "Okta attribute " + userNameAttr + " is empty"
	}
	d.Attrs.GivenName = u.FirstName()
	d.Attrs.FamilyName = u.LastName()
	d.Attrs.Formatted = strings.TrimSpace(d.Attrs.GivenName + " " + d.Attrs.FamilyName)
	if m.DisplayName != "" {
		d.Attrs.DisplayName, _ = u.Attr(m.DisplayName)
	}
	if d.Attrs.DisplayName == "" {
		d.Attrs.DisplayName = d.Attrs.Formatted
	}
	if d.Attrs.DisplayName == "" {
		d.Attrs.DisplayName = d.Attrs.UserName
	}
	if m.SendEmails {
		d.Attrs.Email = u.Email()
	}
	if m.NativeObjectID != "" && cfg.Profile != ProfileGeneric {
		d.Attrs.NativeObjectID, _ = u.Attr(m.NativeObjectID)
	}
	return d
}

// fromSCIM turns a target user into the engine's view.
func fromSCIM(u scim.User) *targetUser {
	t := &targetUser{ID: u.ID, ExternalID: u.ExternalID, Active: u.IsActive()}
	t.Attrs.UserName = u.UserName
	t.Attrs.DisplayName = u.DisplayName
	if u.Name != nil {
		t.Attrs.GivenName = u.Name.GivenName
		t.Attrs.FamilyName = u.Name.FamilyName
		t.Attrs.Formatted = u.Name.Formatted
	}
	for _, e := range u.Emails {
		if e.Primary || t.Attrs.Email == "" {
			t.Attrs.Email = e.Value
		}
	}
	if u.Cisco != nil {
		t.HasCisco = true
		t.Attrs.NativeObjectID = u.Cisco.NativeObjectID
	}
	return t
}

// toSCIM builds the body of a create.
func toSCIM(cfg *Config, d *desiredUser) scim.User {
	u := scim.User{
		ExternalID:  d.OktaID,
		UserName:    d.Attrs.UserName,
		DisplayName: d.Attrs.DisplayName,
		Active:      scim.Ptr(d.Active),
		Name: &scim.Name{
			GivenName:  d.Attrs.GivenName,
			FamilyName: d.Attrs.FamilyName,
			Formatted:  d.Attrs.Formatted,
		},
	}
	if cfg.Mapping.SendEmails && d.Attrs.Email != "" {
		u.Emails = []scim.Email{{Value: d.Attrs.Email, Type: "work", Primary: true}}
	}
	if d.Attrs.NativeObjectID != "" {
		u.Cisco = &scim.CiscoUser{NativeObjectID: d.Attrs.NativeObjectID}
	}
	return u
}

// attrChange is one attribute to replace, by SCIM path.
type attrChange struct {
	Path  string
	Value any
}

// attrDiff lists the managed attributes whose desired value differs, in a
// fixed order. userName is left out: renames are planned separately.
func attrDiff(cfg *Config, want, have userAttrs) []attrChange {
	var diff []attrChange
	add := func(path string, w, h string) {
		if w != h {
			diff = append(diff, attrChange{path, w})
		}
	}
	add("displayName", want.DisplayName, have.DisplayName)
	add("name.givenName", want.GivenName, have.GivenName)
	add("name.familyName", want.FamilyName, have.FamilyName)
	add("name.formatted", want.Formatted, have.Formatted)
	if cfg.Mapping.SendEmails && want.Email != "" && want.Email != have.Email {
		diff = append(diff, attrChange{"emails", []scim.Email{{Value: want.Email, Type: "work", Primary: true}}})
	}
	if cfg.Mapping.NativeObjectID != "" && cfg.Profile != ProfileGeneric && want.NativeObjectID != "" {
		add(scim.SchemaCiscoUser+":nativeObjectId", want.NativeObjectID, have.NativeObjectID)
	}
	return diff
}

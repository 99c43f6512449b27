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

	"github.com/scimbridge/scimbridge/internal/scim"
)

// createManagers resolves the manager attributes of a create when it is
// planned. A manager not in the target yet is left out and waits is set;
// the cycle sets it once its create succeeded (applyManagers).
func createManagers(cfg *Config, mgrs managers, d *desiredUser) (ids []string, waits bool) {
	m := cfg.compiled
	if m == nil {
		return nil, false
	}
	for _, a := range m.extra {
		if a.Kind == kindManager {
			id, wait := mgrs.resolve(d.Attrs.get(attrRef(a.slot)))
			ids = append(ids, id)
			waits = waits || wait
		}
	}
	return ids, waits
}

// body is the POST body of a create, built when it is sent.
func (c *userChange) body(cfg *Config) scim.User {
	return createBody(cfg, c.want, c.managerIDs)
}

// createBody builds the body of a create from the desired user and the
// managers' target ids createManagers resolved, in the mapping's order.
func createBody(cfg *Config, d *desiredUser, managerIDs []string) scim.User {
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
	m := cfg.compiled
	if (cfg.Mapping.SendEmails || m.byRef(refEmail) != nil) && d.Attrs.Email != "" {
		u.Emails = emailList(d.Attrs.Email)
	}
	if d.Attrs.NativeObjectID != "" {
		u.Cisco = &scim.CiscoUser{NativeObjectID: d.Attrs.NativeObjectID}
	}
	if m == nil {
		return u
	}
	for _, a := range m.extra {
		v := d.Attrs.get(attrRef(a.slot))
		if a.Kind == kindManager {
			v = ""
			if len(managerIDs) > 0 {
				v, managerIDs = managerIDs[0], managerIDs[1:]
			}
		}
		if v != "" {
			setTargetValue(&u, a, v)
		}
	}
	return u
}

// emailList is the stored form sent as SCIM emails: work addresses, the
// first one primary.
func emailList(stored string) []scim.Email {
	var out []scim.Email
	for i, e := range splitEmails(stored) {
		out = append(out, scim.Email{Value: e, Type: "work", Primary: i == 0})
	}
	return out
}

// managers resolves a manager's Okta id to the id of the target user
// linked to it.
type managers struct {
	have *actual
	want *desired
}

// resolve returns the manager's target id. When there is none yet but the
// manager is an active user in scope (created in this cycle), wait is set:
// the manager is set after the creates. A manager who is not provisioned
// at all is no value: the target cannot refer to a user it does not have.
func (r managers) resolve(oktaID string) (id string, wait bool) {
	if oktaID == "" {
		return "", false
	}
	if t := r.have.userByOktaID(oktaID); t != nil {
		return t.ID, false
	}
	if r.want != nil {
		if d := r.want.Users[oktaID]; d != nil && d.Active && d.Invalid == "" {
			return "", true
		}
	}
	return "", false
}

// targetValue reads an Extra attribute from a target user.
func targetValue(u scim.User, a *mappedAttr) string {
	switch a.Schema {
	case "":
		return u.Title
	case scim.SchemaEnterpriseUser:
		e := u.Enterprise
		switch {
		case e == nil:
		case a.Attr == "department":
			return e.Department
		case a.Attr == "employeeNumber":
			return e.EmployeeNumber
		case a.Attr == "manager" && e.Manager != nil:
			return e.Manager.Value
		}
		return ""
	case scim.SchemaCiscoUser:
		if u.Cisco != nil {
			return u.Cisco.AuthName
		}
		return ""
	}
	for urn, attrs := range u.Extensions {
		if !strings.EqualFold(urn, a.Schema) {
			continue
		}
		for k, v := range attrs {
			if s, ok := v.(string); ok && strings.EqualFold(k, a.Attr) {
				return s
			}
		}
	}
	return ""
}

// setTargetValue puts an Extra attribute into a create body.
func setTargetValue(u *scim.User, a *mappedAttr, v string) {
	switch a.Schema {
	case "":
		u.Title = v
	case scim.SchemaEnterpriseUser:
		if u.Enterprise == nil {
			u.Enterprise = &scim.EnterpriseUser{}
		}
		switch a.Attr {
		case "department":
			u.Enterprise.Department = v
		case "employeeNumber":
			u.Enterprise.EmployeeNumber = v
		case "manager":
			u.Enterprise.Manager = &scim.Manager{Value: v}
		}
	case scim.SchemaCiscoUser:
		if u.Cisco == nil {
			u.Cisco = &scim.CiscoUser{}
		}
		u.Cisco.AuthName = v
	default:
		if u.Extensions == nil {
			u.Extensions = map[string]map[string]any{}
		}
		if u.Extensions[a.Schema] == nil {
			u.Extensions[a.Schema] = map[string]any{}
		}
		u.Extensions[a.Schema][a.Attr] = v
	}
}

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

package scim

import "encoding/json"

// Schema URNs used on the wire.
const (
	SchemaUser      = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup     = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaCiscoUser = "urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User"
	// SchemaEnterpriseUser is RFC 7643 §4.3's enterprise user extension.
	SchemaEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaListResponse   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError          = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// Meta is the read-only resource metadata a server returns.
type Meta struct {
	ResourceType string `json:"resourceType,omitempty"`
	// Times stay strings: servers vary in format, and a bad timestamp must
	// not make a whole list page unreadable.
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

// Name is the user's structured name.
type Name struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

// Email is one entry of the multi-valued emails attribute.
type Email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// CiscoUser is the Cisco Umbrella/Secure Access user extension.
type CiscoUser struct {
	// NativeObjectID is the AD objectGUID; only old AnyConnect endpoints need it.
	NativeObjectID string `json:"nativeObjectId,omitempty"`
	AuthName       string `json:"authName,omitempty"`
}

// EnterpriseUser is the RFC 7643 enterprise user extension, the
// attributes scimbridge maps.
type EnterpriseUser struct {
	EmployeeNumber string   `json:"employeeNumber,omitempty"`
	Department     string   `json:"department,omitempty"`
	Manager        *Manager `json:"manager,omitempty"`
}

// Manager refers to another user of the same target by its id.
type Manager struct {
	Value       string `json:"value,omitempty"`
	Ref         string `json:"$ref,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

// User is a SCIM user as Cisco models it, with the enterprise extension and
// any other extension schema a Generic target defines.
type User struct {
	ID          string `json:"id,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName,omitempty"`
	Name        *Name  `json:"name,omitempty"`
	// Active is a pointer because servers may omit it; nil means "not reported".
	Active *bool   `json:"active,omitempty"`
	Emails []Email `json:"emails,omitempty"`
	Title  string  `json:"title,omitempty"`
	// Cisco and Enterprise are sent only when set, and then their schema
	// URNs are listed in schemas.
	Cisco      *CiscoUser      `json:"urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User,omitempty"`
	Enterprise *EnterpriseUser `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	// Extensions holds other extension schemas by URN, each an object of
	// attributes (see extensions.go).
	Extensions map[string]map[string]any `json:"-"`
	Meta       *Meta                     `json:"meta,omitempty"`
}

// IsActive reports the active flag, treating "not reported" as active as
// RFC 7643 servers without the attribute do not deactivate users.
func (u User) IsActive() bool { return u.Active == nil || *u.Active }

// userAlias drops User's methods so MarshalJSON does not recurse.
type userAlias User

// MarshalJSON writes the schemas list matching the attributes present and
// leaves out server-owned metadata.
func (u User) MarshalJSON() ([]byte, error) {
	schemas := []string{SchemaUser}
	if u.Cisco != nil {
		schemas = append(schemas, SchemaCiscoUser)
	}
	if u.Enterprise != nil {
		schemas = append(schemas, SchemaEnterpriseUser)
	}
	exts := sortedExtensions(u.Extensions)
	schemas = append(schemas, exts...)
	u.Meta = nil
	out, err := json.Marshal(struct {
		Schemas []string `json:"schemas"`
		userAlias
	}{schemas, userAlias(u)})
	if err != nil || len(exts) == 0 {
		return out, err
	}
	return appendExtensions(out, exts, u.Extensions)
}

// Member is one entry of a group's members.
type Member struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Ref     string `json:"$ref,omitempty"`
	Type    string `json:"type,omitempty"`
}

// Group is a SCIM group. Members is nil when the group was read without them.
type Group struct {
	ID          string   `json:"id,omitempty"`
	ExternalID  string   `json:"externalId,omitempty"`
	DisplayName string   `json:"displayName"`
	Members     []Member `json:"members,omitempty"`
	Meta        *Meta    `json:"meta,omitempty"`
}

type groupAlias Group

// MarshalJSON adds the schemas list and leaves out server-owned metadata.
func (g Group) MarshalJSON() ([]byte, error) {
	g.Meta = nil
	return json.Marshal(struct {
		Schemas []string `json:"schemas"`
		groupAlias
	}{[]string{SchemaGroup}, groupAlias(g)})
}

// Ptr returns a pointer to v, for optional fields such as User.Active.
func Ptr[T any](v T) *T { return &v }

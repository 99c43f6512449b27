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
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// Schema URNs of the Cisco profile.
const (
	UserSchemaID      = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchemaID     = "urn:ietf:params:scim:schemas:core:2.0:Group"
	CiscoUserSchemaID = "urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User"
	// EnterpriseUserSchemaID is RFC 7643's enterprise user extension.
	EnterpriseUserSchemaID = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// userSchema is the attribute set Cisco documents, plus emails, which Okta's
// conformance test sends and reads back, and title (RFC 7643 core), which
// attribute mappings may send.
func userSchema() schema.Schema {
	str := func(name string) schema.CoreAttribute {
		return schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: name}))
	}
	return schema.Schema{
		ID:          UserSchemaID,
		Name:        optional.NewString("User"),
		Description: optional.NewString("User Account (Cisco Secure Access profile)"),
		Attributes: []schema.CoreAttribute{
			schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
				Name: "userName", Required: true, Uniqueness: schema.AttributeUniquenessServer(),
			})),
			str("displayName"),
			str("title"),
			schema.ComplexCoreAttribute(schema.ComplexParams{
				Name: "name",
				SubAttributes: []schema.SimpleParams{
					schema.SimpleStringParams(schema.StringParams{Name: "formatted"}),
					schema.SimpleStringParams(schema.StringParams{Name: "givenName"}),
					schema.SimpleStringParams(schema.StringParams{Name: "familyName"}),
				},
			}),
			schema.SimpleCoreAttribute(schema.SimpleBooleanParams(schema.BooleanParams{Name: "active"})),
			schema.ComplexCoreAttribute(schema.ComplexParams{
				Name:        "emails",
				MultiValued: true,
				SubAttributes: []schema.SimpleParams{
					schema.SimpleStringParams(schema.StringParams{Name: "value"}),
					schema.SimpleStringParams(schema.StringParams{Name: "display"}),
					schema.SimpleStringParams(schema.StringParams{Name: "type"}),
					schema.SimpleBooleanParams(schema.BooleanParams{Name: "primary"}),
				},
			}),
		},
	}
}

func ciscoUserSchema() schema.Schema {
	return schema.Schema{
		ID:          CiscoUserSchemaID,
		Name:        optional.NewString("CiscoUmbrellaUser"),
		Description: optional.NewString("Cisco Umbrella / Secure Access user extension"),
		Attributes: []schema.CoreAttribute{
			schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: "nativeObjectId"})),
			schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: "authName"})),
		},
	}
}

// enterpriseUserSchema is the part of RFC 7643 §4.3 that attribute
// mappings send.
func enterpriseUserSchema() schema.Schema {
	str := func(name string) schema.CoreAttribute {
		return schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: name}))
	}
	return schema.Schema{
		ID:          EnterpriseUserSchemaID,
		Name:        optional.NewString("EnterpriseUser"),
		Description: optional.NewString("Enterprise User"),
		Attributes: []schema.CoreAttribute{
			str("employeeNumber"), str("costCenter"), str("organization"), str("division"), str("department"),
			schema.ComplexCoreAttribute(schema.ComplexParams{
				Name: "manager",
				SubAttributes: []schema.SimpleParams{
					schema.SimpleStringParams(schema.StringParams{Name: "value"}),
					schema.SimpleReferenceParams(schema.ReferenceParams{Name: "$ref", ReferenceTypes: []schema.AttributeReferenceType{"User"}}),
					schema.SimpleStringParams(schema.StringParams{Name: "displayName", Mutability: schema.AttributeMutabilityReadOnly()}),
				},
			}),
		},
	}
}

// StringExtension is a user extension schema of string attributes, for a
// Generic target that defines its own.
func StringExtension(id string, attrs ...string) schema.Schema {
	s := schema.Schema{ID: id, Name: optional.NewString("Extension"), Description: optional.NewString("Custom user extension")}
	for _, a := range attrs {
		s.Attributes = append(s.Attributes, schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: a})))
	}
	return s
}

// schemaSet resolves attribute paths against a resource's schemas so
// stored maps always use canonical attribute names.
type schemaSet struct {
	core schema.Schema
	exts []schema.Schema
}

var commonAttrs = schema.Attributes(schema.CommonAttributes())

// lookup finds the attribute named name in the schema identified by uri
// ("" or the core URN for the core schema). ext is the extension URN the
// attribute lives under, "" for core attributes.
func (s schemaSet) lookup(uri, name string) (attr schema.CoreAttribute, ext string, ok bool) {
	if uri == "" || strings.EqualFold(uri, s.core.ID) {
		if a, ok := s.core.Attributes.ContainsAttribute(name); ok {
			return a, "", true
		}
		a, ok := commonAttrs.ContainsAttribute(name)
		return a, "", ok
	}
	for _, e := range s.exts {
		if strings.EqualFold(uri, e.ID) {
			a, ok := e.Attributes.ContainsAttribute(name)
			return a, e.ID, ok
		}
	}
	return schema.CoreAttribute{}, "", false
}

// extension returns the canonical URN if uri names an extension schema.
func (s schemaSet) extension(uri string) (string, bool) {
	for _, e := range s.exts {
		if strings.EqualFold(uri, e.ID) {
			return e.ID, true
		}
	}
	return "", false
}

// splitAttr splits "urn:…:User:name.givenName" into URN, name and sub-attribute.
func (s schemaSet) splitAttr(p string) (uri, name, sub string) {
	if ext, ok := s.extension(p); ok {
		return ext, "", ""
	}
	if strings.HasPrefix(strings.ToLower(p), "urn:") {
		if i := strings.LastIndex(p, ":"); i > 0 {
			uri, p = p[:i], p[i+1:]
		}
	}
	name, sub, _ = strings.Cut(p, ".")
	return uri, name, sub
}

// schemaExtensions lists the extensions for the library, none required.
func (h *handler) schemaExtensions() []scim.SchemaExtension {
	var out []scim.SchemaExtension
	for _, e := range h.schemas.exts {
		out = append(out, scim.SchemaExtension{Schema: e})
	}
	return out
}

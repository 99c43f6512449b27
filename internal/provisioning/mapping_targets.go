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
	"fmt"
	"regexp"
	"strings"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// valueKind is what an expression for a target attribute must produce.
type valueKind int

const (
	// kindString is a string; null or "" means no value.
	kindString valueKind = iota
	// kindEmails is a string or a list of strings, the first one primary.
	kindEmails
	// kindManager is the Okta user id of the manager, sent as the target
	// id of the user linked to it.
	kindManager
)

// attrRef names where a mapped value lives in userAttrs: a fixed field
// (negative) or an index into userAttrs.Extra.
type attrRef int

const (
	refUserName attrRef = -1 - iota
	refDisplayName
	refGivenName
	refFamilyName
	refEmail
	refNativeObjectID
	// refFormatted is derived from the names, never mapped by itself.
	refFormatted
)

// targetAttr is one target attribute an expression can fill.
type targetAttr struct {
	// Name is how spec.attributeMapping names it.
	Name string
	// Path is the SCIM attribute path of a PATCH.
	Path string
	// Schema is the extension schema URN ("" for the core schema) and Attr
	// the attribute's name inside it.
	Schema, Attr string
	Kind         valueKind
	// Fixed is the userAttrs field of the attribute, or 0 when its value is
	// kept in userAttrs.Extra.
	Fixed attrRef
	// Profile, when set, is the only target profile that accepts it.
	Profile Profile
}

const enterpriseSchema = scim.SchemaEnterpriseUser

// knownTargets are the attributes with a name of their own.
var knownTargets = []targetAttr{
	{Name: "userName", Path: "userName", Fixed: refUserName},
	{Name: "displayName", Path: "displayName", Fixed: refDisplayName},
	{Name: "name.givenName", Path: "name.givenName", Fixed: refGivenName},
	{Name: "name.familyName", Path: "name.familyName", Fixed: refFamilyName},
	{Name: "emails", Path: "emails", Kind: kindEmails, Fixed: refEmail},
	{Name: "title", Path: "title", Attr: "title"},
	{Name: "department", Schema: enterpriseSchema, Attr: "department"},
	{Name: "employeeNumber", Schema: enterpriseSchema, Attr: "employeeNumber"},
	{Name: "manager", Schema: enterpriseSchema, Attr: "manager", Kind: kindManager},
	{Name: "nativeObjectId", Schema: scim.SchemaCiscoUser, Attr: "nativeObjectId", Fixed: refNativeObjectID, Profile: ProfileCiscoSecureAccess},
	{Name: "authName", Schema: scim.SchemaCiscoUser, Attr: "authName", Profile: ProfileCiscoSecureAccess},
}

// path is the attribute's PATCH path: "<schema>:<attribute>" for an
// extension schema's.
func (t targetAttr) path() string {
	if t.Schema != "" {
		return t.Schema + ":" + t.Attr
	}
	return t.Path
}

// fixedPath is the PATCH path of each fixed userAttrs field, taken from
// knownTargets so that a path is spelled once; name.formatted is derived
// from the names and has no target of its own.
var fixedPath = func() map[attrRef]string {
	out := map[attrRef]string{refFormatted: "name.formatted"}
	for _, t := range knownTargets {
		if t.Fixed != 0 {
			out[t.Fixed] = t.path()
		}
	}
	return out
}()

// extensionPath is "urn:<schema>:<attribute>", a custom extension attribute.
var extensionPath = regexp.MustCompile(`^(urn:[A-Za-z0-9][A-Za-z0-9.:_-]*):([A-Za-z][A-Za-z0-9_]*)$`)

// lookupTarget resolves a target name for a profile.
func lookupTarget(name string, profile Profile) (targetAttr, error) {
	for _, t := range knownTargets {
		if t.Name != name {
			continue
		}
		if t.Profile != "" && t.Profile != profile {
			return targetAttr{}, fmt.Errorf("%s is an attribute of the %s profile only", name, t.Profile)
		}
		t.Path = t.path()
		return t, nil
	}
	m := extensionPath.FindStringSubmatch(name)
	if m == nil {
		return targetAttr{}, fmt.Errorf("unknown target attribute %q", name)
	}
	if profile != ProfileGeneric {
		return targetAttr{}, fmt.Errorf("extension attribute %s needs the Generic profile", name)
	}
	if reservedSchema(m[1]) {
		return targetAttr{}, fmt.Errorf("%s: use the attribute's own name for the core, enterprise and Cisco schemas", name)
	}
	return targetAttr{Name: name, Path: name, Schema: m[1], Attr: m[2]}, nil
}

// reservedSchema reports the schemas whose attributes have names of their own.
func reservedSchema(urn string) bool {
	for _, s := range []string{scim.SchemaUser, scim.SchemaEnterpriseUser, scim.SchemaCiscoUser} {
		if strings.EqualFold(urn, s) {
			return true
		}
	}
	return false
}

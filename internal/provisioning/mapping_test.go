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
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// oktaUser builds an Okta user as the client decodes one (numbers are
// float64, lists []any, null nil).
func oktaUser(status string, profile map[string]any) okta.User {
	p := map[string]any{"login": "Jane.Doe@Example.com", "email": "jane@example.com", "firstName": "Jane", "lastName": "Doe",
		"displayName": "Jane Doe"}
	for k, v := range profile {
		if v == "<absent>" {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return okta.User{ID: "00u1", Status: status, Profile: p}
}

// mapped compiles cfg and maps u as a cycle does.
func mapped(t *testing.T, cfg *Config, u okta.User) (*desiredUser, error) {
	t.Helper()
	m, err := compileMapping(cfg)
	if err != nil {
		return nil, err
	}
	cfg.compiled = m
	return mapUser(cfg, u), nil
}

func exprs(pairs ...string) []AttributeExpression {
	var out []AttributeExpression
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, AttributeExpression{Target: pairs[i], Expression: pairs[i+1]})
	}
	return out
}

// extra returns the value mapped for an Extra target.
func extra(cfg *Config, d *desiredUser, target string) string {
	for _, a := range cfg.compiled.extra {
		if a.Name == target {
			return d.Attrs.get(attrRef(a.slot))
		}
	}
	return "<not mapped>"
}

func TestMappingAndScopeEvaluation(t *testing.T) {
	costly := "[" + strings.Repeat("1,", 29) + "1].map(a, [" + strings.Repeat("1,", 29) + "1].map(b, [" +
		strings.Repeat("1,", 29) + "1].map(c, a + b + c))).size() > 0"
	tests := []struct {
		name    string
		status  string
		profile map[string]any
		cfg     func(*Config)
		// get reads the value under test from the mapped user.
		get func(*Config, *desiredUser) string
		// want is the value, or "ERR:" + a substring of the user's
		// Invalid message, or "OUT" for a user outside the scope.
		want string
		// compileErr is a substring of the compile error, if one is expected.
		compileErr string
	}{
		{name: "userName lower-cased from login",
			cfg:  func(c *Config) { c.Mapping.Expressions = exprs("userName", "user.profile.login.lowerAscii()") },
			get:  func(_ *Config, d *desiredUser) string { return d.Attrs.UserName },
			want: "jane.doe@example.com"},
		{name: "displayName built from the names",
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("displayName", `user.profile.lastName + ", " + user.profile.firstName`)
			},
			get:  func(_ *Config, d *desiredUser) string { return d.Attrs.DisplayName },
			want: "Doe, Jane"},
		{name: "domain stripped from the login",
			cfg:  func(c *Config) { c.Mapping.Expressions = exprs("authName", `user.profile.login.split("@")[0]`) },
			get:  func(c *Config, d *desiredUser) string { return extra(c, d, "authName") },
			want: "Jane.Doe"},
		{name: "constants",
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("userName", `user.profile.login.split("@")[0].lowerAscii() + "@" + constants.domain`)
				c.Mapping.Constants = map[string]string{"domain": "corp.example"}
			},
			get:  func(_ *Config, d *desiredUser) string { return d.Attrs.UserName },
			want: "jane.doe@corp.example"},
		{name: "user.id and user.status",
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("employeeNumber", `user.status == "ACTIVE" ? user.id : ""`)
			},
			get:  func(c *Config, d *desiredUser) string { return extra(c, d, "employeeNumber") },
			want: "00u1"},
		{name: "missing attribute fails the user",
			profile: map[string]any{"title": "<absent>"},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profile.title") },
			want:    "ERR:title: no such key: title"},
		{name: "missing attribute guarded with has()",
			profile: map[string]any{"title": "<absent>"},
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("title", `has(user.profile.title) ? user.profile.title : "Staff"`)
			},
			get:  func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want: "Staff"},
		{name: "missing attribute as an optional with a default",
			profile: map[string]any{"title": "<absent>"},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", `user.profile.?title.orValue("Staff")`) },
			get:     func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want:    "Staff"},
		{name: "missing attribute as an empty optional is no value",
			profile: map[string]any{"title": "<absent>"},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", `user.profile.?title`) },
			get:     func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want:    ""},
		{name: "null attribute is no value",
			profile: map[string]any{"title": nil},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profile.title") },
			get:     func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want:    ""},
		{name: "empty attribute is no value too",
			profile: map[string]any{"title": ""},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profile.title") },
			get:     func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want:    ""},
		{name: "null and empty differ inside an expression",
			profile: map[string]any{"title": nil},
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("title", `user.profile.title == null ? "null" : (user.profile.title == "" ? "empty" : "set")`)
			},
			get:  func(c *Config, d *desiredUser) string { return extra(c, d, "title") },
			want: "null"},
		{name: "emails from one string",
			cfg:  func(c *Config) { c.Mapping.Expressions = exprs("emails", "user.profile.email") },
			get:  func(_ *Config, d *desiredUser) string { return d.Attrs.Email },
			want: "jane@example.com"},
		{name: "emails from a list: order kept, duplicates, nulls and empties dropped",
			profile: map[string]any{"secondEmail": nil},
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("emails", `[user.profile.email, user.profile.login.lowerAscii(), user.profile.secondEmail, "", "JANE@example.com"]`)
			},
			get:  func(_ *Config, d *desiredUser) string { return strings.ReplaceAll(d.Attrs.Email, "\n", ",") },
			want: "jane@example.com,jane.doe@example.com"},
		{name: "emails from an Okta array attribute",
			profile: map[string]any{"aliases": []any{"a@example.com", "b@example.com"}},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("emails", `user.profile.aliases`) },
			get:     func(_ *Config, d *desiredUser) string { return strings.ReplaceAll(d.Attrs.Email, "\n", ",") },
			want:    "a@example.com,b@example.com"},
		{name: "emails list with a number fails the user",
			profile: map[string]any{"aliases": []any{"a@example.com", 7.0}},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("emails", `user.profile.aliases`) },
			want:    "ERR:element 1: produced double, not a string"},
		{name: "emails must be strings at compile time",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("emails", `[1, 2]`) },
			compileErr: "must produce a string or a list of strings, not list(int)"},
		{name: "type error at compile time",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("displayName", "1 + 2") },
			compileErr: "must produce a string, not int"},
		{name: "type error at run time fails the user",
			profile: map[string]any{"employeeNumber": 1234.0},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("employeeNumber", "user.profile.employeeNumber") },
			want:    "ERR:employeeNumber: produced double, not a string"},
		{name: "a number converted with string()",
			profile: map[string]any{"employeeNumber": 1234.0},
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("employeeNumber", "string(int(user.profile.employeeNumber))")
			},
			get:  func(c *Config, d *desiredUser) string { return extra(c, d, "employeeNumber") },
			want: "1234"},
		{name: "userName that produces no value fails the user",
			profile: map[string]any{"samAccountName": ""},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("userName", "user.profile.samAccountName") },
			want:    "ERR:userName: the expression produced no value"},
		{name: "manager keeps the Okta id (resolved to the target id when planned)",
			profile: map[string]any{"managerId": "00u2"},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("manager", "user.profile.managerId") },
			get:     func(c *Config, d *desiredUser) string { return extra(c, d, "manager") },
			want:    "00u2"},
		{name: "scope holds",
			profile: map[string]any{"department": "Sales"},
			cfg:     func(c *Config) { c.Scope = `user.profile.department != "Contractors"` },
			get:     func(_ *Config, d *desiredUser) string { return d.Attrs.UserName },
			want:    "Jane.Doe@Example.com"},
		{name: "scope excludes",
			profile: map[string]any{"department": "Contractors"},
			cfg:     func(c *Config) { c.Scope = `user.profile.department != "Contractors"` },
			want:    "OUT"},
		{name: "scope error fails the user and keeps it in scope",
			profile: map[string]any{"department": "<absent>"},
			cfg:     func(c *Config) { c.Scope = `user.profile.department != "Contractors"` },
			want:    "ERR:scope: no such key: department"},
		{name: "scope that is not a bool at run time fails the user",
			cfg:  func(c *Config) { c.Scope = `user.profile.login` },
			want: "ERR:scope: produced string, not a bool"},
		{name: "scope that cannot be a bool",
			cfg:        func(c *Config) { c.Scope = `"yes"` },
			compileErr: "scope: the expression must produce a bool, not string"},
		{name: "STAGED users are not provisioned whatever the scope",
			status: okta.StatusStaged,
			cfg:    func(c *Config) { c.Scope = "true" },
			want:   "OUT"},
		{name: "cost limit exceeded fails the user",
			cfg:  func(c *Config) { c.Scope = costly },
			want: "ERR:exceeded the cost limit of 10000"},
		{name: "misspelt user field",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profil.title") },
			compileErr: `user has no field "profil"`},
		{name: "undefined constant",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("title", "constants.titel") },
			compileErr: `constant "titel" is not defined`},
		{name: "syntax error",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profile.title +") },
			compileErr: "Syntax error"},
		{name: "undeclared variable",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("title", "usr.profile.title") },
			compileErr: "undeclared reference to 'usr'"},
		{name: "unknown target attribute",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("nickName", "user.profile.nickName") },
			compileErr: `unknown target attribute "nickName"`},
		{name: "Cisco attribute on a Generic target",
			cfg: func(c *Config) {
				c.Profile = ProfileGeneric
				c.Mapping.Expressions = exprs("authName", "user.profile.login")
			},
			compileErr: "authName is an attribute of the CiscoSecureAccess profile only"},
		{name: "extension attribute on a Cisco target",
			cfg: func(c *Config) {
				c.Mapping.Expressions = exprs("urn:example:params:scim:schemas:extension:acme:2.0:User:badge", "user.id")
			},
			compileErr: "needs the Generic profile"},
		{name: "extension attribute on a Generic target",
			cfg: func(c *Config) {
				c.Profile = ProfileGeneric
				c.Mapping.Expressions = exprs("urn:example:params:scim:schemas:extension:acme:2.0:User:badge", `"B-" + user.id`)
			},
			get: func(c *Config, d *desiredUser) string {
				return extra(c, d, "urn:example:params:scim:schemas:extension:acme:2.0:User:badge")
			},
			want: "B-00u1"},
		{name: "the same attribute mapped twice",
			cfg:        func(c *Config) { c.Mapping.Expressions = exprs("title", "'a'", "title", "'b'") },
			compileErr: "title: mapped twice"},
		{name: "an unknown applyOn",
			cfg: func(c *Config) {
				c.Mapping.Expressions = []AttributeExpression{{Target: "title", Expression: "'a'", ApplyOn: "Sometimes"}}
			},
			compileErr: "applyOn must be Always or Create"},
		{name: "shorthands keep their meaning beside expressions",
			profile: map[string]any{"displayName": ""},
			cfg:     func(c *Config) { c.Mapping.Expressions = exprs("title", "'Engineer'") },
			get:     func(_ *Config, d *desiredUser) string { return d.Attrs.DisplayName },
			want:    "Jane Doe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{Profile: ProfileCiscoSecureAccess, Mapping: Mapping{UserName: "login", DisplayName: "displayName"}}
			tt.cfg(cfg)
			status := tt.status
			if status == "" {
				status = okta.StatusActive
			}
			d, err := mapped(t, cfg, oktaUser(status, tt.profile))
			if tt.compileErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.compileErr) {
					t.Fatalf("compile error %v, want one with %q", err, tt.compileErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			var got string
			switch {
			case d == nil:
				got = "OUT"
			case d.Invalid != "":
				got = "ERR:" + d.Invalid
			default:
				got = tt.get(cfg, d)
			}
			if strings.HasPrefix(tt.want, "ERR:") {
				if !strings.HasPrefix(got, "ERR:") || !strings.Contains(got, strings.TrimPrefix(tt.want, "ERR:")) {
					t.Fatalf("got %q, want an invalid user with %q", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Expressions whose worst case fits the cost limit for values within
// sizeBound run untracked for users whose values are; the rest is tracked.
func TestCostTrackingOnlyWhereNeeded(t *testing.T) {
	costly := "[" + strings.Repeat("1,", 29) + "1].map(a, [" + strings.Repeat("1,", 29) + "1].map(b, [" +
		strings.Repeat("1,", 29) + "1].map(c, a + b + c))).size() > 0"
	cfg := &Config{Profile: ProfileCiscoSecureAccess, Scope: costly,
		Mapping: Mapping{Expressions: exprs("title", "user.profile.title.lowerAscii()", "department", "user.profile.tags.map(t, t + t).join(',')")}}
	m, err := compileMapping(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.attrs[0].prog.untracked == nil {
		t.Error("a bounded expression has no untracked plan")
	}
	if m.attrs[1].prog.untracked != nil || m.scope.untracked != nil {
		t.Error("an expression without a bound under the limit has an untracked plan")
	}
	if !m.allProfile && !slices.Equal(m.profileKeys, []string{"tags", "title"}) {
		t.Errorf("profile keys %v", m.profileKeys)
	}
	small := oktaUser(okta.StatusActive, map[string]any{"title": "Eng", "tags": []any{"a"}})
	large := oktaUser(okta.StatusActive, map[string]any{"title": strings.Repeat("x", sizeBound+1), "tags": []any{"a"}})
	if !m.input(small).bounded || m.input(large).bounded {
		t.Error("bounded: want small true, large false")
	}
	// The large user is evaluated tracked, and still correctly.
	v, err := m.attrs[0].eval(m.input(large))
	if err != nil || v != strings.Repeat("x", sizeBound+1) {
		t.Errorf("large user: %v", err)
	}
}

func TestProfileAttributes(t *testing.T) {
	cfg := Config{Profile: ProfileCiscoSecureAccess, Scope: `has(user.profile.department) && user.status == "ACTIVE"`,
		Mapping: Mapping{Expressions: exprs("title", `user.profile.?title.orValue(user.profile["jobTitle"])`, "displayName", "user.profile.nickName")}}
	keys, all, err := ProfileAttributes(cfg)
	if err != nil || all || !slices.Equal(keys, []string{"department", "jobTitle", "nickName", "title"}) {
		t.Fatalf("keys %v all %t err %v", keys, all, err)
	}
	cfg.Scope = `user.profile.exists(k, k.startsWith("x"))`
	if _, all, _ := ProfileAttributes(cfg); !all {
		t.Fatal("a loop over the profile needs every attribute")
	}
}

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
	"testing"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// benchExpressions is the mapping of BENCH_MAPPING=cel.
var benchExpressions = []AttributeExpression{
	{Target: "userName", Expression: "user.profile.login.lowerAscii()"},
	{Target: "displayName", Expression: `user.profile.?displayName.orValue("") != "" ? user.profile.displayName : (user.profile.firstName + " " + user.profile.lastName).trim()`},
	{Target: "name.givenName", Expression: "user.profile.firstName"},
	{Target: "name.familyName", Expression: "user.profile.lastName"},
	{Target: "department", Expression: `user.profile.?department.orValue("")`},
	{Target: "employeeNumber", Expression: `user.profile.?employeeNumber.orValue("")`},
}

func benchUser() okta.User {
	return okta.User{ID: "00u1", Status: okta.StatusActive, Profile: map[string]any{
		"login": "ada.lovelace.1@example.com", "email": "ada.lovelace.1@example.com", "firstName": "Ada", "lastName": "Lovelace",
		"displayName": "Ada Lovelace", "department": "IT", "employeeNumber": "100001", "objectGUID": "q83vEjRWeJq83vEjRWeJqw==",
	}}
}

func BenchmarkMapUser(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"plain", Config{Profile: ProfileCiscoSecureAccess, Mapping: Mapping{UserName: "login", DisplayName: "displayName"}}},
		{"cel", Config{Profile: ProfileCiscoSecureAccess, Mapping: Mapping{UserName: "login", DisplayName: "displayName", Expressions: benchExpressions},
			Scope: `user.profile.?department.orValue("") != "Contractors"`}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := tc.cfg
			m, err := compileMapping(&cfg)
			if err != nil {
				b.Fatal(err)
			}
			cfg.compiled = m
			u := benchUser()
			b.ReportAllocs()
			for b.Loop() {
				if d := mapUser(&cfg, u); d == nil || d.Invalid != "" {
					b.Fatal("not mapped")
				}
			}
		})
	}
}

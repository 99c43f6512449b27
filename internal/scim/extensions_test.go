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

import (
	"encoding/json"
	"slices"
	"testing"
)

const acme = "urn:example:params:scim:schemas:extension:acme:2.0:User"

func TestUserExtensionsRoundTrip(t *testing.T) {
	u := User{UserName: "a@example.com", Title: "Engineer",
		Enterprise: &EnterpriseUser{Department: "R&D", Manager: &Manager{Value: "m1"}},
		Extensions: map[string]map[string]any{acme: {"badge": "B-1"}}}
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	schemas, _ := raw["schemas"].([]any)
	for _, want := range []string{SchemaUser, SchemaEnterpriseUser, acme} {
		if !slices.Contains(schemas, any(want)) {
			t.Errorf("schemas %v lacks %s", schemas, want)
		}
	}
	var back User
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Title != "Engineer" || back.Enterprise.Department != "R&D" || back.Enterprise.Manager.Value != "m1" ||
		back.Extensions[acme]["badge"] != "B-1" {
		t.Fatalf("read back %+v (enterprise %+v)", back, back.Enterprise)
	}
}

func TestUserWithoutOtherExtensionsKeepsNoMap(t *testing.T) {
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acme + `"],"userName":"a"}`,
		`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"}}`,
		`{"userName":"urn:not-a-key"}`,
	} {
		var u User
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatal(err)
		}
		if u.Extensions != nil || u.UserName == "" {
			t.Errorf("%s: extensions %v", body, u.Extensions)
		}
	}
}

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
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestOktaSpecConformance reproduces the checks of Okta's published
// "SCIM 2.0 SPEC Test" against the test server, step by step.
func TestOktaSpecConformance(t *testing.T) {
	h := newHarness(t, Options{})
	const (
		listSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
		errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
	)
	// Okta runs the test against an app with at least one user.
	_, err := h.srv.AddUser(map[string]any{
		"userName": "existing@atko.com", "active": true,
		"name":   map[string]any{"givenName": "Existing", "familyName": "User"},
		"emails": []any{map[string]any{"value": "existing@atko.com", "type": "work", "primary": true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	filter := func(userName string) string {
		return "/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "%s"`, userName))
	}
	first, last := "Runscope123", "Abcdefghi456"
	email := first + last + "@atko.com"

	t.Run("1 list users with count and startIndex", func(t *testing.T) {
		r := h.mustStatus(h.get("/Users?count=1&startIndex=1"), 200)
		if !notEmpty(r.json["Resources"]) || !hasValue(r.json["schemas"], listSchema) {
			t.Fatalf("%s", r.raw)
		}
		for _, k := range []string{"itemsPerPage", "startIndex", "totalResults"} {
			if !isNumber(r.json[k]) {
				t.Errorf("%s is not a number: %s", k, r.raw)
			}
		}
		for _, p := range []string{"id", "name.familyName", "name.givenName", "userName", "active", "emails[0].value"} {
			if !notEmpty(at(r.json, "Resources[0]."+p)) {
				t.Errorf("Resources[0].%s empty", p)
			}
		}
	})

	t.Run("2 get user by id", func(t *testing.T) {
		list := h.get("/Users?count=1&startIndex=1")
		id, _ := at(list.json, "Resources[0].id").(string)
		r := h.mustStatus(h.get("/Users/"+id), 200)
		for _, p := range []string{"id", "name.familyName", "name.givenName", "userName", "active", "emails[0].value"} {
			if !notEmpty(at(r.json, p)) {
				t.Errorf("%s empty", p)
			}
		}
		if r.json["id"] != id {
			t.Errorf("id %v, want %s", r.json["id"], id)
		}
	})

	t.Run("3 filter on an unknown userName", func(t *testing.T) {
		r := h.mustStatus(h.get(filter("abcdefgh@atko.com")), 200)
		if !hasValue(r.json["schemas"], listSchema) || r.json["totalResults"] != 0.0 {
			t.Fatalf("%s", r.raw)
		}
	})

	t.Run("4 unknown id gives a SCIM 404", func(t *testing.T) {
		r := h.mustStatus(h.get("/Users/010101001010101011001010101011"), 404)
		if !notEmpty(r.json["detail"]) || !hasValue(r.json["schemas"], errorSchema) {
			t.Fatalf("%s", r.raw)
		}
	})

	t.Run("5 filter on the user to be created finds none", func(t *testing.T) {
		r := h.mustStatus(h.get(filter(email)), 200)
		if r.json["totalResults"] != 0.0 || !hasValue(r.json["schemas"], listSchema) {
			t.Fatalf("%s", r.raw)
		}
	})

	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,`+
		`"name":{"givenName":%q,"familyName":%q},"emails":[{"primary":true,"value":%q,"type":"work"}],`+
		`"displayName":"%s %s","active":true}`, email, first, last, email, first, last)
	var createdID string

	t.Run("6 create user gives 201", func(t *testing.T) {
		r := h.mustStatus(h.do("POST", "/Users", "-", body), 201)
		if r.json["active"] != true || !notEmpty(r.json["id"]) || at(r.json, "name.familyName") != last ||
			at(r.json, "name.givenName") != first || r.json["userName"] != email ||
			!hasValue(r.json["schemas"], "urn:ietf:params:scim:schemas:core:2.0:User") {
			t.Fatalf("%s", r.raw)
		}
		if at(r.json, "emails[0].value") != email {
			t.Errorf("emails[0].value = %v", at(r.json, "emails[0].value"))
		}
		createdID, _ = r.json["id"].(string)
	})

	t.Run("7 get the created user", func(t *testing.T) {
		r := h.mustStatus(h.get("/Users/"+createdID), 200)
		if r.json["userName"] != email || at(r.json, "name.familyName") != last || at(r.json, "name.givenName") != first {
			t.Fatalf("%s", r.raw)
		}
	})

	t.Run("8 duplicate create gives 409", func(t *testing.T) {
		h.mustStatus(h.do("POST", "/Users", "-", body), 409)
	})

	t.Run("9 upper-case userName filter finds the user", func(t *testing.T) {
		r := h.mustStatus(h.get(filter(strings.ToUpper(email))), 200)
		// Okta only checks the status; the server also finds the user.
		if r.json["totalResults"] != 1.0 || at(r.json, "Resources[0].id") != createdID {
			t.Fatalf("%s", r.raw)
		}
	})

	t.Run("10 list groups", func(t *testing.T) {
		if _, err := h.srv.AddGroup("Okta Group"); err != nil {
			t.Fatal(err)
		}
		r := h.mustStatus(h.get("/Groups"), 200)
		if r.json["totalResults"] != 1.0 {
			t.Fatalf("%s", r.raw)
		}
		if _, ok := r.json["Resources"].([]any); !ok {
			t.Fatalf("Resources is not an array: %s", r.raw)
		}
	})

	t.Run("11 bad token gives a SCIM 401", func(t *testing.T) {
		r := h.mustStatus(h.do("GET", filter(strings.ToUpper(email)), "non-token", nil), 401)
		if !notEmpty(r.json["detail"]) || r.json["status"] != "401" || !hasValue(r.json["schemas"], errorSchema) {
			t.Fatalf("%s", r.raw)
		}
	})

	t.Run("12 unknown id gives a SCIM 404 with status", func(t *testing.T) {
		r := h.mustStatus(h.get("/Users/00919288221112222"), 404)
		if !notEmpty(r.json["detail"]) || r.json["status"] != "404" || !hasValue(r.json["schemas"], errorSchema) {
			t.Fatalf("%s", r.raw)
		}
	})
}

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
	"reflect"
	"slices"
	"testing"
)

func patchBody(ops ...string) string {
	s := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	for i, op := range ops {
		if i > 0 {
			s += ","
		}
		s += op
	}
	return s + "]}"
}

func TestPatchUser(t *testing.T) {
	const ext = "urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User"
	seed := map[string]any{
		"userName": "p@x", "active": true, "displayName": "P",
		"name": map[string]any{"givenName": "G", "familyName": "F"},
		"emails": []any{
			map[string]any{"value": "work@x", "type": "work", "primary": true},
			map[string]any{"value": "home@x", "type": "home"},
		},
	}
	for _, tc := range []struct {
		name   string
		ops    []string
		status int
		check  func(t *testing.T, u map[string]any)
	}{
		{"okta no-path replace of active", []string{`{"op":"replace","value":{"id":"ignored","active":false}}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, u["active"], false) }},
		{"path replace", []string{`{"op":"Replace","path":"displayName","value":"Q"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, u["displayName"], "Q") }},
		{"sub-attribute replace", []string{`{"op":"replace","path":"name.givenName","value":"H"}`}, 200,
			func(t *testing.T, u map[string]any) {
				want(t, at(u, "name.givenName"), "H")
				want(t, at(u, "name.familyName"), "F")
			}},
		{"complex replace merges", []string{`{"op":"replace","path":"name","value":{"formatted":"G F"}}`}, 200,
			func(t *testing.T, u map[string]any) {
				want(t, at(u, "name.formatted"), "G F")
				want(t, at(u, "name.givenName"), "G")
			}},
		{"no-path with dotted key", []string{`{"op":"replace","value":{"name.familyName":"K"}}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, at(u, "name.familyName"), "K") }},
		{"extension via no-path container", []string{`{"op":"add","value":{"` + ext + `":{"authName":"a1"}}}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, extAttr(u, "authName"), "a1") }},
		{"extension via path", []string{`{"op":"replace","path":"` + ext + `:nativeObjectId","value":"guid"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, extAttr(u, "nativeObjectId"), "guid") }},
		{"value filter with sub-attribute", []string{`{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@x"}`}, 200,
			func(t *testing.T, u map[string]any) {
				want(t, at(u, "emails[0].value"), "new@x")
				want(t, at(u, "emails[1].value"), "home@x")
			}},
		{"value filter remove", []string{`{"op":"remove","path":"emails[type eq \"home\"]"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, len(u["emails"].([]any)), 1) }},
		{"value filter replaces whole value", []string{`{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"h2@x","type":"home"}}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, at(u, "emails[1].value"), "h2@x") }},
		{"add appends to multi-valued", []string{`{"op":"add","path":"emails","value":[{"value":"other@x","type":"other"},{"value":"home@x","type":"home"}]}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, len(u["emails"].([]any)), 3) }},
		{"remove attribute", []string{`{"op":"remove","path":"displayName"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, u["displayName"], nil) }},
		{"remove sub-attribute", []string{`{"op":"remove","path":"name.givenName"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, at(u, "name.givenName"), nil) }},
		{"sub-attribute of every email", []string{`{"op":"replace","path":"emails.display","value":"d"}`}, 200,
			func(t *testing.T, u map[string]any) { want(t, at(u, "emails[1].display"), "d") }},
		{"filter without match", []string{`{"op":"replace","path":"emails[type eq \"none\"].value","value":"x"}`}, 400, nil},
		{"remove without path", []string{`{"op":"remove"}`}, 400, nil},
		{"unknown attribute", []string{`{"op":"replace","path":"nickName","value":"x"}`}, 400, nil},
		{"read-only attribute", []string{`{"op":"replace","path":"id","value":"x"}`}, 400, nil},
		{"empty userName", []string{`{"op":"replace","path":"userName","value":""}`}, 400, nil},
		{"atomic: second op fails", []string{`{"op":"replace","path":"displayName","value":"changed"}`, `{"op":"replace","path":"emails[type eq \"none\"]","value":{"value":"x"}}`}, 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			id, err := h.srv.AddUser(seed)
			if err != nil {
				t.Fatal(err)
			}
			r := h.do("PATCH", "/Users/"+id, "-", patchBody(tc.ops...))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			u := h.mustStatus(h.get("/Users/"+id), 200).json
			if tc.check != nil {
				tc.check(t, u)
				return
			}
			if !hasValue(r.json["schemas"], "urn:ietf:params:scim:api:messages:2.0:Error") {
				t.Fatalf("not a SCIM error: %s", r.raw)
			}
			// Failed patches change nothing.
			want(t, u["displayName"], "P")
			want(t, len(u["emails"].([]any)), 2)
		})
	}
}

func TestPatchUserNameUniqueness(t *testing.T) {
	h := newHarness(t, Options{})
	if _, err := h.srv.AddUser(map[string]any{"userName": "a@x"}); err != nil {
		t.Fatal(err)
	}
	id, _ := h.srv.AddUser(map[string]any{"userName": "b@x"})
	h.mustStatus(h.do("PATCH", "/Users/"+id, "-", patchBody(`{"op":"replace","path":"userName","value":"A@X"}`)), 409)
	h.mustStatus(h.do("PATCH", "/Users/"+id, "-", patchBody(`{"op":"replace","path":"userName","value":"c@x"}`)), 200)
	if got, ok := h.srv.UserIDByName("C@X"); !ok || got != id {
		t.Fatal("userName index not updated")
	}
	if _, ok := h.srv.UserIDByName("b@x"); ok {
		t.Fatal("old userName still indexed")
	}
}

func TestPatchGroupMembers(t *testing.T) {
	h := newHarness(t, Options{})
	var ids []string
	for i := range 5 {
		id, _ := h.srv.AddUser(map[string]any{"userName": fmt.Sprintf("u%d", i)})
		ids = append(ids, id)
	}
	members := func(gid string) []string { m, _ := h.srv.GroupMembers(gid); return m }
	for _, tc := range []struct {
		name   string
		start  []string
		ops    []string
		status int
		want   []string
	}{
		{"add", ids[:1], []string{fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q},{"value":%q}]}`, ids[1], ids[0])}, 204, ids[:2]},
		{"remove with value filter", ids[:3], []string{fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%s\"]"}`, ids[1])}, 204, []string{ids[0], ids[2]}},
		{"remove absent member", ids[:1], []string{`{"op":"remove","path":"members[value eq \"nope\"]"}`}, 204, ids[:1]},
		{"remove with value list", ids[:3], []string{fmt.Sprintf(`{"op":"remove","path":"members","value":[{"value":%q}]}`, ids[0])}, 204, ids[1:3]},
		{"remove all", ids[:3], []string{`{"op":"remove","path":"members"}`}, 204, nil},
		{"replace members", ids[:3], []string{fmt.Sprintf(`{"op":"replace","path":"members","value":[{"value":%q}]}`, ids[4])}, 204, ids[4:5]},
		{"no-path replace with members and name", ids[:1], []string{fmt.Sprintf(`{"op":"replace","value":{"displayName":"New","members":[{"value":%q}]}}`, ids[3])}, 204, ids[3:4]},
		{"remove with other filter", ids[:3], []string{fmt.Sprintf(`{"op":"remove","path":"members[value ne \"%s\"]"}`, ids[0])}, 204, ids[:1]},
		{"atomic rollback", ids[:2], []string{fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%s\"]"}`, ids[0]), fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, ids[2]), `{"op":"replace","path":"displayName","value":""}`}, 400, ids[:2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gid, err := h.srv.AddGroup("G-"+tc.name, tc.start...)
			if err != nil {
				t.Fatal(err)
			}
			r := h.do("PATCH", "/Groups/"+gid, "-", patchBody(tc.ops...))
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := members(gid); !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
				t.Fatalf("members %v, want %v", got, want)
			}
		})
	}
}

func TestStrictMembers(t *testing.T) {
	h := newHarness(t, Options{StrictMembers: true})
	uid, _ := h.srv.AddUser(map[string]any{"userName": "u"})
	gid, _ := h.srv.AddGroup("G")
	h.mustStatus(h.do("PATCH", "/Groups/"+gid, "-", patchBody(`{"op":"add","path":"members","value":[{"value":"ghost"}]}`)), 400)
	h.mustStatus(h.do("PATCH", "/Groups/"+gid, "-", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, uid))), 204)
	h.mustStatus(h.do("POST", "/Groups", "-", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"H","members":[{"value":"ghost"}]}`), 400)
	// Deleting a user drops it from groups.
	h.mustStatus(h.do("DELETE", "/Users/"+uid, "-", nil), 204)
	if m, _ := h.srv.GroupMembers(gid); len(m) != 0 {
		t.Fatalf("members %v", m)
	}
}

func want(t *testing.T, got, want any) {
	t.Helper()
	if _, ok := got.(float64); ok {
		if w, ok := want.(int); ok {
			want = float64(w)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func extAttr(u map[string]any, name string) any {
	m, _ := u[CiscoUserSchemaID].(map[string]any)
	return m[name]
}

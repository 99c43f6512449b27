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

package okta

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var testKeep = keepOf("login", "firstName", "nums", "tags", "odd\u00e9")

func keepOf(names ...string) profileKeys {
	var r request
	KeepProfile(names...)(&r)
	return r.profile
}

// viaEncodingJSON is what the fast decoder must produce: encoding/json's
// result with the profile cut to the kept attributes.
func viaEncodingJSON(body []byte, keep profileKeys) ([]User, error) {
	var users []User
	if err := json.Unmarshal(body, &users); err != nil {
		return nil, err
	}
	for i, u := range users {
		if u.Profile == nil {
			continue
		}
		kept := map[string]any{}
		for k, v := range u.Profile {
			if _, ok := keep[k]; ok {
				kept[k] = v
			}
		}
		users[i].Profile = kept
	}
	return users, nil
}

// checkSameAsEncodingJSON compares the fast decoder with encoding/json. The
// fast decoder may accept a page encoding/json refuses only for values it
// does not keep (say a number out of float64's range in a skipped attribute).
func checkSameAsEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	var got []User
	err := decodeUsers(body, testKeep, &got)
	want, werr := viaEncodingJSON(body, testKeep)
	switch {
	case werr == nil && err != nil:
		t.Fatalf("%q: encoding/json decodes it, the fast decoder says %v", body, err)
	case werr != nil && err != nil:
		return
	case werr != nil:
		var all []User
		if decodeUsers(body, nil, &all) == nil {
			t.Fatalf("%q: accepted with every attribute kept, encoding/json says %v", body, werr)
		}
		return
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", body, got, want)
	}
}

func TestDecodeUsersMatchesEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`[]`, `null`, ` [ ] `, `[{}]`,
		`[{"id":"00u1","status":"ACTIVE","created":"2024-01-02T03:04:05.000Z","lastUpdated":"2024-01-02T03:04:05.000Z",
		  "activated":null,"statusChanged":"2024-01-03T00:00:00.000Z","lastLogin":null,"passwordChanged":"2024-01-04T00:00:00Z",
		  "type":{"id":"oty1"},"profile":{"login":"a@x","firstName":"\u00c5sa","lastName":"L","nums":12.5,"tags":["a",{"b":null}],
		  "odd\u00e9":"k","skip":{"deep":[1,2,{"x":"}]\""}]}},"credentials":{"provider":{"type":"OKTA"}},"_links":{"self":{"href":"h"}}}]`,
		`[{"id":"00u2","profile":{"login":"esc\"aped\\\/\n","firstName":"\ud800 lone","nums":-0,"tags":true}}]`,
		"[{\"id\":\"00u3\",\"profile\":{\"login\":\"bad \xff utf8\",\"firstName\":null}}]",
		`[{"ID":"00u4","profile":{"login":"case"}}]`,
		`[{"id":"00u5","id":"00u6"}]`,
		`[{"id":"00u7","profile":{"login":"a"},"profile":{"firstName":"b"}}]`,
		`[{"id":5}]`, `[{"status":true}]`, `[{"created":"yesterday"}]`, `[{"profile":[]}]`, `[{"profile":"x"}]`,
		`[{"id":"00u8","profile":null,"status":null}]`, `[{"id":"00u9","profile":{"skip":1e999}}]`,
		`[{"id":"00uA","profile":{"nums":1e999}}]`, `{"id":"00uB"}`, `[{"id":"00uC"}] x`, `[{"id":"00uD"},]`, `[{"id":"00uE"`,
		`[{"id":"00uF","\u0069d":"00uG"}]`, `[{"id":"00uH","profile":{"log\u0069n":"via escape"}}]`,
	} {
		checkSameAsEncodingJSON(t, []byte(body))
	}
}

func TestDecodeUsersKeepsOnlyTheNamedAttributes(t *testing.T) {
	body := []byte(`[{"id":"00u1","profile":{"login":"a@x","department":"R&D","employeeNumber":"7"}}]`)
	var users []User
	if err := decodeUsers(body, keepOf("login"), &users); err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || !reflect.DeepEqual(users[0].Profile, map[string]any{"login": "a@x"}) {
		t.Fatalf("users = %#v", users)
	}
	var all []User
	if err := decodeUsers(body, nil, &all); err != nil || len(all[0].Profile) != 3 {
		t.Fatalf("without a selection every attribute is kept: %#v %v", all, err)
	}
}

func TestDecodeUserSingleObject(t *testing.T) {
	var u User
	if err := decodeUser([]byte(` {"id":"00u1","status":"SUSPENDED","profile":{"login":"a","x":1}} `), keepOf("login"), &u); err != nil {
		t.Fatal(err)
	}
	if u.ID != "00u1" || u.Status != "SUSPENDED" || len(u.Profile) != 1 {
		t.Fatalf("user = %#v", u)
	}
	if err := decodeUser([]byte(`{"id":"00u1"`), keepOf(), &u); err == nil {
		t.Fatal("a cut object decoded")
	}
}

func FuzzDecodeUsers(f *testing.F) {
	f.Add(`[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x","firstName":"\u00c5","tags":[1,"x"]}}]`)
	f.Add(`[{"id":"00u2","lastUpdated":"2024-01-02T03:04:05.000Z","profile":{"nums":1.5e3,"odd\u00e9":null}},{}]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, body string) {
		if strings.Count(body, "[")+strings.Count(body, "{") > 200 {
			return // deep nesting only tests encoding/json's limits
		}
		checkSameAsEncodingJSON(t, []byte(body))
	})
}

// benchPage is a page of a thousand users shaped like Okta's.
func benchPage() []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"00u` + strings.Repeat("x", 17) + `","status":"ACTIVE","created":"2024-01-02T03:04:05.000Z",` +
			`"activated":"2024-01-02T03:04:05.000Z","statusChanged":null,"lastLogin":"2024-05-02T03:04:05.000Z",` +
			`"lastUpdated":"2024-01-02T03:04:05.000Z","passwordChanged":"2024-01-02T03:04:05.000Z","type":{"id":"oty1"},` +
			`"profile":{"firstName":"Ada","lastName":"Lovelace","login":"ada.lovelace.1@example.com","email":"ada.lovelace.1@example.com",` +
			`"displayName":"Ada Lovelace","department":"Engineering","objectGUID":"3q2+7w==","employeeNumber":"100001",` +
			`"title":null,"mobilePhone":null,"secondEmail":null,"city":"London","countryCode":"GB","manager":null},` +
			`"credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://x.okta.com/api/v1/users/00u"}}}`)
	}
	b.WriteString("]")
	return []byte(b.String())
}

func BenchmarkDecodeUsersPage(b *testing.B) {
	page := benchPage()
	keep := keepOf("login", "firstName", "lastName", "displayName")
	b.Run("selected", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var users []User
			if err := decodeUsers(page, keep, &users); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var users []User
			if err := json.Unmarshal(page, &users); err != nil {
				b.Fatal(err)
			}
		}
	})
}

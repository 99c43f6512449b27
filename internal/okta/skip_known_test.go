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
	"reflect"
	"testing"
)

// A known user comes back with its id only; the others are decoded as
// without SkipKnown.
func TestSkipKnownReturnsKnownUsersByIDOnly(t *testing.T) {
	body := []byte(`[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x"}},` +
		`{"id":"00u2","status":"SUSPENDED","profile":{"login":"b@x"}}]`)
	var asked []string
	known := func(id string) bool { asked = append(asked, id); return id == "00u1" }
	var got []User
	if err := decodeUsersSkipping(body, keepOf("login"), known, &got); err != nil {
		t.Fatal(err)
	}
	want := []User{{ID: "00u1"}, {ID: "00u2", Status: "SUSPENDED", Profile: map[string]any{"login": "b@x"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("users = %#v, want %#v", got, want)
	}
	if !reflect.DeepEqual(asked, []string{"00u1", "00u2"}) {
		t.Fatalf("known asked for %v", asked)
	}
}

// A read's options reach the decoder: with SkipKnown a known user is its
// id alone, also when fields came before the id.
func TestSkipKnownReachesTheDecoder(t *testing.T) {
	var r request
	SkipKnown(func(string) bool { return true })(&r)
	KeepProfile("login")(&r)
	var got []User
	body := []byte(`[{"status":"ACTIVE","id":"00u9","profile":{"login":"z@x"}}]`)
	if err := decodeInto(body, r, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []User{{ID: "00u9"}}) {
		t.Fatalf("users = %#v", got)
	}
}

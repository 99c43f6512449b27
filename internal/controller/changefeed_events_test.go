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

package controller

import (
	"fmt"
	"testing"

	"github.com/scimbridge/scimbridge/internal/okta"
)

func TestFeedScopeMapsEvents(t *testing.T) {
	sc := feedScope{groups: map[string]bool{"g1": true}, people: map[string]bool{"ann@example.com": true}}
	user := func(id, login string) okta.LogTarget { return okta.LogTarget{ID: id, Type: "User", AlternateID: login} }
	group := func(id string) okta.LogTarget { return okta.LogTarget{ID: id, Type: "UserGroup"} }
	for _, tc := range []struct {
		typ     string
		targets []okta.LogTarget
		want    string
	}{
		{"group.user_membership.add", []okta.LogTarget{user("u1", "bob@x"), group("g1")}, "{[] [u1] []}"},
		{"group.user_membership.remove", []okta.LogTarget{user("u1", "bob@x"), group("g2")}, "{[] [] []}"},
		{"group.profile.update", []okta.LogTarget{group("g1")}, "{[] [] [g1]}"},
		{"group.lifecycle.delete", []okta.LogTarget{group("g2")}, "{[] [] []}"},
		{"user.lifecycle.suspend", []okta.LogTarget{user("u1", "bob@x")}, "{[u1] [] []}"},
		{"user.lifecycle.create", []okta.LogTarget{user("u2", "bob@x")}, "{[] [] []}"},
		{"user.lifecycle.create", []okta.LogTarget{user("u3", "Ann@Example.com")}, "{[] [u3] []}"},
		{"user.account.update_profile", []okta.LogTarget{user("u3", "ann@example.com")}, "{[] [u3] []}"},
	} {
		got := fmt.Sprint(sc.targetsOf(okta.LogEvent{EventType: tc.typ, Target: tc.targets}))
		if got != tc.want {
			t.Errorf("%s %v: %s, want %s", tc.typ, tc.targets, got, tc.want)
		}
	}
}

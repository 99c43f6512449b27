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
	"strings"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// feedEventTypes are the System Log events that can change what an
// integration provisions; the poll asks for these only.
var feedEventTypes = []string{
	"user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.deactivate", "user.lifecycle.suspend",
	"user.lifecycle.unsuspend", "user.lifecycle.reactivate", "user.lifecycle.delete.completed",
	"user.account.update_profile", "group.user_membership.add", "group.user_membership.remove",
	"group.profile.update", "group.lifecycle.delete",
}

// feedScope is what the feed knows of an integration to map events to it
// without asking the engine: its configured Okta groups and its direct
// assignments (lower-cased logins or ids).
type feedScope struct {
	groups map[string]bool
	people map[string]bool
}

// targetsOf maps one event to the objects the integration must re-read.
// Memberships count only for configured groups; a user's own events are
// kept for the engine to judge (Engine.Relevant), and a direct assignment
// that appears (created, renamed to the assigned login) is read in full.
func (sc feedScope) targetsOf(ev okta.LogEvent) provisioning.Targets {
	var user, group *okta.LogTarget
	for i := range ev.Target {
		switch ev.Target[i].Type {
		case "User":
			user = &ev.Target[i]
		case "UserGroup":
			group = &ev.Target[i]
		}
	}
	var t provisioning.Targets
	switch {
	case strings.HasPrefix(ev.EventType, "group.user_membership."):
		if user != nil && group != nil && sc.groups[group.ID] {
			t.Members = []string{user.ID}
		}
	case strings.HasPrefix(ev.EventType, "group."):
		if group != nil && sc.groups[group.ID] {
			t.Groups = []string{group.ID}
		}
	case user != nil && (sc.people[strings.ToLower(user.AlternateID)] || sc.people[user.ID]):
		t.Members = []string{user.ID}
	case user != nil && ev.EventType != "user.lifecycle.create":
		t.Users = []string{user.ID}
	}
	return t
}

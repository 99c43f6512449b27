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

package oktaserver

import (
	"encoding/json"
	"net/http"
	"time"
)

// Okta error codes the emulator emits.
const (
	codeValidation   = "E0000001"
	codeForbidden    = "E0000006"
	codeNotFound     = "E0000007"
	codeInvalidToken = "E0000011"
	codeRateLimited  = "E0000047"
)

// TimeFormat is Okta's timestamp rendering: UTC, milliseconds, Z.
const TimeFormat = "2006-01-02T15:04:05.000Z"

type oktaTime time.Time

func (t oktaTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(t).UTC().Format(TimeFormat))
}

func optTime(t *time.Time) *oktaTime {
	if t == nil {
		return nil
	}
	o := oktaTime(*t)
	return &o
}

type href struct {
	Href string `json:"href"`
	// Method appears on lifecycle links, as in Okta.
	Method string `json:"method,omitempty"`
}

type userJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Created         oktaTime        `json:"created"`
	Activated       *oktaTime       `json:"activated"`
	StatusChanged   *oktaTime       `json:"statusChanged"`
	LastLogin       *oktaTime       `json:"lastLogin"`
	LastUpdated     oktaTime        `json:"lastUpdated"`
	PasswordChanged *oktaTime       `json:"passwordChanged"`
	Type            map[string]any  `json:"type"`
	Profile         map[string]any  `json:"profile"`
	Credentials     map[string]any  `json:"credentials"`
	Links           map[string]href `json:"_links"`
}

// lifecycleLinks lists, per status, the operations Okta advertises on a single user.
var lifecycleLinks = map[string][]string{
	Staged:          {"activate", "deactivate"},
	Provisioned:     {"activate", "deactivate"},
	Active:          {"suspend", "deactivate", "resetPassword", "expirePassword"},
	Recovery:        {"deactivate", "suspend"},
	PasswordExpired: {"deactivate", "suspend"},
	LockedOut:       {"unlock", "deactivate"},
	Suspended:       {"unsuspend", "deactivate"},
	Deprovisioned:   {"activate"},
}

// renderUser builds the user JSON; full adds lifecycle links (single-user
// responses), while collections carry only self, as in Okta.
func renderUser(u *user, base string, full bool) userJSON {
	self := base + "/api/v1/users/" + u.id
	links := map[string]href{"self": {Href: self}}
	if full {
		for _, op := range lifecycleLinks[u.status] {
			links[op] = href{Href: self + "/lifecycle/" + op, Method: http.MethodPost}
		}
		links["schema"] = href{Href: base + "/api/v1/meta/schemas/user/osc1defaultschema0"}
		links["type"] = href{Href: base + "/api/v1/meta/types/user/" + u.typeID}
	}
	profile := make(map[string]any, len(u.profile))
	for k, v := range u.profile {
		profile[k] = v
	}
	return userJSON{
		ID: u.id, Status: u.status, Created: oktaTime(u.created), Activated: optTime(u.activated),
		StatusChanged: optTime(u.statusChanged), LastLogin: optTime(u.lastLogin), LastUpdated: oktaTime(u.lastUpdated),
		PasswordChanged: optTime(u.pwChanged), Type: map[string]any{"id": u.typeID}, Profile: profile,
		Credentials: map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}},
		Links:       links,
	}
}

type groupJSON struct {
	ID                    string           `json:"id"`
	Created               oktaTime         `json:"created"`
	LastUpdated           oktaTime         `json:"lastUpdated"`
	LastMembershipUpdated oktaTime         `json:"lastMembershipUpdated"`
	ObjectClass           []string         `json:"objectClass"`
	Type                  string           `json:"type"`
	Profile               groupProfileJSON `json:"profile"`
	Links                 map[string]any   `json:"_links"`
}

type groupProfileJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func renderGroup(g *group, base string) groupJSON {
	self := base + "/api/v1/groups/" + g.id
	return groupJSON{
		ID: g.id, Created: oktaTime(g.created), LastUpdated: oktaTime(g.lastUpdated),
		LastMembershipUpdated: oktaTime(g.lastMembershipUpdated), ObjectClass: []string{"okta:user_group"},
		Type: g.typ, Profile: groupProfileJSON{Name: g.name, Description: g.description},
		Links: map[string]any{
			"self":  href{Href: self},
			"users": href{Href: self + "/users"},
			"apps":  href{Href: self + "/apps"},
			"logo":  []any{map[string]string{"name": "medium", "href": base + "/img/logos/groups/okta-medium.png", "type": "image/png"}},
		},
	}
}

type errorJSON struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// writeError writes Okta's error body; errorLink repeats the code, as Okta does.
func writeError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	body := errorJSON{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: "oae" + randString(22), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

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
	"fmt"
	"strconv"
	"time"
)

// User statuses as defined by Okta's UserStatus enum.
const (
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	StatusActive          = "ACTIVE"
	StatusRecovery        = "RECOVERY"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusLockedOut       = "LOCKED_OUT"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
)

// TimeFormat is how Okta renders timestamps: UTC with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// User is an Okta user. Profile keeps every attribute, custom ones included,
// so attribute mapping can read any key.
type User struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Created         time.Time      `json:"created"`
	Activated       *time.Time     `json:"activated"`
	StatusChanged   *time.Time     `json:"statusChanged"`
	LastLogin       *time.Time     `json:"lastLogin"`
	LastUpdated     time.Time      `json:"lastUpdated"`
	PasswordChanged *time.Time     `json:"passwordChanged,omitempty"`
	Profile         map[string]any `json:"profile"`
}

// Login returns profile.login.
func (u User) Login() string { return u.str("login") }

// Email returns profile.email.
func (u User) Email() string { return u.str("email") }

// FirstName returns profile.firstName.
func (u User) FirstName() string { return u.str("firstName") }

// LastName returns profile.lastName.
func (u User) LastName() string { return u.str("lastName") }

// DisplayName returns profile.displayName.
func (u User) DisplayName() string { return u.str("displayName") }

func (u User) str(name string) string {
	s, _ := u.Attr(name)
	return s
}

// Attr returns a profile attribute as text. Numbers and booleans are
// formatted; null, missing, arrays and objects report false.
func (u User) Attr(name string) (string, bool) {
	v, ok := u.Profile[name]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int, int64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// Group is an Okta group.
type Group struct {
	ID                    string       `json:"id"`
	Type                  string       `json:"type"`
	Created               time.Time    `json:"created"`
	LastUpdated           time.Time    `json:"lastUpdated"`
	LastMembershipUpdated time.Time    `json:"lastMembershipUpdated"`
	Profile               GroupProfile `json:"profile"`
}

// GroupProfile holds the group's name and description.
type GroupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// formatTime renders t the way Okta's search expressions expect.
func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

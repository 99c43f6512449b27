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
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// profileKeys is the set of profile attributes a read keeps (nil keeps
// all), each mapped to itself: the decoded profiles share these strings as
// their keys instead of allocating one per user.
type profileKeys map[string]string

// ReadOption adjusts a read of users.
type ReadOption func(*request)

// KeepProfile keeps only the named profile attributes of each user read
// (none when no name is given); without it every attribute is kept. On a
// large directory most of a page is attributes nobody maps: not decoding
// them saves most of the time and memory a page costs.
func KeepProfile(names ...string) ReadOption {
	keep := make(profileKeys, len(names))
	for _, n := range names {
		keep[n] = n
	}
	return func(r *request) { r.profile = keep }
}

// SkipKnown returns the users known reports true for with their id only,
// their other fields not decoded. A user in many groups is read once per
// group's member list; the caller that has the user from an earlier list
// needs only the membership. It applies where KeepProfile selects the
// profile (the fast decoder); known may be called concurrently. The rest
// of a skipped user's object is scanned as JSON but not held to
// encoding/json's rules for a User (a repeated id, a mistyped field there
// pass unnoticed): nothing of it is kept.
func SkipKnown(known func(id string) bool) ReadOption {
	return func(r *request) { r.known = known }
}

func withOptions(r request, opts []ReadOption) request {
	for _, o := range opts {
		o(&r)
	}
	return r
}

// decodeInto decodes a body into out: users with the request's profile
// selection, anything else with encoding/json.
func decodeInto(body []byte, r request, out any) error {
	switch v := out.(type) {
	case *[]User:
		return decodeUsersSkipping(body, r.profile, r.known, v)
	case *User:
		return decodeUser(body, r.profile, v)
	}
	return json.Unmarshal(body, out)
}

// errNotFast sends a body the fast decoder does not handle to encoding/json.
var errNotFast = errors.New("okta: not a shape the user decoder handles")

// decodeUsers decodes a page of users (a JSON array, or null) into out.
// The fast path reads only what a User holds and skips the rest without
// allocating; anything unusual (a type mismatch, a field name in another
// case, a repeated field) is decoded by encoding/json instead, so results
// and errors are exactly encoding/json's.
func decodeUsers(body []byte, keep profileKeys, out *[]User) error {
	return decodeUsersSkipping(body, keep, nil, out)
}

// decodeUsersSkipping is decodeUsers with SkipKnown's known (nil: none).
func decodeUsersSkipping(body []byte, keep profileKeys, known func(string) bool, out *[]User) error {
	if keep == nil || !json.Valid(body) {
		return json.Unmarshal(body, out)
	}
	users, err := fastUsers(body, keep, known)
	if err != nil {
		return json.Unmarshal(body, out)
	}
	*out = users
	return nil
}

// decodeUser is decodeUsers for a single user object.
func decodeUser(body []byte, keep profileKeys, out *User) error {
	if keep == nil || !json.Valid(body) {
		*out = User{}
		return json.Unmarshal(body, out)
	}
	s := &scan{b: body}
	u, err := s.user(keep)
	if err == nil && !s.end() {
		err = errNotFast
	}
	if err != nil {
		*out = User{}
		return json.Unmarshal(body, out)
	}
	*out = u
	return nil
}

func fastUsers(body []byte, keep profileKeys, known func(string) bool) ([]User, error) {
	s := &scan{b: body}
	if s.null() {
		return nil, errNotFast // let encoding/json decide what null does to the slice
	}
	if !s.take('[') {
		return nil, errNotFast
	}
	users := []User{}
	for !s.take(']') {
		if len(users) > 0 && !s.take(',') {
			return nil, errNotFast
		}
		u, err := s.userSkipping(keep, known)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	if !s.end() {
		return nil, errNotFast
	}
	return users, nil
}

// userField indexes the fields of User, to notice a repeated one.
const (
	fieldID = 1 << iota
	fieldStatus
	fieldCreated
	fieldActivated
	fieldStatusChanged
	fieldLastLogin
	fieldLastUpdated
	fieldPasswordChanged
	fieldProfile
)

// user decodes one user object.
func (s *scan) user(keep profileKeys) (User, error) { return s.userSkipping(keep, nil) }

// userSkipping decodes one user object, or only its id once known reports
// it (the rest is scanned, not decoded).
func (s *scan) userSkipping(keep profileKeys, known func(string) bool) (User, error) {
	var u User
	seen, skip := 0, false
	err := s.object(func(key, raw []byte) error {
		if skip {
			return nil
		}
		f, err := u.setField(key, raw, keep)
		if err != nil || f&seen != 0 {
			return errNotFast
		}
		seen |= f
		if f == fieldID && known != nil && u.ID != "" && known(u.ID) {
			u, skip = User{ID: u.ID}, true
		}
		return nil
	})
	return u, err
}

// setField stores one field of a user object and says which it was (0 for
// fields a User does not hold).
func (u *User) setField(key, raw []byte, keep profileKeys) (int, error) {
	switch string(key) {
	case "id":
		return fieldID, decodeString(raw, &u.ID)
	case "status":
		if known, ok := statuses[string(raw)]; ok {
			u.Status = known // the shared constant, not a copy per user
			return fieldStatus, nil
		}
		return fieldStatus, decodeString(raw, &u.Status)
	case "created":
		return fieldCreated, u.Created.UnmarshalJSON(raw)
	case "lastUpdated":
		return fieldLastUpdated, u.LastUpdated.UnmarshalJSON(raw)
	case "activated":
		return fieldActivated, decodeTimePtr(raw, &u.Activated)
	case "statusChanged":
		return fieldStatusChanged, decodeTimePtr(raw, &u.StatusChanged)
	case "lastLogin":
		return fieldLastLogin, decodeTimePtr(raw, &u.LastLogin)
	case "passwordChanged":
		return fieldPasswordChanged, decodeTimePtr(raw, &u.PasswordChanged)
	case "profile":
		return fieldProfile, decodeProfile(raw, keep, &u.Profile)
	}
	for _, name := range userFieldNames {
		if len(key) == len(name) && bytes.EqualFold(key, name) {
			return 0, errNotFast // encoding/json matches field names case-insensitively
		}
	}
	return 0, nil
}

var userFieldNames = [][]byte{[]byte("id"), []byte("status"), []byte("created"), []byte("lastUpdated"), []byte("activated"),
	[]byte("statusChanged"), []byte("lastLogin"), []byte("passwordChanged"), []byte("profile")}

func decodeString(raw []byte, dst *string) error {
	if raw[0] == 'n' {
		return nil // null leaves a string as it is
	}
	if raw[0] != '"' {
		return errNotFast
	}
	*dst = stringValue(raw)
	return nil
}

// stringValue decodes a JSON string literal: plain text is copied as is,
// anything with escapes or invalid UTF-8 goes through encoding/json.
func stringValue(raw []byte) string {
	if inner := raw[1 : len(raw)-1]; plain(inner) {
		return string(inner)
	}
	var v string
	_ = json.Unmarshal(raw, &v) // raw is a valid string literal
	return v
}

// statuses maps each status literal to its constant.
var statuses = func() map[string]string {
	m := map[string]string{}
	for _, st := range []string{StatusStaged, StatusProvisioned, StatusActive, StatusRecovery,
		StatusPasswordExpired, StatusLockedOut, StatusSuspended, StatusDeprovisioned} {
		m[`"`+st+`"`] = st
	}
	return m
}()

// plain reports whether a string literal's content is its text: no escapes
// and valid UTF-8 (encoding/json replaces invalid bytes).
func plain(inner []byte) bool {
	return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

func decodeTimePtr(raw []byte, dst **time.Time) error {
	if raw[0] == 'n' {
		*dst = nil
		return nil
	}
	t := new(time.Time)
	if err := t.UnmarshalJSON(raw); err != nil {
		return err
	}
	*dst = t
	return nil
}

func decodeProfile(raw []byte, keep profileKeys, dst *map[string]any) error {
	if raw[0] == 'n' {
		*dst = nil
		return nil
	}
	if raw[0] != '{' {
		return errNotFast
	}
	profile := make(map[string]any, len(keep))
	err := (&scan{b: raw}).object(func(key, v []byte) error {
		name, ok := keep[string(key)]
		if !ok {
			return nil
		}
		if v[0] == '"' {
			profile[name] = stringValue(v)
			return nil
		}
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		profile[name] = x
		return nil
	})
	*dst = profile
	return err
}

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
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// User statuses (Okta's UserStatus enum).
const (
	Staged          = "STAGED"
	Provisioned     = "PROVISIONED"
	Active          = "ACTIVE"
	Recovery        = "RECOVERY"
	PasswordExpired = "PASSWORD_EXPIRED"
	LockedOut       = "LOCKED_OUT"
	Suspended       = "SUSPENDED"
	Deprovisioned   = "DEPROVISIONED"
)

var statuses = []string{Staged, Provisioned, Active, Recovery, PasswordExpired, LockedOut, Suspended, Deprovisioned}

type user struct {
	id                                             string
	status                                         string
	created, lastUpdated                           time.Time
	activated, statusChanged, lastLogin, pwChanged *time.Time
	profile                                        map[string]any
	typeID                                         string
}

type group struct {
	id, typ                                     string
	created, lastUpdated, lastMembershipUpdated time.Time
	name, description                           string
	members                                     map[string]bool
	sorted                                      []string // member ids in id order; nil when stale
}

func (g *group) memberIDs() []string {
	if g.sorted == nil {
		g.sorted = slices.Sorted(maps.Keys(g.members))
	}
	return g.sorted
}

var idCounter atomic.Uint64

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID makes a 20-character Okta-style id (prefix + 17 chars) whose
// lexical order follows creation order, which keeps cursors simple.
func newID(prefix string) string {
	n := idCounter.Add(1)
	var b [12]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = idAlphabet[n%62]
		n /= 62
	}
	return prefix + "1" + string(b[:]) + "0g4x"
}

// now is the emulator's clock, truncated to Okta's millisecond precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// UserSpec describes a user to add. Login is required; Status defaults to ACTIVE.
type UserSpec struct {
	ID        string // optional fixed id
	Login     string
	Email     string
	FirstName string
	LastName  string
	Status    string
	// Profile holds extra attributes (custom ones such as objectGUID included).
	Profile map[string]any
	// Created and LastUpdated default to now; seeds use them to age data.
	Created, LastUpdated time.Time
}

// AddUser adds a user and returns its id.
func (s *Server) AddUser(spec UserSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addUserLocked(spec)
	if err == nil {
		s.logLocked("user.lifecycle.create", userTarget(s.users[id]))
	}
	return id, err
}

func (s *Server) addUserLocked(spec UserSpec) (string, error) {
	if spec.Login == "" {
		if l, ok := spec.Profile["login"].(string); ok {
			spec.Login = l
		}
	}
	if spec.Login == "" {
		return "", fmt.Errorf("%w: login is required", ErrInvalid)
	}
	if _, ok := s.loginIdx[strings.ToLower(spec.Login)]; ok {
		return "", fmt.Errorf("%w: login %q already exists", ErrConflict, spec.Login)
	}
	status := spec.Status
	if status == "" {
		status = Active
	}
	if !slices.Contains(statuses, status) {
		return "", fmt.Errorf("%w: unknown status %q", ErrInvalid, status)
	}
	id := spec.ID
	if id == "" {
		id = newID("00u")
	}
	if _, ok := s.users[id]; ok {
		return "", fmt.Errorf("%w: user id %q already exists", ErrConflict, id)
	}
	t := now()
	created := orDefault(spec.Created, t)
	u := &user{id: id, status: status, created: created, lastUpdated: orDefault(spec.LastUpdated, created), typeID: "oty1defaultusertype0", profile: map[string]any{}}
	maps.Copy(u.profile, spec.Profile)
	setIf(u.profile, "login", spec.Login)
	setIf(u.profile, "email", spec.Email)
	setIf(u.profile, "firstName", spec.FirstName)
	setIf(u.profile, "lastName", spec.LastName)
	if _, ok := u.profile["email"]; !ok {
		u.profile["email"] = spec.Login
	}
	if status != Staged {
		sc := u.lastUpdated
		u.statusChanged = &sc
		if status != Provisioned {
			act := created
			u.activated = &act
		}
	}
	s.users[id] = u
	s.userOrder = nil
	s.loginIdx[strings.ToLower(spec.Login)] = id
	return id, nil
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func orDefault(t, d time.Time) time.Time {
	if t.IsZero() {
		return d
	}
	return t.UTC().Truncate(time.Millisecond)
}

// transitions lists which statuses each lifecycle operation accepts.
var transitions = map[string]struct {
	from []string // empty: any
	to   string
}{
	"activate":   {[]string{Staged, Provisioned}, Active},
	"suspend":    {[]string{Active}, Suspended},
	"unsuspend":  {[]string{Suspended}, Active},
	"deactivate": {nil, Deprovisioned},
	"reactivate": {[]string{Deprovisioned}, Provisioned},
	"unlock":     {[]string{LockedOut}, Active},
	"lock":       {[]string{Active}, LockedOut},
	"expire":     {[]string{Active}, PasswordExpired},
}

// Lifecycle applies an Okta lifecycle operation (activate, suspend,
// unsuspend, deactivate, reactivate, unlock, lock, expire) to a user.
func (s *Server) Lifecycle(id, op string) error {
	tr, ok := transitions[op]
	if !ok {
		return fmt.Errorf("%w: unknown lifecycle operation %q", ErrInvalid, op)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return err
	}
	if tr.from != nil && !slices.Contains(tr.from, u.status) {
		return fmt.Errorf("%w: cannot %s a user in status %s", ErrInvalid, op, u.status)
	}
	s.setStatusLocked(u, tr.to)
	s.logLocked(lifecycleEvents[op], userTarget(u))
	return nil
}

// SetStatus forces a user's status, bypassing lifecycle rules.
func (s *Server) SetStatus(id, status string) error {
	if !slices.Contains(statuses, status) {
		return fmt.Errorf("%w: unknown status %q", ErrInvalid, status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return err
	}
	s.setStatusLocked(u, status)
	if ev, ok := statusEvents[status]; ok {
		s.logLocked(ev, userTarget(u))
	}
	return nil
}

func (s *Server) setStatusLocked(u *user, status string) {
	t := now()
	u.status, u.lastUpdated = status, t
	u.statusChanged = &t
	if status == Active && u.activated == nil {
		u.activated = &t
	}
}

// Suspend suspends an ACTIVE user.
func (s *Server) Suspend(id string) error { return s.Lifecycle(id, "suspend") }

// Unsuspend returns a SUSPENDED user to ACTIVE.
func (s *Server) Unsuspend(id string) error { return s.Lifecycle(id, "unsuspend") }

// Deactivate moves a user to DEPROVISIONED.
func (s *Server) Deactivate(id string) error { return s.Lifecycle(id, "deactivate") }

// Reactivate moves a DEPROVISIONED user to PROVISIONED.
func (s *Server) Reactivate(id string) error { return s.Lifecycle(id, "reactivate") }

// UpdateProfile merges attrs into a user's profile; a nil value removes the key.
func (s *Server) UpdateProfile(id string, attrs map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return err
	}
	if l, ok := attrs["login"].(string); ok && !strings.EqualFold(l, u.login()) {
		if _, taken := s.loginIdx[strings.ToLower(l)]; taken {
			return fmt.Errorf("%w: login %q already exists", ErrConflict, l)
		}
		delete(s.loginIdx, strings.ToLower(u.login()))
		s.loginIdx[strings.ToLower(l)] = u.id
	}
	for k, v := range attrs {
		if v == nil {
			delete(u.profile, k)
		} else {
			u.profile[k] = v
		}
	}
	u.lastUpdated = now()
	s.logLocked("user.account.update_profile", userTarget(u))
	return nil
}

// RecordLogin sets a user's lastLogin (which does not change lastUpdated, as in Okta).
func (s *Server) RecordLogin(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return err
	}
	t := now()
	u.lastLogin = &t
	return nil
}

// DeleteUser deletes a DEPROVISIONED user and removes it from its groups.
func (s *Server) DeleteUser(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return err
	}
	if u.status != Deprovisioned {
		return fmt.Errorf("%w: deactivate the user before deleting it", ErrInvalid)
	}
	t := now()
	for _, g := range s.groups {
		if g.members[u.id] {
			delete(g.members, u.id)
			g.sorted, g.lastMembershipUpdated = nil, t
		}
	}
	delete(s.loginIdx, strings.ToLower(u.login()))
	delete(s.users, u.id)
	s.userOrder = nil
	s.logLocked("user.lifecycle.delete.completed", userTarget(u))
	return nil
}

func (u *user) login() string { l, _ := u.profile["login"].(string); return l }

func (s *Server) userLocked(idOrLogin string) (*user, error) {
	if u, ok := s.users[idOrLogin]; ok {
		return u, nil
	}
	if id, ok := s.loginIdx[strings.ToLower(idOrLogin)]; ok {
		return s.users[id], nil
	}
	return nil, fmt.Errorf("%w: user %q", ErrNotFound, idOrLogin)
}

// GroupSpec describes a group to add.
type GroupSpec struct {
	ID          string
	Name        string
	Description string
	// Type defaults to OKTA_GROUP.
	Type                 string
	Created, LastUpdated time.Time
}

// AddGroup adds a group and returns its id. Okta allows duplicate names for
// some group types, so names are not forced unique.
func (s *Server) AddGroup(spec GroupSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addGroupLocked(spec)
	if err == nil {
		s.logLocked("group.lifecycle.create", groupTarget(s.groups[id]))
	}
	return id, err
}

func (s *Server) addGroupLocked(spec GroupSpec) (string, error) {
	if spec.Name == "" {
		return "", fmt.Errorf("%w: group name is required", ErrInvalid)
	}
	id := spec.ID
	if id == "" {
		id = newID("00g")
	}
	if _, ok := s.groups[id]; ok {
		return "", fmt.Errorf("%w: group id %q already exists", ErrConflict, id)
	}
	typ := spec.Type
	if typ == "" {
		typ = "OKTA_GROUP"
	}
	created := orDefault(spec.Created, now())
	lu := orDefault(spec.LastUpdated, created)
	s.groups[id] = &group{id: id, typ: typ, created: created, lastUpdated: lu, lastMembershipUpdated: lu,
		name: spec.Name, description: spec.Description, members: map[string]bool{}}
	s.groupOrder = nil
	return id, nil
}

// RenameGroup changes a group's name (and lastUpdated).
func (s *Server) RenameGroup(id, name string) error {
	if name == "" {
		return fmt.Errorf("%w: group name is required", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return fmt.Errorf("%w: group %q", ErrNotFound, id)
	}
	g.name, g.lastUpdated = name, now()
	s.logLocked("group.profile.update", groupTarget(g))
	return nil
}

// DeleteGroup removes a group.
func (s *Server) DeleteGroup(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return fmt.Errorf("%w: group %q", ErrNotFound, id)
	}
	s.logLocked("group.lifecycle.delete", groupTarget(g))
	delete(s.groups, id)
	s.groupOrder = nil
	return nil
}

// AddMember adds a user (id or login) to a group; adding a member twice is a no-op.
func (s *Server) AddMember(groupID, user string) error { return s.setMember(groupID, user, true) }

// RemoveMember removes a user from a group; removing a non-member is a no-op.
func (s *Server) RemoveMember(groupID, user string) error { return s.setMember(groupID, user, false) }

func (s *Server) setMember(groupID, userRef string, in bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok {
		return fmt.Errorf("%w: group %q", ErrNotFound, groupID)
	}
	u, err := s.userLocked(userRef)
	if err != nil {
		return err
	}
	if g.members[u.id] == in {
		return nil
	}
	if in {
		g.members[u.id] = true
	} else {
		delete(g.members, u.id)
	}
	g.sorted, g.lastMembershipUpdated = nil, now()
	ev := "group.user_membership.remove"
	if in {
		ev = "group.user_membership.add"
	}
	s.logLocked(ev, userTarget(u), groupTarget(g))
	return nil
}

// Members returns a group's member ids in id order.
func (s *Server) Members(groupID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok {
		return nil, fmt.Errorf("%w: group %q", ErrNotFound, groupID)
	}
	return slices.Clone(g.memberIDs()), nil
}

// UserIDs returns all user ids in id order.
func (s *Server) UserIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sortedUsers())
}

// GroupIDs returns all group ids in id order.
func (s *Server) GroupIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sortedGroups())
}

// UserStatus returns a user's status.
func (s *Server) UserStatus(id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userLocked(id)
	if err != nil {
		return "", err
	}
	return u.status, nil
}

func (s *Server) sortedUsers() []string {
	if s.userOrder == nil {
		s.userOrder = slices.Sorted(maps.Keys(s.users))
	}
	return s.userOrder
}

func (s *Server) sortedGroups() []string {
	if s.groupOrder == nil {
		s.groupOrder = slices.Sorted(maps.Keys(s.groups))
	}
	return s.groupOrder
}

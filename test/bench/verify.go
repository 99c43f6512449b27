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

package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// verifyResult compares a SCIM server's content with the model. Zero
// everywhere means the target is exactly what a correct cycle produces.
type verifyResult struct {
	UsersMissing    int      `json:"users_missing"`
	UsersWrong      int      `json:"users_wrong"`
	UsersUnexpected int      `json:"users_unexpected"`
	GroupsMissing   int      `json:"groups_missing"`
	MembersMissing  int      `json:"members_missing"`
	MembersExtra    int      `json:"members_extra"`
	Sample          []string `json:"sample,omitempty"`
}

func (v verifyResult) OK() bool {
	return v.UsersMissing+v.UsersWrong+v.UsersUnexpected+v.GroupsMissing+v.MembersMissing+v.MembersExtra == 0
}

func (v *verifyResult) note(format string, args ...any) {
	if len(v.Sample) < 10 {
		v.Sample = append(v.Sample, fmt.Sprintf(format, args...))
	}
}

func (v verifyResult) String() string {
	if v.OK() {
		return "ok"
	}
	return fmt.Sprintf("users missing %d wrong %d unexpected %d; groups missing %d; members missing %d extra %d",
		v.UsersMissing, v.UsersWrong, v.UsersUnexpected, v.GroupsMissing, v.MembersMissing, v.MembersExtra)
}

// verifyTarget reads the whole target with its own client (not counted in
// any phase) and compares it with want.
func verifyTarget(ctx context.Context, sc *scim.Client, snap *snapshot, want targetState, concurrency int) (verifyResult, error) {
	var v verifyResult
	byExt := map[string]scim.User{}
	extOf := map[string]string{}
	for u, err := range sc.ListUsers(ctx, scim.ListOptions{}) {
		if err != nil {
			return v, err
		}
		if u.ExternalID != "" {
			byExt[u.ExternalID] = u
		}
		extOf[u.ID] = u.ExternalID
	}
	for id, w := range want.Users {
		got, ok := byExt[id]
		if !ok {
			v.UsersMissing++
			v.note("user %s (%s) missing", w.Attrs.UserName, id)
			continue
		}
		if have := userAttrsOf(got); have != w.Attrs || got.IsActive() != w.Active {
			v.UsersWrong++
			v.note("user %s: have %+v active=%t, want %+v active=%t", w.Attrs.UserName, have, got.IsActive(), w.Attrs, w.Active)
		}
	}
	for ext, u := range byExt {
		if _, ok := want.Users[ext]; !ok {
			v.UsersUnexpected++
			v.note("user %s unexpected", u.UserName)
		}
	}
	groupIDs := map[string]string{}
	for g, err := range sc.ListGroups(ctx, scim.ListOptions{}) {
		if err != nil {
			return v, err
		}
		groupIDs[strings.ToLower(g.DisplayName)] = g.ID
	}
	var mu sync.Mutex
	err := forEach(ctx, concurrency, snap.Groups, func(ctx context.Context, g *oktaGroup) error {
		wantMembers := want.Groups[g.ID]
		id, ok := groupIDs[strings.ToLower(g.Name)]
		if !ok {
			mu.Lock()
			v.GroupsMissing++
			v.note("group %s missing", g.Name)
			mu.Unlock()
			return nil
		}
		got, err := sc.GetGroupWithMembers(ctx, id)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, m := range got.Members {
			have[extOf[m.Value]] = true
		}
		mu.Lock()
		defer mu.Unlock()
		for m := range wantMembers {
			if !have[m] {
				v.MembersMissing++
				v.note("group %s lacks %s", g.Name, m)
			}
		}
		for m := range have {
			if _, ok := wantMembers[m]; !ok {
				v.MembersExtra++
				v.note("group %s has extra %q", g.Name, m)
			}
		}
		return nil
	})
	return v, err
}

func userAttrsOf(u scim.User) userAttrs {
	a := userAttrs{UserName: u.UserName, DisplayName: u.DisplayName}
	if u.Name != nil {
		a.GivenName, a.FamilyName, a.Formatted = u.Name.GivenName, u.Name.FamilyName, u.Name.Formatted
	}
	if e := u.Enterprise; e != nil {
		a.Department, a.EmployeeNumber = e.Department, e.EmployeeNumber
	}
	return a
}

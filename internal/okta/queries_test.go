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
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
)

func errIs(err, target error) bool { return errors.Is(err, target) }

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	slices.Sort(out)
	return out
}

func userID(u User) string   { return u.ID }
func groupID(g Group) string { return g.ID }

func TestIncrementalQueries(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	users, groups := e.mustGen(40, 6) // all timestamps 30 days old
	c := e.client(func(cfg *testConfig) { cfg.SearchPageSize = 2 })
	since := time.Now().Add(-time.Second)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Generated users start ACTIVE at index 0..; use forced statuses to be independent of the generator.
	must(e.srv.SetStatus(users[1], oktaserver.Active))
	must(e.srv.Suspend(users[1]))
	must(e.srv.UpdateProfile(users[2], map[string]any{"department": "Research"}))
	must(e.srv.Deactivate(users[3]))
	members2, _ := e.srv.Members(groups[2])
	outsider := ""
	for _, u := range users[10:] {
		if !slices.Contains(members2, u) {
			outsider = u
			break
		}
	}
	must(e.srv.AddMember(groups[2], outsider))
	must(e.srv.RemoveMember(groups[0], users[5]))
	must(e.srv.RenameGroup(groups[4], "Renamed"))
	must(e.srv.RecordLogin(users[6])) // does not touch lastUpdated

	uch := c.UsersUpdatedSince(since)
	if _, ok := uch.Watermark(); ok {
		t.Error("watermark available before the query ran")
	}
	changedUsers, err := uch.Collect(t.Context())
	must(err)
	want := slices.Sorted(slices.Values([]string{users[1], users[2], users[3]}))
	if got := ids(changedUsers, userID); !slices.Equal(got, want) {
		t.Fatalf("changed users = %v, want %v", got, want)
	}
	for _, u := range changedUsers {
		if u.ID == users[3] && u.Status != StatusDeprovisioned {
			t.Errorf("deactivated user has status %s", u.Status)
		}
	}
	wm, ok := uch.Watermark()
	if !ok || wm.After(c.ServerTime()) || c.ServerTime().Sub(wm) > 2*time.Second {
		t.Fatalf("watermark %v (ok %v) vs server time %v", wm, ok, c.ServerTime())
	}

	gch := c.GroupsWithMembershipChangedSince(since)
	changedGroups, err := gch.Collect(t.Context())
	must(err)
	if got, want := ids(changedGroups, groupID), slices.Sorted(slices.Values([]string{groups[0], groups[2]})); !slices.Equal(got, want) {
		t.Fatalf("membership-changed groups = %v, want %v", got, want)
	}
	all, err := c.GroupsChangedSince(since).Collect(t.Context())
	must(err)
	if got, want := ids(all, groupID), slices.Sorted(slices.Values([]string{groups[0], groups[2], groups[4]})); !slices.Equal(got, want) {
		t.Fatalf("changed groups = %v, want %v", got, want)
	}

	// Next cycle from the watermark: a later change is seen.
	must(e.srv.UpdateProfile(users[9], map[string]any{"title": "Lead"}))
	next, err := c.UsersUpdatedSince(wm).Collect(t.Context())
	must(err)
	if !slices.Contains(ids(next, userID), users[9]) {
		t.Errorf("change after the watermark was missed")
	}
}

func TestIncrementalErrorHasNoWatermark(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	e.mustGen(10, 0)
	c := e.client(func(cfg *testConfig) { cfg.SearchPageSize = 2; cfg.MaxRetries = 1 })
	e.srv.InjectOutage(oktaserver.Outage{AfterPages: 1})
	ch := c.UsersUpdatedSince(time.Time{})
	if _, err := ch.Collect(t.Context()); err == nil {
		t.Fatal("outage not reported")
	}
	if _, ok := ch.Watermark(); ok {
		t.Error("a failed query produced a watermark")
	}
	// Breaking early leaves no watermark either.
	e.srv.ClearFaults()
	ch = c.UsersUpdatedSince(time.Time{})
	for _, err := range ch.All(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if _, ok := ch.Watermark(); ok {
		t.Error("a partial iteration produced a watermark")
	}
}

func TestFindGroupByName(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	add := func(name string) string {
		id, err := e.srv.AddGroup(oktaserver.GroupSpec{Name: name, Description: "d"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	eng := add("Engineering")
	add("engineering") // same name but case: not an exact match
	add("Twin")
	add("Twin")
	quoted := add(`Sales "EMEA" \ West`)
	c := e.client(nil)
	tests := []struct {
		name    string
		query   string
		wantID  string
		wantErr error
	}{
		{"exact among case variants", "Engineering", eng, nil},
		{"quotes and backslash", `Sales "EMEA" \ West`, quoted, nil},
		{"ambiguous", "Twin", "", ErrAmbiguous},
		{"missing", "Nope", "", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := c.FindGroupByName(t.Context(), tc.query)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || g.ID != tc.wantID || g.Profile.Name != tc.query || g.Type != "OKTA_GROUP" || g.LastMembershipUpdated.IsZero() {
				t.Fatalf("got %+v, %v", g, err)
			}
		})
	}
	var ae *AmbiguousError
	if _, err := c.FindGroupByName(t.Context(), "Twin"); !errors.As(err, &ae) || ae.Matches != 2 {
		t.Errorf("AmbiguousError = %+v", ae)
	}
}

func TestGetUserAndGroup(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	id, err := e.srv.AddUser(oktaserver.UserSpec{Login: "jane.doe+x@example.com", FirstName: "Jane", LastName: "Doe",
		Profile: map[string]any{"displayName": "Jane D", "objectGUID": "AbC=", "employeeNumber": 42.0, "manager": nil, "flag": true, "tags": []any{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := e.srv.AddGroup(oktaserver.GroupSpec{Name: "G", Description: "desc"})
	c := e.client(nil)
	for _, ref := range []string{id, "jane.doe+x@example.com", "JANE.DOE+X@example.com"} {
		u, err := c.GetUser(t.Context(), ref)
		if err != nil {
			t.Fatalf("GetUser(%q): %v", ref, err)
		}
		if u.ID != id || u.Login() != "jane.doe+x@example.com" || u.Email() != "jane.doe+x@example.com" ||
			u.FirstName() != "Jane" || u.LastName() != "Doe" || u.DisplayName() != "Jane D" || u.Status != StatusActive {
			t.Fatalf("user = %+v", u)
		}
		if u.Created.IsZero() || u.LastUpdated.IsZero() || u.Activated == nil || u.LastLogin != nil || u.PasswordChanged != nil {
			t.Errorf("timestamps = %+v", u)
		}
	}
	u, _ := c.GetUser(t.Context(), id)
	attrs := []struct {
		name, want string
		ok         bool
	}{{"objectGUID", "AbC=", true}, {"employeeNumber", "42", true}, {"flag", "true", true}, {"manager", "", false}, {"tags", "", false}, {"absent", "", false}}
	for _, a := range attrs {
		if got, ok := u.Attr(a.name); got != a.want || ok != a.ok {
			t.Errorf("Attr(%s) = %q, %v", a.name, got, ok)
		}
	}
	if v, ok := (User{Profile: map[string]any{"n": 7}}).Attr("n"); v != "7" || !ok {
		t.Errorf("int attr = %q", v)
	}
	_, err = c.GetUser(t.Context(), "00unope")
	var ae *APIError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ae) || ae.ErrorCode != CodeNotFound || ae.Kind != "users.get" || ae.ErrorID == "" {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.GetUser(t.Context(), ""); err == nil {
		t.Error("empty id accepted")
	}
	g, err := c.GetGroup(t.Context(), gid)
	if err != nil || g.Profile.Description != "desc" || g.ID != gid {
		t.Fatalf("group = %+v, %v", g, err)
	}
	if _, err := c.GetGroup(t.Context(), "00gnope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.GetGroup(t.Context(), ""); err == nil {
		t.Error("empty group id accepted")
	}
	if _, err := collect(c.ListGroupMembers(t.Context(), "")); err == nil {
		t.Error("empty group id accepted")
	}
	if _, err := collect(c.ListGroupMembers(t.Context(), "00gnope")); !errors.Is(err, ErrNotFound) {
		t.Errorf("members of missing group: %v", err)
	}
}

func TestGroupsByIDBatches(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	_, groups := e.mustGen(5, groupIDBatch+7)
	c := e.client(nil)
	if err := e.srv.DeleteGroup(groups[3]); err != nil {
		t.Fatal(err)
	}
	ch := c.GroupsByID(groups)
	got, err := ch.Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Delete(slices.Clone(groups), 3, 4)
	if !slices.Equal(ids(got, groupID), sortedCopy(want)) {
		t.Errorf("groups = %v, want all but the deleted one", ids(got, groupID))
	}
	if _, ok := ch.Watermark(); !ok {
		t.Error("no watermark after a complete listing")
	}
	if n := e.srv.Count("GET /api/v1/groups"); n != 2 {
		t.Errorf("requests = %d, want 2 batches", n)
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

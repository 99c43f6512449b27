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

package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestUserLifecycle(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	c := e.client

	created, err := c.CreateUser(ctx, User{
		UserName: "ada@example.com", ExternalID: "okta-1", DisplayName: "Ada L",
		Name:   &Name{GivenName: "Ada", FamilyName: "Lovelace"},
		Active: Ptr(true),
		Cisco:  &CiscoUser{NativeObjectID: "guid-1", AuthName: "ada"},
		Emails: []Email{{Value: "ada@example.com", Primary: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.UserName != "ada@example.com" || created.Cisco == nil || created.Cisco.AuthName != "ada" {
		t.Fatalf("created = %+v", created)
	}
	if created.Emails != nil {
		t.Errorf("emails sent although SendEmails is off: %+v", created.Emails)
	}
	if created.Meta == nil || created.Meta.Location == "" {
		t.Errorf("meta missing: %+v", created.Meta)
	}

	got, err := c.GetUser(ctx, created.ID)
	if err != nil || got.ID != created.ID || got.Name.FamilyName != "Lovelace" || !got.IsActive() {
		t.Fatalf("get = %+v, %v", got, err)
	}

	byName, err := c.FindUserByUserName(ctx, "ADA@example.com")
	if err != nil || byName.ID != created.ID {
		t.Fatalf("find by userName = %+v, %v", byName, err)
	}
	byExt, err := c.FindUserByExternalID(ctx, "okta-1")
	if err != nil || byExt.ID != created.ID {
		t.Fatalf("find by externalId = %+v, %v", byExt, err)
	}
	if _, err := c.FindUserByUserName(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown userName: %v", err)
	}

	got.DisplayName = "Ada King"
	got.Cisco = nil
	replaced, err := c.ReplaceUser(ctx, got)
	if err != nil || replaced.DisplayName != "Ada King" || replaced.Cisco != nil {
		t.Fatalf("replace = %+v, %v", replaced, err)
	}

	if err := c.SetUserActive(ctx, created.ID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ := c.GetUser(ctx, created.ID); u.IsActive() {
		t.Fatal("user still active after deactivation")
	}
	if err := c.PatchUser(ctx, created.ID, ReplaceOp("name.givenName", "Augusta"), ReplaceOp("active", true)); err != nil {
		t.Fatal(err)
	}
	u, _ := c.GetUser(ctx, created.ID)
	if u.Name.GivenName != "Augusta" || !u.IsActive() {
		t.Fatalf("after path patch: %+v", u)
	}
	if err := c.PatchUser(ctx, created.ID); err != nil {
		t.Fatal("empty patch should be a no-op:", err)
	}
	if n := e.srv.Count("DELETE", "/Users/{id}"); n != 0 {
		t.Fatalf("%d user deletes", n)
	}
}

func TestSendEmailsOption(t *testing.T) {
	co := fastOptions()
	co.SendEmails = true
	e := newEnv(t, scimserver.Options{}, co)
	u, err := e.client.CreateUser(ctxT(t), User{UserName: "e@x", Emails: []Email{{Value: "e@x", Type: "work", Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Emails) != 1 || u.Emails[0].Value != "e@x" {
		t.Fatalf("emails = %+v", u.Emails)
	}
}

func TestUserWireFormat(t *testing.T) {
	b, err := json.Marshal(User{ID: "x", UserName: "u", Active: Ptr(false), Meta: &Meta{Version: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x","userName":"u","active":false}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(User{UserName: "u", Cisco: &CiscoUser{AuthName: "a"}})
	want = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User"],"userName":"u","urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User":{"authName":"a"}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestNeverDeletesUsers(t *testing.T) {
	e := newFastEnv(t)
	err := e.client.do(ctxT(t), &call{op: "x", method: http.MethodDelete, path: "/Users/abc"})
	if !errors.Is(err, ErrUserDelete) || e.srv.TotalRequests() != 0 {
		t.Fatalf("err = %v, requests = %d", err, e.srv.TotalRequests())
	}
}

func TestCreateUserConflict(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	if _, err := e.client.CreateUser(ctx, User{UserName: "dup@x"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.CreateUser(ctx, User{UserName: "DUP@x"})
	var se *Error
	if !errors.Is(err, ErrConflict) || !errors.As(err, &se) || se.Status != 409 || se.ScimType != "uniqueness" {
		t.Fatalf("err = %v", err)
	}
	// A first-attempt 409 is the caller's to resolve: no lookup was made.
	if n := e.srv.Count("GET", "/Users"); n != 0 {
		t.Fatalf("%d lookups", n)
	}
}

func TestReplaceUserValidation(t *testing.T) {
	e := newFastEnv(t)
	if _, err := e.client.ReplaceUser(ctxT(t), User{UserName: "x"}); err == nil {
		t.Fatal("replace without id accepted")
	}
	if _, err := e.client.ReplaceUser(ctxT(t), User{ID: "missing", UserName: "x"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestReplaceUser204(t *testing.T) {
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, fastOptions())
	in := User{ID: "a", UserName: "b"}
	out, err := c.ReplaceUser(ctxT(t), in)
	if err != nil || out.ID != "a" || out.UserName != "b" {
		t.Fatalf("out = %+v, %v", out, err)
	}
}

func TestCreateUserWithoutID(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"201 without id", 201, `{"userName":"x"}`},
		{"204", 204, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}, fastOptions())
			if _, err := c.CreateUser(ctxT(t), User{UserName: "x"}); !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestListUsersFilter(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	for _, n := range []string{"a", "b", "c"} {
		if _, err := e.srv.AddUser(map[string]any{"userName": n, "externalId": "x-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := EqFilter("userName", "b")
	var names []string
	for u, err := range e.client.ListUsers(ctx, ListOptions{Filter: f, Attributes: []string{"userName"}}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, u.UserName)
		if u.ExternalID != "" {
			t.Errorf("attributes=userName still returned externalId")
		}
	}
	if !slices.Equal(names, []string{"b"}) {
		t.Fatalf("names = %v", names)
	}
}

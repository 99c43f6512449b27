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
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func seedUsers(t *testing.T, srv *scimserver.Server, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		id, err := srv.AddUser(map[string]any{"userName": fmt.Sprintf("user%04d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

func memberValues(ms []Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestGroupLifecycle(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	c := e.client
	ids := seedUsers(t, e.srv, 3)

	g, err := c.CreateGroup(ctx, Group{DisplayName: "Engineering", ExternalID: "okta-g1", Members: []Member{{Value: ids[0]}}})
	if err != nil || g.ID == "" || g.DisplayName != "Engineering" {
		t.Fatalf("create = %+v, %v", g, err)
	}

	meta, err := c.GetGroup(ctx, g.ID)
	if err != nil || meta.DisplayName != "Engineering" || meta.Members != nil || meta.ExternalID != "okta-g1" {
		t.Fatalf("metadata = %+v, %v", meta, err)
	}
	full, err := c.GetGroupWithMembers(ctx, g.ID)
	if err != nil || !slices.Equal(memberValues(full.Members), []string{ids[0]}) {
		t.Fatalf("full = %+v, %v", full, err)
	}

	if err := c.RenameGroup(ctx, g.ID, "Eng"); err != nil {
		t.Fatal(err)
	}
	found, err := c.FindGroupByDisplayName(ctx, "eng")
	if err != nil || found.ID != g.ID || found.DisplayName != "Eng" {
		t.Fatalf("find = %+v, %v", found, err)
	}
	if _, err := c.FindGroupByDisplayName(ctx, "Engineering"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old name still found: %v", err)
	}

	if err := c.UpdateMembers(ctx, g.ID, []string{ids[1], ids[2]}, []string{ids[0]}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.srv.GroupMembers(g.ID)
	if !slices.Equal(got, sorted(ids[1:])) {
		t.Fatalf("members = %v", got)
	}

	var listed []Group
	for g, err := range c.ListGroups(ctx, ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, g)
	}
	if len(listed) != 1 || listed[0].Members != nil {
		t.Fatalf("listed = %+v", listed)
	}
	var withMembers []Group
	for g, err := range c.ListGroups(ctx, ListOptions{IncludeMembers: true}) {
		if err != nil {
			t.Fatal(err)
		}
		withMembers = append(withMembers, g)
	}
	if len(withMembers) != 1 || len(withMembers[0].Members) != 2 {
		t.Fatalf("with members = %+v", withMembers)
	}

	if err := c.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetGroup(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := c.DeleteGroup(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// patchBodies records PATCH bodies sent to the test server.
type patchBodies struct {
	mu     sync.Mutex
	bodies []patchRequest
}

func (p *patchBodies) wrap(t *testing.T, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			b, _ := io.ReadAll(r.Body)
			var pr patchRequest
			if err := json.Unmarshal(b, &pr); err != nil {
				t.Errorf("bad patch body %s", b)
			}
			p.mu.Lock()
			p.bodies = append(p.bodies, pr)
			p.mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		next.ServeHTTP(w, r)
	})
}

func TestMembershipBatching(t *testing.T) {
	e := newFastEnv(t)
	ctx := ctxT(t)
	rec := &patchBodies{}
	e.ts.Config.Handler = rec.wrap(t, e.srv)
	ids := seedUsers(t, e.srv, 300)
	gid, _ := e.srv.AddGroup("Big", ids[250:]...) // 50 members to remove

	if err := e.client.UpdateMembers(ctx, gid, ids[:250], nil); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Count("PATCH", "/Groups/{id}"); n != 3 {
		t.Fatalf("250 adds took %d PATCHes, want 3", n)
	}
	for i, want := range []int{100, 100, 50} {
		ops := rec.bodies[i].Operations
		vals, _ := ops[0].Value.([]any)
		if len(ops) != 1 || ops[0].Op != "add" || ops[0].Path != "members" || len(vals) != want {
			t.Fatalf("batch %d: %+v", i, ops)
		}
	}
	got, _ := e.srv.GroupMembers(gid)
	if len(got) != 300 {
		t.Fatalf("%d members, want 300", len(got))
	}

	// 30 removals and 80 more adds of present members: one mixed batch plus one more.
	e.srv.ResetCounts()
	rec.bodies = nil
	if err := e.client.UpdateMembers(ctx, gid, ids[:80], ids[250:280]); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Count("PATCH", "/Groups/{id}"); n != 2 {
		t.Fatalf("%d PATCHes, want 2", n)
	}
	last := rec.bodies[1].Operations
	if len(last) != 10 || last[0].Op != "remove" || last[0].Path != fmt.Sprintf(`members[value eq "%s"]`, ids[270]) {
		t.Fatalf("second batch = %+v", last)
	}
	got, _ = e.srv.GroupMembers(gid)
	want := sorted(append(slices.Clone(ids[:250]), ids[280:]...))
	if !slices.Equal(got, want) {
		t.Fatalf("members after delta: %d, want %d", len(got), len(want))
	}
}

func TestMembersPerPatchOption(t *testing.T) {
	co := fastOptions()
	co.MembersPerPatch = 7
	e := newEnv(t, scimserver.Options{}, co)
	ids := seedUsers(t, e.srv, 20)
	gid, _ := e.srv.AddGroup("G")
	if err := e.client.UpdateMembers(ctxT(t), gid, ids, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Count("PATCH", "/Groups/{id}"); n != 3 {
		t.Fatalf("%d PATCHes, want 3", n)
	}
}

func TestCreateLargeGroup(t *testing.T) {
	e := newFastEnv(t)
	ids := seedUsers(t, e.srv, 230)
	ms := make([]Member, len(ids))
	for i, id := range ids {
		ms[i] = Member{Value: id}
	}
	g, err := e.client.CreateGroup(ctxT(t), Group{DisplayName: "All", Members: ms})
	if err != nil {
		t.Fatal(err)
	}
	if e.srv.Count("POST", "/Groups") != 1 || e.srv.Count("PATCH", "/Groups/{id}") != 2 {
		t.Fatalf("requests = %v", e.srv.Requests())
	}
	got, _ := e.srv.GroupMembers(g.ID)
	if !slices.Equal(got, sorted(ids)) {
		t.Fatalf("%d members", len(got))
	}
}

func TestMemberBatchesDedupAndEscaping(t *testing.T) {
	d, err := newMemberDelta([]string{"a", "b", "a"}, []string{`q"\`, `q"\`}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if d.batches() != 1 {
		t.Fatalf("%d batches", d.batches())
	}
	got, _ := json.Marshal(d.batch(0))
	want := `[{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]},{"op":"remove","path":"members[value eq \"q\\\"\\\\\"]"}]`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := newMemberDelta(nil, []string{"\xff"}, 0); err == nil {
		t.Fatal("invalid UTF-8 member id accepted")
	}
	if d, _ := newMemberDelta(nil, nil, 10); d.batches() != 0 {
		t.Fatalf("empty delta gave %d batches", d.batches())
	}
}

func TestMemberBatchesSplitAddsAndRemoves(t *testing.T) {
	d, _ := newMemberDelta([]string{"a1", "a2", "a3"}, []string{"r1", "r2"}, 2)
	var shapes []string
	for i := range d.batches() {
		var parts []string
		for _, op := range d.batch(i) {
			b, _ := json.Marshal(op)
			parts = append(parts, string(b))
		}
		shapes = append(shapes, strings.Join(parts, " "))
	}
	want := []string{
		`{"op":"add","path":"members","value":[{"value":"a1"},{"value":"a2"}]}`,
		`{"op":"add","path":"members","value":[{"value":"a3"}]} {"op":"remove","path":"members[value eq \"r1\"]"}`,
		`{"op":"remove","path":"members[value eq \"r2\"]"}`,
	}
	if !slices.Equal(shapes, want) {
		t.Fatalf("batches:\n%s", strings.Join(shapes, "\n"))
	}
}

func TestGroupCreateConflict(t *testing.T) {
	e := newFastEnv(t)
	if _, err := e.srv.AddGroup("Dup"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateGroup(ctxT(t), Group{DisplayName: "dup"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v", err)
	}
}

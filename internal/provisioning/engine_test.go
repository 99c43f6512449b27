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

package provisioning

import (
	"maps"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/internal/okta"
)

func sortStrings(s []string) []string { slices.Sort(s); return s }

func wantRoutes[V int | int64](t *testing.T, side string, got map[string]V, want map[string]V) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s requests:\n got  %v\n want %v", side, got, want)
	}
}

// seed builds the seed's example org: a Secure Access group assigned and
// pushed, a push-only group, a direct assignment, a suspended and a staged user.
func seed(t *testing.T, tune ...func(*okta.Options)) *env {
	e := newEnv(t, tune...)
	for _, u := range []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com", "gina@example.com"} {
		e.addUser(u, "ACTIVE")
	}
	e.addUser("dave@example.com", "SUSPENDED")
	e.addUser("frank@example.com", "STAGED")
	e.addGroup("OKTA - Secure Access Users", true, true, "alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "frank@example.com")
	e.addGroup("Engineering", false, true, "alice@example.com", "erin@example.com", "gina@example.com")
	e.cfg.People = []string{"erin@example.com"}
	return e
}

func TestInitialSync(t *testing.T) {
	e := seed(t)
	res := e.cycle(ModeFull)

	if res.Counts.Created != 4 || res.Counts.GroupsCreated != 2 || res.Counts.Failures != 0 {
		t.Fatalf("counts = %+v, failures %v", res.Counts, res.Failures)
	}
	for _, u := range []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com"} {
		tu := e.targetUser(u)
		if tu == nil {
			t.Fatalf("%s not provisioned", u)
		}
		if tu["externalId"] != e.users[u] || tu["active"] != true {
			t.Errorf("%s = %v", u, tu)
		}
	}
	for _, u := range []string{"dave@example.com", "frank@example.com", "gina@example.com"} {
		if e.targetUser(u) != nil {
			t.Errorf("%s must not be provisioned", u)
		}
	}
	if got := e.targetMembers("OKTA - Secure Access Users"); !slices.Equal(got, []string{"alice@example.com", "bob@example.com", "carol@example.com"}) {
		t.Errorf("Secure Access Users members = %v", got)
	}
	if got := e.targetMembers("Engineering"); !slices.Equal(got, []string{"alice@example.com", "erin@example.com"}) {
		t.Errorf("Engineering members = %v", got)
	}
	sa := res.Groups["ns/OKTA - Secure Access Users"]
	if !sa.Pushed || sa.Members != 5 || sa.PushedMembers != 3 || sa.SkippedMembers != 2 || sa.TargetID == "" {
		t.Errorf("group result = %+v", sa)
	}
	if n, g := res.UserCounts, res.GroupCounts; n.Managed != 4 || n.Active != 4 || g.InTarget != 2 || g.Existing != 2 || !res.SourceComplete {
		t.Errorf("result = %+v", res)
	}
	wantRoutes(t, "okta", e.oktaRoutes(), map[string]int64{
		"GET /api/v1/users/{id}":        1, // the direct assignment
		"GET /api/v1/groups/{id}":       2,
		"GET /api/v1/groups/{id}/users": 2,
	})
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{
		"GET /Users":   1,
		"GET /Groups":  1,
		"POST /Users":  4,
		"POST /Groups": 2,
	})
}

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
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/scim"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// bulkSeed is the seed org on a target that advertises Bulk, with Bulk on.
func bulkSeed(t *testing.T, so scimserver.Options) *env {
	t.Helper()
	so.Token, so.MaxGroups, so.Bulk = scimToken, 1000, true
	e := newEnvWith(t, so)
	for _, u := range []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com", "gina@example.com"} {
		e.addUser(u, "ACTIVE")
	}
	e.addUser("dave@example.com", "SUSPENDED")
	e.addGroup("OKTA - Secure Access Users", true, true, "alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com")
	e.addGroup("Engineering", false, true, "alice@example.com", "erin@example.com", "gina@example.com")
	e.cfg.People = []string{"erin@example.com"}
	e.cfg.Bulk = true
	return e
}

func wantSeedTarget(t *testing.T, e *env) {
	t.Helper()
	for _, u := range []string{"alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com"} {
		if tu := e.targetUser(u); tu == nil || tu["externalId"] != e.users[u] || tu["active"] != true {
			t.Errorf("%s = %v", u, tu)
		}
	}
	if got := e.targetMembers("OKTA - Secure Access Users"); !slices.Equal(got, []string{"alice@example.com", "bob@example.com", "carol@example.com"}) {
		t.Errorf("Secure Access Users members = %v", got)
	}
	if got := e.targetMembers("Engineering"); !slices.Equal(got, []string{"alice@example.com", "erin@example.com"}) {
		t.Errorf("Engineering members = %v", got)
	}
}

// The initial sync goes in one Bulk request: the users, and the groups
// naming them by bulkId; nothing is sent one by one.
func TestBulkInitialSync(t *testing.T) {
	e := bulkSeed(t, scimserver.Options{})
	res := e.cycle(ModeFull)
	if res.Counts.Created != 4 || res.Counts.GroupsCreated != 2 || res.Counts.Failures != 0 || !res.InSync {
		t.Fatalf("counts %+v, failures %v, in sync %t", res.Counts, res.Failures, res.InSync)
	}
	wantSeedTarget(t, e)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{
		"GET /Users": 1, "GET /Groups": 1, "GET /ServiceProviderConfig": 1, "POST /Bulk": 1,
	})
	if b := res.Bulk; b.State != BulkUsed || b.Requests != 1 || b.Operations != 6 || b.MaxOperations != 1000 {
		t.Errorf("bulk report = %+v", b)
	}

	// Nothing changed: no request at all, Bulk or other.
	e.settle()
	e.cycle(ModeIncremental)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{})
}

// A new hire and its group membership travel in one request: the PATCH of
// the existing group names the user by bulkId.
func TestBulkIncrementalNamesNewUsersByBulkID(t *testing.T) {
	e := bulkSeed(t, scimserver.Options{})
	e.settle()
	e.cycle(ModeFull)
	id := e.addUser("hal@example.com", "ACTIVE")
	if err := e.okta.AddMember(e.groups["OKTA - Secure Access Users"], id); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeIncremental)
	if res.Counts.Created != 1 || res.Counts.MembersAdded != 1 || !res.InSync {
		t.Fatalf("counts %+v, failures %v", res.Counts, res.Failures)
	}
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"POST /Bulk": 1})
	if res.Bulk.Operations != 2 {
		t.Errorf("bulk report = %+v, want the create and the group PATCH", res.Bulk)
	}
	want := []string{"alice@example.com", "bob@example.com", "carol@example.com", "hal@example.com"}
	if got := e.targetMembers("OKTA - Secure Access Users"); !slices.Equal(got, want) {
		t.Errorf("Secure Access Users members = %v", got)
	}
}

// Mixed answers in one BulkResponse are each handled like the single
// request: a 409 is looked up and linked, a 429 is sent again (with the
// group PATCH that named it), a 400 fails that user alone.
func TestBulkMixedOperationResults(t *testing.T) {
	e := bulkSeed(t, scimserver.Options{})
	e.settle()
	e.cycle(ModeFull)
	group := "OKTA - Secure Access Users"
	for _, u := range []string{"hal@example.com", "ivy@example.com", "jay@example.com", "kim@example.com"} {
		if err := e.okta.AddMember(e.groups[group], e.addUser(u, "ACTIVE")); err != nil {
			t.Fatal(err)
		}
	}
	// ivy appeared in the target since it was read, unlinked: her create
	// answers 409. jay's create is throttled once, kim's refused.
	if _, err := e.scim.AddUser(map[string]any{"userName": "ivy@example.com", "active": true}); err != nil {
		t.Fatal(err)
	}
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, InBulk: true, Method: http.MethodPost, Path: "/Users",
		Contains: "jay@example.com", Status: 429, Times: 1})
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, InBulk: true, Method: http.MethodPost, Path: "/Users",
		Contains: "kim@example.com", Status: 400, Times: 1})
	res := e.cycle(ModeIncremental)

	var se *scim.Error
	if len(res.Failures) != 1 || res.Failures[0].Name != "kim@example.com" || !errors.As(res.Failures[0].Err, &se) || se.Status != 400 {
		t.Fatalf("failures = %+v, want kim's 400 alone", res.Failures)
	}
	for _, u := range []string{"hal@example.com", "ivy@example.com", "jay@example.com"} {
		if tu := e.targetUser(u); tu == nil || tu["externalId"] != e.users[u] || tu["active"] != true {
			t.Errorf("%s = %v (its neighbours' failures must not touch it)", u, tu)
		}
	}
	if e.targetUser("kim@example.com") != nil {
		t.Error("kim was created despite her 400")
	}
	want := []string{"alice@example.com", "bob@example.com", "carol@example.com", "hal@example.com", "ivy@example.com", "jay@example.com"}
	if got := e.targetMembers(group); !slices.Equal(got, want) {
		t.Errorf("%s members = %v, want %v", group, got, want)
	}
	// One request, one more for the throttled create and the PATCH that
	// named it; ivy's lookup and link are single requests, as after a
	// single create's 409.
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"POST /Bulk": 2, "GET /Users": 1, "PATCH /Users/{id}": 1})

	// The next cycle, asked for by a person, creates kim.
	e.cfg.RetryDeferred = true
	res = e.cycle(ModeIncremental)
	if !res.InSync || res.Counts.Created != 1 {
		t.Fatalf("second cycle: in sync %t, counts %+v, failures %v", res.InSync, res.Counts, res.Failures)
	}
	if got := e.targetMembers(group); !slices.Contains(got, "kim@example.com") {
		t.Errorf("%s members = %v", group, got)
	}
}

// A target that advertises Bulk but refuses it gets single requests, in the
// same cycle, and the result says so; incremental cycles do not try again.
func TestBulkRefusedFallsBackToSingleRequests(t *testing.T) {
	e := bulkSeed(t, scimserver.Options{})
	e.scim.AddFault(scimserver.Fault{Kind: scimserver.FaultStatus, Method: http.MethodPost, Path: "/Bulk", Status: 501})
	e.settle()
	res := e.cycle(ModeFull)
	if !res.InSync || res.Counts.Created != 4 || res.Counts.GroupsCreated != 2 {
		t.Fatalf("counts %+v, failures %v", res.Counts, res.Failures)
	}
	wantSeedTarget(t, e)
	if b := res.Bulk; b.State != BulkRejected || !strings.Contains(b.Message, "501") || !strings.Contains(b.Message, "single requests") {
		t.Errorf("bulk report = %+v", b)
	}
	routes := e.targetRoutes()
	if routes["POST /Bulk"] != 1 || routes["POST /Users"] != 4 || routes["POST /Groups"] != 2 {
		t.Errorf("target requests = %v", routes)
	}

	id := e.addUser("hal@example.com", "ACTIVE")
	if err := e.okta.AddMember(e.groups["OKTA - Secure Access Users"], id); err != nil {
		t.Fatal(err)
	}
	res = e.cycle(ModeIncremental)
	wantRoutes(t, "target", e.targetRoutes(), map[string]int{"POST /Users": 1, "PATCH /Groups/{id}": 1})
	if res.Bulk.State != BulkRejected || !res.InSync {
		t.Errorf("incremental: bulk %+v, in sync %t", res.Bulk, res.InSync)
	}
}

// Bulk is used only when advertised and switched on.
func TestBulkOnlyWhenAdvertisedAndOn(t *testing.T) {
	e := seed(t)
	e.cfg.Bulk = true
	res := e.cycle(ModeFull)
	if res.Bulk.State != BulkNotAdvertised || e.targetRoutes()["POST /Bulk"] != 0 || !res.InSync {
		t.Errorf("not advertised: bulk %+v, routes %v", res.Bulk, e.targetRoutes())
	}

	e = bulkSeed(t, scimserver.Options{})
	e.cfg.Bulk = false
	res = e.cycle(ModeFull)
	routes := e.targetRoutes()
	if res.Bulk.State != BulkDisabled || routes["POST /Bulk"] != 0 || routes["GET /ServiceProviderConfig"] != 0 || !res.InSync {
		t.Errorf("switched off: bulk %+v, routes %v", res.Bulk, routes)
	}
}

// Requests respect maxOperations and maxPayloadSize; a large group's
// members that do not fit its POST follow in PATCHes once it exists.
func TestBulkRespectsLimits(t *testing.T) {
	e := bulkSeed(t, scimserver.Options{BulkMaxOperations: 3, BulkMaxPayload: 4096})
	var many []string
	for i := range 130 {
		login := "user" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "@example.com"
		e.addUser(login, "ACTIVE")
		many = append(many, login)
	}
	e.addGroup("Everyone", true, true, many...)
	res := e.cycle(ModeFull)
	if !res.InSync || res.Counts.Failures != 0 {
		t.Fatalf("in sync %t, failures %v, out of sync %v", res.InSync, res.Failures, res.OutOfSync)
	}
	if got := len(e.targetMembers("Everyone")); got != 130 {
		t.Errorf("Everyone has %d members, want 130", got)
	}
	ops := int(e.scim.BulkOperations())
	if n := e.targetRoutes()["POST /Bulk"]; n < ops/3 || res.Bulk.Requests != n {
		t.Errorf("%d Bulk requests for %d operations with maxOperations 3 (report %+v)", n, ops, res.Bulk)
	}
}

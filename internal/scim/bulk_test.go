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
	"io"
	"net/http"
	"testing"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func TestBulkConfig(t *testing.T) {
	e := newEnv(t, scimserver.Options{Bulk: true, BulkMaxOperations: 50, BulkMaxPayload: 65536}, fastOptions())
	cfg, err := e.client.BulkConfig(ctxT(t))
	if err != nil || cfg != (BulkConfig{Supported: true, MaxOperations: 50, MaxPayloadSize: 65536}) {
		t.Fatalf("advertised: %+v, %v", cfg, err)
	}
	e = newFastEnv(t)
	if cfg, err := e.client.BulkConfig(ctxT(t)); err != nil || cfg.Supported {
		t.Fatalf("not advertised: %+v, %v", cfg, err)
	}
	// Supported without limits cannot be used safely.
	c, _ := rawServer(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"bulk":{"supported":true}}`))
	}, fastOptions())
	if cfg, err := c.BulkConfig(ctxT(t)); err != nil || cfg.Supported {
		t.Fatalf("no limits: %+v, %v", cfg, err)
	}
}

// One request, each operation answered on its own: a create, a create
// whose userName is taken, a PATCH of a missing user, and a group naming
// the first user by its bulkId.
func TestBulkMixedResults(t *testing.T) {
	e := newEnv(t, scimserver.Options{Bulk: true}, fastOptions())
	e.seedOne(t)
	ops := []BulkOperation{
		{Kind: "users.create", Method: http.MethodPost, Path: "/Users", BulkID: "u1", Data: User{UserName: "new@example.com", Emails: []Email{{Value: "x@example.com"}}}},
		{Kind: "users.create", Method: http.MethodPost, Path: "/Users", BulkID: "u2", Data: User{UserName: "SEED@x"}},
		{Kind: "users.patch", Method: http.MethodPatch, Path: UserPath("missing"), BulkID: "p1", Data: PatchData(ReplaceOp("displayName", "x"))},
		{Kind: "groups.create", Method: http.MethodPost, Path: "/Groups", BulkID: "g1",
			Data: Group{DisplayName: "Team", Members: []Member{{Value: "bulkId:u1"}}}},
	}
	res, err := e.client.Bulk(ctxT(t), ops)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Status != http.StatusCreated || res[0].ResourceID() == "" {
		t.Fatalf("create: %+v", res[0])
	}
	created, _ := e.srv.User(res[0].ResourceID())
	if created["userName"] != "new@example.com" || created["emails"] != nil {
		t.Errorf("created user = %v (emails are not sent without SendEmails)", created)
	}
	if !errors.Is(res[1].Err, ErrConflict) || res[1].Status != http.StatusConflict {
		t.Errorf("taken userName: %+v", res[1])
	}
	var se *Error
	if !errors.Is(res[2].Err, ErrNotFound) || !errors.As(res[2].Err, &se) || se.Op != "users.patch" || se.Path != UserPath("missing") {
		t.Errorf("missing user: %+v", res[2])
	}
	members, _ := e.srv.GroupMembers(res[3].ResourceID())
	if res[3].Err != nil || len(members) != 1 || members[0] != res[0].ResourceID() {
		t.Errorf("group: %+v, members %v", res[3], members)
	}
	if got := keysOf(e.client.Accounting()); len(got) != 1 || got[0] != "bulk/POST/200" {
		t.Errorf("accounting = %v", got)
	}
	if _, err := e.client.Bulk(ctxT(t), []BulkOperation{{Method: http.MethodDelete, Path: UserPath("x")}}); !errors.Is(err, ErrUserDelete) {
		t.Errorf("a user DELETE in a Bulk request: %v", err)
	}
}

// Answers are matched by bulkId, or by position when a server leaves it
// out; status comes as a string, a number or SCIM 1.1's code object; an
// operation the server did not reach is not processed.
func TestBulkAnswerMatching(t *testing.T) {
	var sent map[string]any
	c, _ := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &sent)
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[
			{"method":"PATCH","bulkId":"b","status":{"code":"429"}},
			{"method":"POST","bulkId":"a","location":"https://x/scim/v2/Users/id%2F1","status":201},
			{"method":"PATCH","status":"204"}]}`))
	}, fastOptions())
	ops := []BulkOperation{
		{Method: http.MethodPost, Path: "/Users", BulkID: "a", Data: User{UserName: "a"}},
		{Method: http.MethodPatch, Path: UserPath("1"), BulkID: "b", Data: PatchData()},
		{Method: http.MethodPatch, Path: UserPath("2")},
		{Method: http.MethodPatch, Path: UserPath("3"), BulkID: "d"},
	}
	res, err := c.Bulk(ctxT(t), ops)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != 201 || res[0].ResourceID() != "id/1" || res[0].Err != nil {
		t.Errorf("by bulkId: %+v (id %q)", res[0], res[0].ResourceID())
	}
	if res[1].Status != 429 || !errors.Is(res[1].Err, ErrRateLimited) {
		t.Errorf("code object: %+v", res[1])
	}
	if res[2].Status != 204 || res[2].Err != nil {
		t.Errorf("by position: %+v", res[2])
	}
	if !errors.Is(res[3].Err, ErrBulkNotProcessed) {
		t.Errorf("not reached: %+v", res[3])
	}
	if sent["failOnErrors"] != float64(len(ops)) {
		t.Errorf("failOnErrors = %v, want %d so no failure stops the others", sent["failOnErrors"], len(ops))
	}
}

// A 2xx answer that is no BulkResponse is an invalid response (the caller
// falls back to single requests).
func TestBulkNotABulkResponse(t *testing.T) {
	c, _ := rawServer(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}`))
	}, fastOptions())
	if _, err := c.Bulk(ctxT(t), []BulkOperation{{Method: http.MethodPatch, Path: UserPath("1")}}); !errors.Is(err, ErrInvalidResponse) {
		t.Fatalf("err = %v", err)
	}
}

// Send runs an operation as a request of its own and answers the same way.
func TestSendAnswersLikeABulkOperation(t *testing.T) {
	e := newFastEnv(t)
	res := e.client.Send(ctxT(t), BulkOperation{Kind: "users.create", Method: http.MethodPost, Path: "/Users", Data: User{UserName: "s@example.com"}})
	if res.Err != nil || res.Status != http.StatusCreated || res.ResourceID() == "" {
		t.Fatalf("create: %+v", res)
	}
	res = e.client.Send(ctxT(t), BulkOperation{Kind: "users.patch", Method: http.MethodPatch, Path: UserPath("missing"), Data: PatchData(ReplaceOp("active", false))})
	if !errors.Is(res.Err, ErrNotFound) || res.Status != http.StatusNotFound {
		t.Fatalf("missing: %+v", res)
	}
	if res := e.client.Send(ctxT(t), BulkOperation{Method: http.MethodDelete, Path: UserPath("x")}); !errors.Is(res.Err, ErrUserDelete) {
		t.Fatalf("user delete: %+v", res)
	}
}

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

package scimserver

import (
	"strings"
	"testing"
	"time"
)

// The bucket lets a burst through, then answers 429, with Retry-After in
// whole seconds when asked to, and admits again as it refills.
func TestRateLimit(t *testing.T) {
	for _, withRetryAfter := range []bool{true, false} {
		h := newHarness(t, Options{RateLimit: 20, RateBurst: 3, RetryAfter: withRetryAfter})
		for range 3 {
			h.mustStatus(h.get("/Users"), 200)
		}
		r := h.mustStatus(h.get("/Users"), 429)
		if got := r.header.Get("Retry-After"); (got == "1") != withRetryAfter {
			t.Errorf("Retry-After %q with RetryAfter %t", got, withRetryAfter)
		}
		if at(r.json, "status") != "429" {
			t.Errorf("429 body = %s", r.raw)
		}
		if h.srv.Throttled() != 1 {
			t.Errorf("throttled = %d", h.srv.Throttled())
		}
		time.Sleep(60 * time.Millisecond) // one token at 20/s
		h.mustStatus(h.get("/Users"), 200)
	}
}

// Load latency grows as the bucket empties, before anything is refused.
func TestLoadLatency(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 1, RateBurst: 10, LoadLatency: 200 * time.Millisecond})
	var first, last time.Duration
	for i := range 9 {
		start := time.Now()
		h.mustStatus(h.get("/Users"), 200)
		if d := time.Since(start); i == 0 {
			first = d
		} else {
			last = d
		}
	}
	if first > 50*time.Millisecond || last < 100*time.Millisecond {
		t.Fatalf("latency full %s, nearly empty %s", first, last)
	}
}

func TestBulkAdvertisedAndServed(t *testing.T) {
	h := newHarness(t, Options{Bulk: true, BulkMaxOperations: 3, BulkMaxPayload: 2048})
	cfg := h.mustStatus(h.get("/ServiceProviderConfig"), 200)
	if at(cfg.json, "bulk.supported") != true || at(cfg.json, "bulk.maxOperations") != float64(3) || at(cfg.json, "bulk.maxPayloadSize") != float64(2048) {
		t.Fatalf("config = %s", cfg.raw)
	}
	bulk := func(failOnErrors any, ops ...map[string]any) response {
		body := map[string]any{"schemas": []string{schemaBulkRequest}, "Operations": ops}
		if failOnErrors != nil {
			body["failOnErrors"] = failOnErrors
		}
		return h.do("POST", "/Bulk", "-", body)
	}
	user := func(id, name string) map[string]any {
		return map[string]any{"method": "POST", "path": "/Users", "bulkId": id,
			"data": map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name}}
	}
	r := h.mustStatus(bulk(nil, user("a", "a@x"), user("b", "a@x"),
		map[string]any{"method": "POST", "path": "/Groups", "bulkId": "g", "data": map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "G",
			"members": []any{map[string]any{"value": "bulkId:a"}}}}), 200)
	if at(r.json, "Operations[0].status") != "201" || !strings.Contains(at(r.json, "Operations[0].location").(string), "/Users/") {
		t.Errorf("create: %s", r.raw)
	}
	if at(r.json, "Operations[1].status") != "409" || at(r.json, "Operations[1].response.scimType") != "uniqueness" {
		t.Errorf("taken userName: %s", r.raw)
	}
	gid, _ := h.srv.GroupIDByName("G")
	uid, _ := h.srv.UserIDByName("a@x")
	if m, _ := h.srv.GroupMembers(gid); len(m) != 1 || m[0] != uid {
		t.Errorf("bulkId reference: members %v, want %s", m, uid)
	}
	// An unresolved reference fails that operation only.
	r = h.mustStatus(bulk(nil, map[string]any{"method": "PATCH", "path": "/Groups/" + gid, "data": map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": "bulkId:nope"}}}}}}), 200)
	if at(r.json, "Operations[0].status") != "400" {
		t.Errorf("unresolved bulkId: %s", r.raw)
	}
	// failOnErrors stops after that many errors.
	r = h.mustStatus(bulk(1, user("c", "a@x"), user("d", "d@x")), 200)
	if ops, _ := r.json["Operations"].([]any); len(ops) != 1 {
		t.Errorf("failOnErrors 1: %s", r.raw)
	}
	// Limits.
	h.mustStatus(bulk(nil, user("1", "1@x"), user("2", "2@x"), user("3", "3@x"), user("4", "4@x")), 413)
	h.mustStatus(bulk(nil, user("big", strings.Repeat("x", 3000)+"@x")), 413)
	if h.srv.BulkOperations() != 5 {
		t.Errorf("bulk operations = %d", h.srv.BulkOperations())
	}
	// Without Bulk the endpoint does not exist.
	plain := newHarness(t, Options{})
	if r := plain.do("POST", "/Bulk", "-", map[string]any{"schemas": []string{schemaBulkRequest}}); r.status < 400 {
		t.Errorf("Bulk without Bulk: %d", r.status)
	}
}

// A fault narrowed by Contains meets only the request whose body has it.
func TestFaultContains(t *testing.T) {
	h := newHarness(t, Options{})
	h.srv.AddFault(Fault{Kind: FaultStatus, Method: "POST", Path: "/Users", Status: 400, Contains: "b@x", Times: 1})
	user := func(name string) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name}
	}
	h.mustStatus(h.do("POST", "/Users", "-", user("a@x")), 201)
	h.mustStatus(h.do("POST", "/Users", "-", user("b@x")), 400)
	h.mustStatus(h.do("POST", "/Users", "-", user("b@x")), 201)
}

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
	"context"
	"sync/atomic"
	"testing"
)

// eachOnce must run every item once and leave no applied item reachable
// from the slice: that is what lets an initial sync's plan be collected
// while it is written.
func TestEachOnceRunsEveryItemAndClearsItsSlot(t *testing.T) {
	items := make([]*userChange, 50)
	for i := range items {
		items[i] = &userChange{OktaID: string(rune('a' + i%26))}
	}
	var ran atomic.Int32
	eachOnce(context.Background(), 4, items, func(_ context.Context, c *userChange) {
		if c == nil {
			t.Error("an item was cleared before it ran")
		}
		ran.Add(1)
	})
	if ran.Load() != 50 {
		t.Fatalf("ran %d items, want 50", ran.Load())
	}
	for i, c := range items {
		if c != nil {
			t.Fatalf("slot %d still holds its applied item", i)
		}
	}
}

// each keeps its items: they are used again after it (the renames
// through a temporary name run twice).
func TestEachKeepsItsItems(t *testing.T) {
	items := []*userChange{{OktaID: "a"}, {OktaID: "b"}}
	each(context.Background(), 2, items, func(context.Context, *userChange) {})
	if items[0] == nil || items[1] == nil {
		t.Fatal("each cleared its items")
	}
}

// A create's body is built when it is sent, with the manager resolved
// when it was planned: a manager already in the target goes in the POST
// itself, no PATCH follows, and the cycle ends in sync.
func TestCreateOfAUserWhoseManagerExistsCarriesTheManager(t *testing.T) {
	e := newEnv(t)
	boss := e.addProfileUser("boss@example.com", nil)
	staff := e.addGroup("Staff", true, false, "boss@example.com")
	e.cfg.Mapping.Expressions = []AttributeExpression{{Target: "manager", Expression: "user.profile.?managerId"}}
	mustSync(t, e.cycle(ModeFull))
	dev := e.addProfileUser("dev@example.com", map[string]any{"managerId": boss})
	if err := e.okta.AddMember(staff, dev); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeFull)
	mustSync(t, res)
	if res.Counts.Created != 1 || res.Counts.Updated != 0 {
		t.Fatalf("counts = %+v, want one create and no update", res.Counts)
	}
	bossID, _ := e.scim.UserIDByName("boss@example.com")
	if got := e.targetAttr("dev@example.com", enterpriseKey, "manager", "value"); got != bossID {
		t.Fatalf("manager = %v, want %s", got, bossID)
	}
}

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
	"context"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
)

func TestPollLogsFollowsTheNextLink(t *testing.T) {
	e := newEnv(t, oktaserver.Options{})
	c := e.client(nil)
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)
	uid, _ := e.srv.AddUser(oktaserver.UserSpec{Login: "ann@example.com"})
	gid, _ := e.srv.AddGroup(oktaserver.GroupSpec{Name: "Lab"})
	_ = e.srv.AddMember(gid, uid)
	_ = e.srv.Suspend(uid)
	types := []string{"user.lifecycle.suspend", "group.user_membership.add"}
	p, err := c.PollLogs(ctx, "", since, types, 1)
	if err != nil || len(p.Events) != 1 || !p.Full || p.Next == "" || p.Events[0].EventType != "group.user_membership.add" {
		t.Fatalf("first page %+v, %v", p, err)
	}
	if tg := p.Events[0].Target; len(tg) != 2 || tg[0].ID != uid || tg[1].ID != gid || tg[1].Type != "UserGroup" {
		t.Fatalf("targets %+v", tg)
	}
	p, err = c.PollLogs(ctx, p.Next, since, types, 1)
	if err != nil || len(p.Events) != 1 || p.Events[0].EventType != "user.lifecycle.suspend" {
		t.Fatalf("second page %+v, %v", p, err)
	}
	p, err = c.PollLogs(ctx, p.Next, since, types, 1)
	if err != nil || len(p.Events) != 0 || p.Full || p.Next == "" {
		t.Fatalf("empty poll %+v, %v", p, err)
	}
	var groups []string
	for g, err := range c.UserGroups(ctx, uid) {
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g.ID)
	}
	if len(groups) != 1 || groups[0] != gid {
		t.Fatalf("user groups %v", groups)
	}
	if n := e.srv.Count("GET /api/v1/logs"); n != 3 {
		t.Fatalf("%d log requests", n)
	}
}

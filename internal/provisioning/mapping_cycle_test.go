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
	"strings"
	"testing"

	"github.com/elimity-com/scim/schema"

	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

const (
	enterpriseKey = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	acmeSchema    = "urn:example:params:scim:schemas:extension:acme:2.0:User"
)

func (e *env) addProfileUser(login string, profile map[string]any) string {
	e.t.Helper()
	id, err := e.okta.AddUser(oktaserver.UserSpec{Login: login, Email: login, FirstName: "First", LastName: "Last",
		Status: okta.StatusActive, Profile: profile})
	if err != nil {
		e.t.Fatal(err)
	}
	e.users[login] = id
	return id
}

func (e *env) profile(login string, attrs map[string]any) {
	e.t.Helper()
	if err := e.okta.UpdateProfile(e.users[login], attrs); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) targetAttr(userName string, path ...string) any {
	e.t.Helper()
	var v any = e.targetUser(userName)
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func mustSync(t *testing.T, res *Result) {
	t.Helper()
	if !res.InSync || res.Counts.Failures > 0 {
		t.Fatalf("not in sync: gap %+v, failures %v, out of sync %v", res.Gap, res.Failures, res.OutOfSync)
	}
}

// An attribute mapped with applyOn Create is written when the user is
// created and never again, also not on a full cycle; Always attributes
// keep following Okta, and one that loses its value is removed.
func TestApplyOnCreateIsNotOverwritten(t *testing.T) {
	e := newEnv(t)
	e.addProfileUser("ada@example.com", map[string]any{"title": "Engineer", "department": "R&D"})
	e.addGroup("Staff", true, false, "ada@example.com")
	e.cfg.Mapping.Expressions = []AttributeExpression{
		{Target: "title", Expression: "user.profile.title", ApplyOn: ApplyCreate},
		{Target: "department", Expression: "user.profile.?department"},
	}
	mustSync(t, e.cycle(ModeFull))
	if got := e.targetAttr("ada@example.com", "title"); got != "Engineer" {
		t.Fatalf("title on create = %v", got)
	}
	e.profile("ada@example.com", map[string]any{"title": "Director", "department": "Sales"})
	mustSync(t, e.cycle(ModeFull))
	if got := e.targetAttr("ada@example.com", "title"); got != "Engineer" {
		t.Fatalf("title after a full cycle = %v, want the value of the create", got)
	}
	if got := e.targetAttr("ada@example.com", enterpriseKey, "department"); got != "Sales" {
		t.Fatalf("department = %v, want Sales", got)
	}
	e.profile("ada@example.com", map[string]any{"department": nil})
	mustSync(t, e.cycle(ModeFull))
	if got := e.targetAttr("ada@example.com", enterpriseKey); got != nil {
		t.Fatalf("enterprise extension = %v, want it removed", got)
	}
}

// A linked user is the target's own: Create-only attributes keep its value.
func TestApplyOnCreateLeavesALinkedUserAlone(t *testing.T) {
	e := newEnv(t)
	if _, err := e.scim.AddUser(map[string]any{"userName": "bo@example.com", "title": "Set by hand", "active": true}); err != nil {
		t.Fatal(err)
	}
	e.addProfileUser("bo@example.com", map[string]any{"title": "Engineer"})
	e.addGroup("Staff", true, false, "bo@example.com")
	e.cfg.Mapping.Expressions = []AttributeExpression{{Target: "title", Expression: "user.profile.title", ApplyOn: ApplyCreate}}
	res := e.cycle(ModeFull)
	mustSync(t, res)
	if got := e.targetAttr("bo@example.com", "title"); got != "Set by hand" {
		t.Fatalf("title = %v, want the target's own", got)
	}
	if ext := e.targetAttr("bo@example.com", "externalId"); ext != e.users["bo@example.com"] {
		t.Fatalf("not linked: externalId %v", ext)
	}
}

// The manager is sent as the target id of the manager's user, also when
// both are created in the same cycle, which then ends in sync.
func TestManagerIsTheTargetIDOfTheManager(t *testing.T) {
	e := newEnv(t)
	boss := e.addProfileUser("boss@example.com", nil)
	e.addProfileUser("dev@example.com", map[string]any{"managerId": boss})
	e.addGroup("Staff", true, false, "boss@example.com", "dev@example.com")
	e.cfg.Mapping.Expressions = []AttributeExpression{{Target: "manager", Expression: "user.profile.?managerId"}}
	mustSync(t, e.cycle(ModeFull))
	bossID, _ := e.scim.UserIDByName("boss@example.com")
	if got := e.targetAttr("dev@example.com", enterpriseKey, "manager", "value"); got != bossID {
		t.Fatalf("manager = %v, want %s", got, bossID)
	}
	if res := e.cycle(ModeFull); res.Counts != (Counts{}) {
		t.Fatalf("second full cycle changed %+v", res.Counts)
	}
}

// A Generic target's own extension is sent, read back and patched by path.
func TestGenericExtensionAttributes(t *testing.T) {
	e := newEnvWith(t, scimserver.Options{Token: scimToken,
		UserExtensions: []schema.Schema{scimserver.StringExtension(acmeSchema, "badge", "costCenter")}})
	e.cfg.Profile = ProfileGeneric
	e.addProfileUser("cy@example.com", map[string]any{"costCenter": "CC-1"})
	e.addGroup("Staff", true, false, "cy@example.com")
	e.cfg.Mapping.Expressions = []AttributeExpression{
		{Target: acmeSchema + ":costCenter", Expression: "user.profile.costCenter"},
		{Target: acmeSchema + ":badge", Expression: `"B-" + user.id`},
	}
	mustSync(t, e.cycle(ModeFull))
	if got := e.targetAttr("cy@example.com", acmeSchema, "costCenter"); got != "CC-1" {
		t.Fatalf("costCenter = %v", got)
	}
	e.profile("cy@example.com", map[string]any{"costCenter": "CC-2"})
	res := e.cycle(ModeFull)
	mustSync(t, res)
	if res.Counts.Updated != 1 {
		t.Fatalf("counts %+v, want one update", res.Counts)
	}
	if got := e.targetAttr("cy@example.com", acmeSchema, "costCenter"); got != "CC-2" {
		t.Fatalf("costCenter = %v after the update", got)
	}
	if res := e.cycle(ModeFull); res.Counts != (Counts{}) {
		t.Fatalf("a full cycle after the update changed %+v: the extension was not read back", res.Counts)
	}
}

// A scope change that would deactivate 6 of 10 users holds them all.
func TestScopeChangeOverTheThresholdIsHeld(t *testing.T) {
	e := newEnv(t)
	var logins []string
	for i := range 10 {
		dept := "Staff"
		if i < 6 {
			dept = "Contractors"
		}
		login := string(rune('a'+i)) + "@example.com"
		e.addProfileUser(login, map[string]any{"department": dept})
		logins = append(logins, login)
	}
	e.addGroup("Everyone", true, false, logins...)
	mustSync(t, e.cycle(ModeFull))
	e.cfg.Scope = `user.profile.department != "Contractors"`
	res := e.cycle(ModeIncremental)
	if res.Mode != ModeFull {
		t.Fatalf("a scope change ran a %s cycle, want a full one", res.Mode)
	}
	if res.Held == nil || len(res.Held.Changes) != 6 || res.Counts.Deactivated != 0 {
		t.Fatalf("held %+v, counts %+v: want all 6 deactivations held", res.Held, res.Counts)
	}
	if !strings.Contains(res.Held.Changes[0].Detail, "outside spec.scope") {
		t.Fatalf("reason %q", res.Held.Changes[0].Detail)
	}
	e.cfg.ApprovedPlanID = res.Held.ID
	res = e.cycle(ModeFull)
	if res.Counts.Deactivated != 6 {
		t.Fatalf("after approval: %+v", res.Counts)
	}
	mustSync(t, res)
}

// Changing the userName expression renames everyone: over the thresholds
// the renames are held like deactivations.
func TestMappingChangeRenamesAreHeld(t *testing.T) {
	e := newEnv(t)
	var logins []string
	for i := range 5 {
		login := string(rune('a'+i)) + "@example.com"
		e.addProfileUser(login, nil)
		logins = append(logins, login)
	}
	e.addGroup("Everyone", true, false, logins...)
	mustSync(t, e.cycle(ModeFull))
	e.cfg.Mapping.Expressions = exprs("userName", `user.profile.login.split("@")[0] + "@corp.example"`)
	res := e.cycle(ModeIncremental)
	if res.Held == nil || len(res.Held.Changes) != 5 || res.Held.Changes[0].Action != ActionRename {
		t.Fatalf("held %+v: want the 5 renames held", res.Held)
	}
	if e.targetUser("a@corp.example") != nil {
		t.Fatal("a rename was applied")
	}
}

// A runtime error fails that user only: the others are provisioned, and
// the user is reported like any per-object failure.
func TestRuntimeErrorFailsOneUser(t *testing.T) {
	e := newEnv(t)
	e.addProfileUser("ok@example.com", map[string]any{"title": "Engineer"})
	e.addProfileUser("bad@example.com", nil)
	e.addGroup("Staff", true, false, "ok@example.com", "bad@example.com")
	e.cfg.Mapping.Expressions = exprs("title", "user.profile.title")
	res := e.cycle(ModeFull)
	if e.targetUser("ok@example.com") == nil || e.targetUser("bad@example.com") != nil {
		t.Fatal("want ok@ created and bad@ not")
	}
	if res.InSync || res.Gap.Pending != 1 || res.UserCounts.Conflicts != 1 || len(res.Failures) != 1 {
		t.Fatalf("in sync %t, gap %+v, counts %+v, failures %v", res.InSync, res.Gap, res.UserCounts, res.Failures)
	}
	if f := res.Failures[0]; !strings.Contains(f.Err.Error(), "bad@example.com") || !strings.Contains(f.Err.Error(), "no such key: title") {
		t.Fatalf("failure %v", f.Err)
	}
	if len(res.OutOfSync) != 1 || !strings.Contains(res.OutOfSync[0].Reason, "no such key") {
		t.Fatalf("out of sync %+v", res.OutOfSync)
	}
}

// An expression that does not compile stops the cycle before any request.
func TestInvalidMappingWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.addProfileUser("ok@example.com", nil)
	e.addGroup("Staff", true, false, "ok@example.com")
	e.cfg.Mapping.Expressions = exprs("title", "user.profile.title +")
	e.okta.ResetCounts()
	_, err := e.engine.Run(t.Context(), e.cfg)
	if !errors.Is(err, ErrInvalidMapping) || !strings.Contains(err.Error(), "Syntax error") {
		t.Fatalf("err %v", err)
	}
	if n := e.scim.TotalRequests(); n != 0 || len(e.oktaRoutes()) != 0 {
		t.Fatalf("requests were sent: target %d, okta %v", n, e.oktaRoutes())
	}
}

// The hash that decides a full cycle follows the mapping's source, never
// the compiled programs.
func TestScopeHashCoversTheMapping(t *testing.T) {
	base := Config{Profile: ProfileCiscoSecureAccess, Mapping: Mapping{UserName: "login", Expressions: exprs("title", "user.profile.title")}}
	a, b := base, base
	if err := (&Engine{}).compile(&a); err != nil {
		t.Fatal(err)
	}
	if a.scopeHash() != b.scopeHash() {
		t.Fatal("compiling the mapping changed the hash")
	}
	for name, change := range map[string]func(*Config){
		"expression": func(c *Config) { c.Mapping.Expressions = exprs("title", "user.profile.title.upperAscii()") },
		"applyOn": func(c *Config) {
			c.Mapping.Expressions = []AttributeExpression{{Target: "title", Expression: "user.profile.title", ApplyOn: ApplyCreate}}
		},
		"constants": func(c *Config) { c.Mapping.Constants = map[string]string{"x": "y"} },
		"scope":     func(c *Config) { c.Scope = "true" },
	} {
		c := base
		change(&c)
		if c.scopeHash() == base.scopeHash() {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
}

// Incremental cycles evaluate only the users Okta updated: a changed
// attribute is written, and a user whose own change takes it out of the
// scope is deactivated (within the floor), while the others keep the
// mapping of the last cycle.
func TestIncrementalCyclesEvaluateUpdatedUsers(t *testing.T) {
	e := newEnv(t)
	var logins []string
	for i := range 5 {
		login := string(rune('a'+i)) + "@example.com"
		e.addProfileUser(login, map[string]any{"title": "Engineer", "department": "Staff"})
		logins = append(logins, login)
	}
	e.addGroup("Everyone", true, false, logins...)
	e.cfg.Scope = `user.profile.department != "Contractors"`
	e.cfg.Mapping.Expressions = exprs("title", "user.profile.title")
	mustSync(t, e.cycle(ModeFull))
	e.settle()
	e.profile("a@example.com", map[string]any{"title": "Director"})
	e.profile("b@example.com", map[string]any{"department": "Contractors"})
	res := e.cycle(ModeIncremental)
	if res.Mode != ModeIncremental || res.Counts.Updated != 1 || res.Counts.Deactivated != 1 {
		t.Fatalf("mode %s, counts %+v", res.Mode, res.Counts)
	}
	mustSync(t, res)
	if got := e.targetAttr("a@example.com", "title"); got != "Director" {
		t.Fatalf("title %v", got)
	}
	if got := e.targetAttr("b@example.com", "active"); got != false {
		t.Fatalf("b active = %v, want deactivated", got)
	}
	e.settle()
	e.profile("b@example.com", map[string]any{"department": "Staff"})
	if res := e.cycle(ModeIncremental); res.Counts.Reactivated != 1 {
		t.Fatalf("back in scope: counts %+v", res.Counts)
	}
}

// A user whose expressions fail is still deactivated when its own record
// says so: the active flag needs no mapped attribute.
func TestFailingUserIsStillDeactivated(t *testing.T) {
	e := newEnv(t)
	id := e.addProfileUser("sue@example.com", map[string]any{"title": "Engineer"})
	e.addGroup("Staff", true, false, "sue@example.com")
	e.cfg.Mapping.Expressions = exprs("title", "user.profile.title")
	mustSync(t, e.cycle(ModeFull))
	e.profile("sue@example.com", map[string]any{"title": nil})
	e.cfg.Mapping.Expressions = exprs("title", "user.profile.title.lowerAscii()")
	if err := e.okta.SetStatus(id, okta.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	res := e.cycle(ModeFull)
	if res.Counts.Deactivated != 1 || res.UserCounts.Conflicts != 1 {
		t.Fatalf("counts %+v, user counts %+v", res.Counts, res.UserCounts)
	}
	if got := e.targetAttr("sue@example.com", "active"); got != false {
		t.Fatalf("active = %v", got)
	}
}

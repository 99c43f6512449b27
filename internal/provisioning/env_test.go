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
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// env is an Okta emulator and a Cisco-profile SCIM server on loopback, with an
// engine between them and the configuration a controller would pass.
type env struct {
	t      *testing.T
	okta   *oktaserver.Server
	scim   *scimserver.Server
	engine *Engine
	cfg    Config
	users  map[string]string // login → Okta id
	groups map[string]string // name → Okta id
}

const scimToken = "scim-test-token"

func newEnv(t *testing.T, tune ...func(*okta.Options)) *env {
	t.Helper()
	return newEnvWith(t, scimserver.Options{Token: scimToken, MaxGroups: 1000}, tune...)
}

// newEnvWith is newEnv with a SCIM server of its own options.
func newEnvWith(t *testing.T, so scimserver.Options, tune ...func(*okta.Options)) *env {
	t.Helper()
	o := oktaserver.New(oktaserver.Options{DefaultRateLimit: 100000})
	ohs := httptest.NewServer(o.Handler())
	t.Cleanup(ohs.Close)

	s, err := scimserver.New(so)
	if err != nil {
		t.Fatal(err)
	}
	shs := httptest.NewServer(s)
	t.Cleanup(shs.Close)

	ocfg := okta.Options{
		Limiters: okta.NewLimiters(okta.LimiterOptions{}),
		Backoff:  httpx.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond},
		Overlap:  time.Millisecond,
	}
	for _, f := range tune {
		f(&ocfg)
	}
	oc, err := okta.New(ohs.URL, okta.SSWS(o.APIToken()), ocfg)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scim.New(shs.URL+s.BasePath(), scimToken, scim.Options{
		RPS: -1, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, okta: o, scim: s, users: map[string]string{}, groups: map[string]string{}}
	e.engine = New(OktaSource{Client: oc}, sc, Options{WatermarkOverlap: time.Millisecond})
	e.cfg = Config{
		Profile:                ProfileCiscoSecureAccess,
		CreateUsers:            true,
		UpdateUsers:            true,
		DeactivateUsers:        true,
		Mapping:                Mapping{UserName: "login", DisplayName: "displayName"},
		MaxDeactivations:       50,
		MaxDeactivationPercent: 10,
		DeactivationFloor:      2,
		Mode:                   ModeFull,
	}
	return e
}

func (e *env) addUser(login, status string) string {
	e.t.Helper()
	first, last := login, "Tester"
	id, err := e.okta.AddUser(oktaserver.UserSpec{Login: login, Email: login, FirstName: first, LastName: last, Status: status})
	if err != nil {
		e.t.Fatal(err)
	}
	e.users[login] = id
	return id
}

// addGroup adds an Okta group with members and configures it.
func (e *env) addGroup(name string, assign, push bool, members ...string) string {
	e.t.Helper()
	id, err := e.okta.AddGroup(oktaserver.GroupSpec{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	e.groups[name] = id
	for _, m := range members {
		if err := e.okta.AddMember(id, e.users[m]); err != nil {
			e.t.Fatal(err)
		}
	}
	e.cfg.Groups = append(e.cfg.Groups, GroupConfig{Key: "ns/" + name, OktaID: id, OktaName: name, Assign: assign, Push: push})
	return id
}

// cycle runs one cycle of the given mode with fresh request counts, and feeds
// the group results back into the configuration as the controller does.
func (e *env) cycle(mode Mode) *Result {
	e.t.Helper()
	e.okta.ResetCounts()
	e.scim.ResetCounts()
	cfg := e.cfg
	cfg.Mode = mode
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := e.engine.Run(ctx, cfg)
	if err != nil {
		e.t.Fatalf("cycle: %v", err)
	}
	for i, g := range e.cfg.Groups {
		if gr, ok := res.Groups[g.Key]; ok {
			e.cfg.Groups[i].TargetID = gr.TargetID
			if gr.Pushed {
				e.cfg.Groups[i].BaselineMembers = gr.PushedMembers
			}
		}
	}
	e.cfg.ApprovedPlanID = ""
	return res
}

// settle waits for the next second of the server clock (HTTP dates have
// whole seconds), so changes made so far fall before the next watermark and
// incremental cycles see only what a test changes afterwards.
func (e *env) settle() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
}

// targetUser returns the SCIM server's copy of a user by userName.
func (e *env) targetUser(userName string) map[string]any {
	e.t.Helper()
	id, ok := e.scim.UserIDByName(userName)
	if !ok {
		return nil
	}
	u, _ := e.scim.User(id)
	return u
}

// targetMembers returns the userNames of a target group's members.
func (e *env) targetMembers(displayName string) []string {
	e.t.Helper()
	id, ok := e.scim.GroupIDByName(displayName)
	if !ok {
		e.t.Fatalf("target group %q not found", displayName)
	}
	ids, _ := e.scim.GroupMembers(id)
	var names []string
	for _, m := range ids {
		u, _ := e.scim.User(m)
		n, _ := u["userName"].(string)
		names = append(names, n)
	}
	return sortStrings(names)
}

// writes returns the target requests by route.
func (e *env) targetRoutes() map[string]int {
	out := map[string]int{}
	for r, n := range e.scim.Requests() {
		out[r.Method+" "+r.Path] += n
	}
	return out
}

func (e *env) oktaRoutes() map[string]int64 {
	out := map[string]int64{}
	for k, n := range e.okta.Counts() {
		out[k.Endpoint] += n
	}
	return out
}

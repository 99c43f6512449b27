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

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// readSnapshot reads the seeded directory through the Okta API: the group
// list, then every group's members (the generator puts everyone in "All
// Staff", so that covers every user).
func readSnapshot(ctx context.Context, oc *okta.Client, concurrency int) (*snapshot, error) {
	groups, err := oc.GroupsChangedSince(time.Unix(0, 0)).Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing groups: %w", err)
	}
	slices.SortFunc(groups, func(a, b okta.Group) int { return strings.Compare(a.ID, b.ID) })
	snap := &snapshot{Users: map[string]*oktaUser{}}
	for _, g := range groups {
		snap.Groups = append(snap.Groups, &oktaGroup{ID: g.ID, Name: g.Profile.Name, Members: map[string]struct{}{}})
	}
	var mu sync.Mutex
	err = forEach(ctx, concurrency, snap.Groups, func(ctx context.Context, g *oktaGroup) error {
		for u, err := range oc.ListGroupMembers(ctx, g.ID) {
			if err != nil {
				return fmt.Errorf("members of %s: %w", g.Name, err)
			}
			mu.Lock()
			g.Members[u.ID] = struct{}{}
			if _, ok := snap.Users[u.ID]; !ok {
				dept, _ := u.Attr("department")
				emp, _ := u.Attr("employeeNumber")
				snap.Users[u.ID] = &oktaUser{ID: u.ID, Login: u.Login(), First: u.FirstName(), Last: u.LastName(), Display: u.DisplayName(), Status: u.Status,
					Department: dept, EmployeeNumber: emp}
			}
			mu.Unlock()
		}
		return nil
	})
	return snap, err
}

// forEach runs fn over items with at most n in flight and returns the first error.
func forEach[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan T)
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range max(1, n) {
		wg.Go(func() {
			for it := range ch {
				if err := fn(ctx, it); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
	for _, it := range items {
		select {
		case ch <- it:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(ch)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// admin drives the emulator's admin API.
type admin struct {
	base string
	hc   *http.Client
}

func (a admin) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	return data, nil
}

// counts returns the emulator's request counts by "METHOD /pattern",
// leaving out the admin API.
func (a admin) counts(ctx context.Context) (map[string]int64, error) {
	data, err := a.do(ctx, http.MethodGet, "/__admin/counts", nil)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Endpoint string `json:"endpoint"`
		Count    int64  `json:"count"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		if !strings.Contains(r.Endpoint, "/__admin/") {
			out[r.Endpoint] += r.Count
		}
	}
	return out, nil
}

// churnMix is how the 1% of changed users splits, in percent.
var churnMix = struct{ Move, Remove, Suspend, Edit int }{Move: 30, Remove: 20, Suspend: 10, Edit: 25} // rest: added

// churnPlan counts the changes of each kind.
type churnPlan struct {
	Moves    int `json:"moves"`
	Removes  int `json:"removes"`
	Suspends int `json:"suspends"`
	Edits    int `json:"edits"`
	Adds     int `json:"adds"`
}

func (p churnPlan) Total() int { return p.Moves + p.Removes + p.Suspends + p.Edits + p.Adds }

// planChurn sizes a churn of pct percent of users.
func planChurn(users int, pct float64) churnPlan {
	total := max(1, int(float64(users)*pct/100))
	p := churnPlan{
		Moves: total * churnMix.Move / 100, Removes: total * churnMix.Remove / 100,
		Suspends: total * churnMix.Suspend / 100, Edits: total * churnMix.Edit / 100,
	}
	p.Adds = total - p.Moves - p.Removes - p.Suspends - p.Edits
	return p
}

// churnResult says what the churn touched, for the incremental read plan.
type churnResult struct {
	Plan          churnPlan
	ChangedGroups map[string]bool // Okta groups whose membership changed
	ChangedUsers  int             // users whose lastUpdated moved
}

// minGroupForRemoval keeps removals away from tiny groups, where a single
// removal would trip the per-group removal threshold (10%).
const minGroupForRemoval = 50

// applyChurn changes the directory through the admin API and mirrors each
// change in snap. Users are picked among provisioned, active ones so every
// change reaches the target; no user is changed twice.
func applyChurn(ctx context.Context, a admin, snap *snapshot, plan churnPlan, seed uint64) (churnResult, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	res := churnResult{Plan: plan, ChangedGroups: map[string]bool{}}
	var pool []*oktaUser
	for _, u := range snap.Users {
		if u.Status == "ACTIVE" {
			pool = append(pool, u)
		}
	}
	slices.SortFunc(pool, func(a, b *oktaUser) int { return strings.Compare(a.ID, b.ID) })
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	next := 0
	pick := func(ok func(*oktaUser) bool) *oktaUser {
		for next < len(pool) {
			u := pool[next]
			next++
			if ok == nil || ok(u) {
				return u
			}
		}
		return nil
	}
	tail := snap.Groups[min(1, len(snap.Groups)-1):] // every group but "All Staff"
	groupsOf := func(u *oktaUser) []*oktaGroup {
		var out []*oktaGroup
		for _, g := range tail {
			if _, ok := g.Members[u.ID]; ok && len(g.Members) >= minGroupForRemoval {
				out = append(out, g)
			}
		}
		return out
	}
	member := func(g *oktaGroup, u *oktaUser, in bool) error {
		method := http.MethodPost
		if !in {
			method = http.MethodDelete
		}
		if _, err := a.do(ctx, method, "/__admin/groups/"+g.ID+"/members/"+u.ID, nil); err != nil {
			return err
		}
		if in {
			g.Members[u.ID] = struct{}{}
		} else {
			delete(g.Members, u.ID)
		}
		res.ChangedGroups[g.ID] = true
		return nil
	}
	hasTail := len(snap.Groups) > 1
	for i := 0; i < plan.Moves && hasTail; i++ {
		notIn := func(u *oktaUser) []*oktaGroup {
			var out []*oktaGroup
			for _, g := range tail {
				if _, in := g.Members[u.ID]; !in {
					out = append(out, g)
				}
			}
			return out
		}
		u := pick(func(u *oktaUser) bool { return len(groupsOf(u)) > 0 && len(notIn(u)) > 0 })
		if u == nil {
			break
		}
		from := groupsOf(u)[rng.IntN(len(groupsOf(u)))]
		targets := notIn(u)
		to := targets[rng.IntN(len(targets))]
		if err := member(from, u, false); err != nil {
			return res, err
		}
		if err := member(to, u, true); err != nil {
			return res, err
		}
	}
	for i := 0; i < plan.Removes && hasTail; i++ {
		u := pick(func(u *oktaUser) bool { return len(groupsOf(u)) > 0 })
		if u == nil {
			break
		}
		gs := groupsOf(u)
		if err := member(gs[rng.IntN(len(gs))], u, false); err != nil {
			return res, err
		}
	}
	for range plan.Suspends {
		u := pick(nil)
		if u == nil {
			break
		}
		if _, err := a.do(ctx, http.MethodPost, "/__admin/users/"+u.ID+"/lifecycle/suspend", nil); err != nil {
			return res, err
		}
		u.Status = "SUSPENDED"
		res.ChangedUsers++
	}
	for range plan.Edits {
		u := pick(nil)
		if u == nil {
			break
		}
		// A surname change: lastName and displayName together, as HR feeds do.
		last := u.Last + "-Smith"
		display := strings.TrimSpace(u.First + " " + last)
		if _, err := a.do(ctx, http.MethodPost, "/__admin/users/"+u.ID+"/profile", map[string]any{"lastName": last, "displayName": display}); err != nil {
			return res, err
		}
		u.Last, u.Display = last, display
		res.ChangedUsers++
	}
	for i := range plan.Adds {
		first, last := "New", fmt.Sprintf("Hire%d", i)
		login := fmt.Sprintf("new.hire.%d.%d@example.com", seed, i)
		data, err := a.do(ctx, http.MethodPost, "/__admin/users", map[string]any{
			"status":  "ACTIVE",
			"profile": map[string]any{"login": login, "email": login, "firstName": first, "lastName": last, "displayName": first + " " + last},
		})
		if err != nil {
			return res, err
		}
		var created struct{ ID string }
		if err := json.Unmarshal(data, &created); err != nil || created.ID == "" {
			return res, fmt.Errorf("admin create user: bad answer %q", data)
		}
		u := &oktaUser{ID: created.ID, Login: login, First: first, Last: last, Display: first + " " + last, Status: "ACTIVE"}
		snap.Users[u.ID] = u
		res.ChangedUsers++
		// New hires join everyone's group and one team.
		if err := member(snap.Groups[0], u, true); err != nil {
			return res, err
		}
		if hasTail {
			if err := member(tail[rng.IntN(len(tail))], u, true); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

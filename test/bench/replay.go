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
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// replayer sends the minimal request set of a change set with the same
// clients and concurrency as the engine. It writes to a second SCIM server
// of its own, which it keeps equal to the model phase by phase, so its
// writes land on the same kind of state as the engine's without touching
// the engine's objects.
type replayer struct {
	oc       *okta.Client
	sc       *scim.Client
	oktaAcct *httpx.Accounting
	scimAcct *httpx.Accounting
	t        tuning

	mu   sync.Mutex
	ids  map[string]string // Okta user id → SCIM id in the replay server
	gids map[string]string // Okta group id → SCIM group id
}

func newReplayer(oktaURL, oktaToken, scimURL, scimToken string, t tuning) (*replayer, error) {
	r := &replayer{oktaAcct: &httpx.Accounting{}, scimAcct: &httpx.Accounting{}, t: t, ids: map[string]string{}, gids: map[string]string{}}
	var err error
	if r.oc, err = okta.New(oktaURL, okta.SSWS(oktaToken), t.oktaOptions(r.oktaAcct)); err != nil {
		return nil, err
	}
	if r.sc, err = scim.New(scimURL, scimToken, t.scimOptions(r.scimAcct)); err != nil {
		return nil, err
	}
	return r, nil
}

// replayStats is one replay as measured.
type replayStats struct {
	Seconds float64 `json:"seconds"`
	// CPUSeconds is the harness process's CPU time during the replay
	// (nothing else runs in it meanwhile), to set against the engine's.
	CPUSeconds     float64          `json:"cpu_seconds"`
	OktaRequests   map[string]int64 `json:"okta_requests"`
	TargetRequests map[string]int64 `json:"target_requests"`
	Planned        requestCount     `json:"planned"`
}

// run replays: reads of both sides (concurrently, as an engine may), then
// user writes, then group creates, then member batches.
func (r *replayer) run(ctx context.Context, cs changeSet, rp readPlan, since time.Time) (replayStats, error) {
	oktaBefore, scimBefore := r.oktaAcct.Snapshot(), r.scimAcct.Snapshot()
	cpuBefore := cpuTime()
	start := time.Now()
	if err := r.reads(ctx, rp, since); err != nil {
		return replayStats{}, fmt.Errorf("replay reads: %w", err)
	}
	if err := r.userWrites(ctx, cs.Users); err != nil {
		return replayStats{}, fmt.Errorf("replay user writes: %w", err)
	}
	if err := r.groupWrites(ctx, cs.Groups); err != nil {
		return replayStats{}, fmt.Errorf("replay group writes: %w", err)
	}
	st := replayStats{Seconds: time.Since(start).Seconds(), CPUSeconds: (cpuTime() - cpuBefore).Seconds(), Planned: limitRequests(cs, rp)}
	st.OktaRequests = kindDelta(oktaBefore, r.oktaAcct.Snapshot())
	st.TargetRequests = kindDelta(scimBefore, r.scimAcct.Snapshot())
	return st, nil
}

func (r *replayer) reads(ctx context.Context, rp readPlan, since time.Time) error {
	var wg sync.WaitGroup
	var oktaErr, scimErr error
	wg.Go(func() {
		if !rp.Full {
			if _, err := r.oc.GroupsByID(rp.GroupIDs).Collect(ctx); err != nil {
				oktaErr = err
				return
			}
			if _, err := r.oc.UsersUpdatedSince(since).Collect(ctx); err != nil {
				oktaErr = err
				return
			}
		}
		ids := slices.Sorted(maps.Keys(rp.OktaGroups))
		oktaErr = forEach(ctx, r.t.ReadConcurrency, ids, func(ctx context.Context, id string) error {
			for _, err := range r.oc.ListGroupMembers(ctx, id) {
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
	if rp.Full {
		wg.Go(func() {
			for _, err := range r.sc.ListUsers(ctx, scim.ListOptions{}) {
				if err != nil {
					scimErr = err
					return
				}
			}
			for _, err := range r.sc.ListGroups(ctx, scim.ListOptions{IncludeMembers: true}) {
				if err != nil {
					scimErr = err
					return
				}
			}
		})
	}
	wg.Wait()
	if oktaErr != nil {
		return oktaErr
	}
	return scimErr
}

// scimUser renders a model user as the create body.
func scimUser(oktaID string, u targetUser) scim.User {
	a := u.Attrs
	su := scim.User{
		ExternalID: oktaID, UserName: a.UserName, DisplayName: a.DisplayName, Active: scim.Ptr(u.Active),
		Name: &scim.Name{GivenName: a.GivenName, FamilyName: a.FamilyName, Formatted: a.Formatted},
	}
	if a.Department != "" || a.EmployeeNumber != "" {
		su.Enterprise = &scim.EnterpriseUser{Department: a.Department, EmployeeNumber: a.EmployeeNumber}
	}
	return su
}

func (r *replayer) userWrites(ctx context.Context, users []userChange) error {
	return forEach(ctx, r.t.WriteConcurrency, users, func(ctx context.Context, ch userChange) error {
		if ch.Create {
			created, err := r.sc.CreateUser(ctx, scimUser(ch.OktaID, ch.User))
			if err != nil {
				return err
			}
			r.mu.Lock()
			r.ids[ch.OktaID] = created.ID
			r.mu.Unlock()
			return nil
		}
		r.mu.Lock()
		id := r.ids[ch.OktaID]
		r.mu.Unlock()
		ops := make([]scim.PatchOp, 0, len(ch.Patch))
		for _, path := range slices.Sorted(maps.Keys(ch.Patch)) {
			ops = append(ops, scim.ReplaceOp(path, ch.Patch[path]))
		}
		return r.sc.PatchUser(ctx, id, ops...)
	})
}

// memberBatch is up to membersPerPatch member changes of one group.
type memberBatch struct {
	group       string // Okta group id
	add, remove []string
}

// batches splits member changes into PATCH-sized pieces, adds first.
func batches(group string, add, remove []string, n int) []memberBatch {
	var out []memberBatch
	for len(add)+len(remove) > 0 {
		b := memberBatch{group: group}
		k := min(n, len(add))
		b.add, add = add[:k], add[k:]
		k = min(n-len(b.add), len(remove))
		b.remove, remove = remove[:k], remove[k:]
		out = append(out, b)
	}
	return out
}

func (r *replayer) groupWrites(ctx context.Context, groups []groupChange) error {
	var creates []groupChange
	var rest []memberBatch
	for _, g := range groups {
		add := g.Add
		if g.Create {
			k := min(membersPerPatch, len(add))
			creates = append(creates, groupChange{OktaID: g.OktaID, Name: g.Name, Create: true, Add: add[:k]})
			add = add[k:]
		}
		rest = append(rest, batches(g.OktaID, add, g.Remove, membersPerPatch)...)
	}
	// Groups are created (with their first batch inline) before any other
	// batch, then every batch of every group shares the write workers.
	err := forEach(ctx, r.t.WriteConcurrency, creates, func(ctx context.Context, g groupChange) error {
		grp := scim.Group{DisplayName: g.Name, Members: make([]scim.Member, 0, len(g.Add))}
		r.mu.Lock()
		for _, id := range g.Add {
			grp.Members = append(grp.Members, scim.Member{Value: r.ids[id]})
		}
		r.mu.Unlock()
		created, err := r.sc.CreateGroup(ctx, grp)
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.gids[g.OktaID] = created.ID
		r.mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	return forEach(ctx, r.t.WriteConcurrency, rest, func(ctx context.Context, b memberBatch) error {
		r.mu.Lock()
		gid := r.gids[b.group]
		add, remove := r.scimIDs(b.add), r.scimIDs(b.remove)
		r.mu.Unlock()
		return r.sc.UpdateMembers(ctx, gid, add, remove)
	})
}

// scimIDs maps Okta ids to replay-server ids; the caller holds r.mu.
func (r *replayer) scimIDs(okta []string) []string {
	out := make([]string, len(okta))
	for i, id := range okta {
		out[i] = r.ids[id]
	}
	return out
}

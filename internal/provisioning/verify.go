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
)

// maxOutOfSync bounds Result.OutOfSync.
const maxOutOfSync = 10

// verify re-plans against the view the cycle left behind: whatever a plan
// would still do is what the target does not match yet. The counts, the
// gap by cause and a sample of what is out of sync come from that re-plan,
// so "in sync" has one definition. A dry run is judged on the target as read.
func (c *cycle) verify() {
	have := c.have
	if c.cfg.DryRun {
		have = c.before
	}
	up := planUsers(c.cfg, c.want, have, c.confirmed, nil)
	gp := planGroups(c.cfg, c.want, have, nil)
	c.remainingGroups = map[string]bool{}
	for _, ch := range gp.Changes {
		c.remainingGroups[ch.Key] = true
	}

	res := c.res
	res.UserCounts = countUsers(c.want, have, up)
	res.UserCounts.Deferred, res.UserCounts.Failed = c.countKind("User")
	res.GroupCounts = countGroups(c.cfg, c.want, have, gp, c.remainingGroups)
	res.Gap = c.gap(up, gp)
	res.InSync = !c.cfg.DryRun && res.Gap == (SyncGap{})
	res.OutOfSync = c.outOfSync(up, gp)
}

// gap counts what keeps the cycle from being in sync, by cause.
func (c *cycle) gap(up *userPlan, gp *groupPlan) SyncGap {
	g := SyncGap{
		SourceIncomplete: !c.want.Complete || up.Unconfirmed > 0 || up.Blocked > 0,
		Held:             len(up.Held) + len(gp.Held),
		Pending:          len(up.Changes) + len(up.Conflicts),
	}
	for key, gs := range gp.Status {
		switch {
		case gs.CapBlocked:
			g.Capped++
		case gs.MembersUnknown && !c.want.Groups[key].Config.Deleting:
			g.TargetIncomplete = true
		case gs.Blocked != "" || c.remainingGroups[key]:
			g.Pending++
		}
	}
	return g
}

func countUsers(want *desired, have *actual, up *userPlan) UserCounts {
	pending := make(map[string]bool, len(up.Changes))
	for _, ch := range up.Changes {
		pending[ch.OktaID] = true
	}
	var n UserCounts
	for _, d := range want.Users {
		if !d.Active || d.Invalid != "" {
			continue
		}
		n.InScope++
		if t := have.userByOktaID(d.OktaID); t != nil && t.Active && !pending[d.OktaID] {
			n.Synced++
		}
	}
	n.Managed, n.Active = have.counts()
	n.Held, n.Conflicts = len(up.Held), len(up.Conflicts)
	return n
}

func countGroups(cfg *Config, want *desired, have *actual, gp *groupPlan, remaining map[string]bool) GroupCounts {
	n := GroupCounts{InTarget: have.GroupCount, Cap: cfg.EffectiveMaxGroups()}
	for key, dg := range want.Groups {
		if !dg.Config.Push || dg.Config.Deleting || dg.Config.Blocked != "" {
			continue
		}
		n.Wanted++
		gs := gp.Status[key]
		switch {
		case gs == nil:
		case gs.CapBlocked:
			n.Capped++
		case gs.TargetID != "":
			n.Existing++
			if gs.Blocked == "" && gs.RemovalsHeld == 0 && !remaining[key] {
				n.Pushed++
			}
		}
	}
	return n
}

// countKind counts the deferred and failed objects of a kind this cycle.
func (c *cycle) countKind(kind string) (deferred, failed int) {
	for _, o := range c.deferred {
		if o.Kind == kind {
			deferred++
		}
	}
	for _, f := range c.ap.failures {
		if f.Kind == kind {
			failed++
		}
	}
	return deferred, failed
}

// outOfSync samples what does not match yet, the most telling first:
// failures, deferred objects, conflicts, capped and blocked groups, held
// changes, then anything else a plan would still do.
func (c *cycle) outOfSync(up *userPlan, gp *groupPlan) []OutOfSync {
	s := sampler{seen: map[string]bool{}}
	for _, f := range c.ap.failures {
		s.add(describeFailure(f))
	}
	for _, o := range c.deferred {
		s.add(o)
	}
	for _, cf := range up.Conflicts {
		s.add(OutOfSync{Kind: "User", Name: cf.Name, Reason: cf.Reason})
	}
	for _, key := range slices.Sorted(maps.Keys(gp.Status)) {
		gs, name := gp.Status[key], c.want.Groups[key].targetName()
		switch {
		case gs.CapBlocked:
			s.add(OutOfSync{Kind: "Group", Name: name, Reason: "not created: the target's group cap is reached"})
		case gs.Blocked != "":
			s.add(OutOfSync{Kind: "Group", Name: name, Reason: gs.Blocked})
		}
	}
	for _, h := range append(slices.Clip(up.Held), gp.Held...) {
		s.add(OutOfSync{Kind: h.Kind, Name: h.Name, Reason: "held for approval: " + string(h.Action) + " " + h.Detail})
	}
	for _, ch := range up.Changes {
		if s.full() {
			break
		}
		s.add(OutOfSync{Kind: "User", Name: ch.Name, Reason: "still to " + string(ch.action())})
	}
	for _, ch := range gp.Changes {
		s.add(OutOfSync{Kind: "Group", Name: ch.Name, Reason: "still to " + string(ch.action())})
	}
	return s.out
}

// sampler keeps the first maxOutOfSync distinct objects.
type sampler struct {
	out  []OutOfSync
	seen map[string]bool
}

func (s *sampler) full() bool { return len(s.out) == maxOutOfSync }

func (s *sampler) add(o OutOfSync) {
	k := o.Kind + "/" + o.Name
	if s.full() || s.seen[k] {
		return
	}
	s.seen[k] = true
	s.out = append(s.out, o)
}

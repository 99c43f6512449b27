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
)

// report summarises the cycle into its result: counts, failures, the held
// set, per-group results, and how far the target now matches (verify).
func (c *cycle) report() {
	res, ap := c.res, c.ap
	res.Counts, res.Failures = ap.counts, ap.failures
	for _, cf := range c.up.Conflicts {
		res.Conflicts++
		res.Counts.Failures++
		if len(res.Failures) < MaxFailuresKept {
			res.Failures = append(res.Failures, Failure{Kind: "User", Name: cf.Name, Action: ActionCreate, Err: errors.New(cf.Reason)})
		}
	}
	res.Held = newHeldSet(append(c.up.Held, c.gp.Held...), append(c.up.HoldReasons, c.gp.HoldReasons...),
		c.cfg, c.st.held, c.approvalSalt(), c.now)
	res.CapWarning = c.gp.CapWarning
	res.Sample = appendSample(c.users.sample, nil, c.gp.Changes)
	c.confirmedMembers = c.baselines()
	c.verify()
	c.reportGroups()
}

// approvalSalt is the most recently approved held set, which a new hold's
// id derives from.
func (c *cycle) approvalSalt() string {
	switch {
	case c.approval != "" && !c.cfg.DryRun:
		return c.approval
	case c.st.lastApproved != "":
		return c.st.lastApproved
	}
	return c.cfg.LastApprovedPlanID
}

// reportGroups fills the per-ProvisionedGroup results.
func (c *cycle) reportGroups() {
	res := c.res
	for key, dg := range c.want.Groups {
		gr := GroupResult{Key: key, OktaName: dg.Name, OktaFound: dg.Found, OktaDeleted: dg.Deleted, Members: len(dg.Members),
			Err: dg.Err, ConfirmedMembers: c.confirmedMembers[key]}
		if gs := c.gp.Status[key]; gs != nil {
			gr.TargetID, gr.TargetName = gs.TargetID, gs.TargetName
			gr.SkippedMembers, gr.CapBlocked, gr.RemovalsHeld = gs.Skipped, gs.CapBlocked, gs.RemovalsHeld
			if gs.Blocked != "" && gr.Err == nil {
				gr.Err = errors.New(gs.Blocked)
			}
		}
		failed := c.ap.failed[groupRetryKey(key)]
		for _, ch := range c.gp.Changes {
			if ch.Key != key {
				continue
			}
			if ch.TargetID != "" {
				gr.TargetID = ch.TargetID
			}
			gr.TargetName, gr.Renamed = ch.Name, ch.Rename
			gr.Deleted = ch.Delete && failed == nil
		}
		if failed != nil {
			gr.Err = failed
		}
		if tg := c.have.Groups[gr.TargetID]; gr.TargetID != "" && tg != nil {
			gr.TargetName, gr.PushedMembers = tg.DisplayName, len(tg.Members)
		} else if !gr.Deleted {
			gr.TargetID = ""
		}
		gr.Pushed = dg.Config.Push && gr.TargetID != "" && gr.Err == nil && !c.remainingGroups[key]
		if gr.Pushed && !c.cfg.DryRun {
			c.st.pushedAt[key] = c.now
		}
		gr.LastPushTime = c.st.pushedAt[key]
		res.Groups[key] = gr
	}
}

// baselines returns each assigned group's member count to judge the next
// reads against: what was read, except a suspicious read while it holds
// changes (until they are approved) and a read that did not complete.
func (c *cycle) baselines() map[string]int {
	holding := len(c.up.Held) > 0 && len(c.want.suspects()) > 0
	out := map[string]int{}
	for key, dg := range c.want.Groups {
		if !dg.Config.Assign {
			continue
		}
		prev, ok := c.st.confirmedMembers[key]
		if !ok {
			prev = dg.Config.ConfirmedMembers
		}
		out[key] = len(dg.Members)
		// Targeted cycles leave the baseline to scheduled ones, so removals
		// trickling in through the feed add up against one baseline.
		if !dg.Read || (dg.Suspect != "" && holding) || c.res.Mode == ModeTargeted {
			out[key] = prev
		}
	}
	return out
}

// appendSample adds the first changes of a plan to out, up to MaxSample.
func appendSample(out []PlannedChange, users []*userChange, groups []*groupChange) []PlannedChange {
	for _, c := range users {
		if len(out) == MaxSample {
			return out
		}
		out = append(out, PlannedChange{Action: c.action(), Kind: "User", Name: c.Name, Detail: c.Reason})
	}
	for _, c := range groups {
		if len(out) == MaxSample {
			return out
		}
		out = append(out, PlannedChange{Action: c.action(), Kind: "Group", Name: c.Name})
	}
	return out
}

// action is the group change's main action, for reports.
func (c *groupChange) action() Action {
	switch {
	case c.Delete:
		return ActionDeleteGroup
	case c.Create:
		return ActionCreateGroup
	case c.Rename:
		return ActionRenameGroup
	case len(c.Add) == 0 && len(c.Remove) > 0:
		return ActionRemoveMembers
	}
	return ActionAddMembers
}

// describeFailure is a failure as an out-of-sync entry.
func describeFailure(f Failure) OutOfSync {
	msg := string(f.Action) + " failed"
	if f.Err != nil {
		msg += ": " + f.Err.Error()
	}
	return OutOfSync{Kind: f.Kind, Name: f.Name, Reason: msg}
}

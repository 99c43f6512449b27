package provisioning

import (
	"errors"
	"time"
)

// fillResult summarises a cycle.
func (e *Engine) fillResult(res *Result, cfg *Config, st *state, want *desired, have *actual,
	up *userPlan, gp *groupPlan, ap *applier, held *HeldSet, now time.Time) {
	res.Counts = ap.counts
	res.Failures = ap.failures
	for _, c := range up.Conflicts {
		res.Conflicts++
		res.Counts.Failures++
		if len(res.Failures) < MaxFailuresKept {
			res.Failures = append(res.Failures, Failure{Kind: "User", Name: c.Name, Action: ActionCreate, Err: errors.New(c.Reason)})
		}
	}
	res.Held = held
	res.ManagedUsers, res.ActiveUsers = have.counts()
	res.TargetGroups = have.GroupCount
	res.GroupCap = cfg.EffectiveMaxGroups()
	res.CapWarning = gp.CapWarning
	res.Sample = sampleOf(up.Changes, gp.Changes)

	failedGroups := map[string]error{}
	for key, err := range ap.failed {
		failedGroups[key] = err
	}
	for key, dg := range want.Groups {
		gr := GroupResult{Key: key, OktaName: dg.Name, OktaFound: dg.Found, OktaDeleted: dg.Deleted, Members: len(dg.Members), Err: dg.Err}
		if gs := gp.Status[key]; gs != nil {
			gr.TargetID, gr.TargetName = gs.TargetID, gs.TargetName
			gr.SkippedMembers = gs.Skipped
			gr.CapBlocked = gs.CapBlocked
			gr.RemovalsHeld = gs.RemovalsHeld
			if gs.Blocked != "" && gr.Err == nil {
				gr.Err = errors.New(gs.Blocked)
			}
		}
		for _, c := range gp.Changes {
			if c.Key != key {
				continue
			}
			if c.TargetID != "" {
				gr.TargetID = c.TargetID
			}
			gr.TargetName = c.Name
			gr.Renamed = c.Rename
			gr.Deleted = c.Delete && failedGroups["group:"+key] == nil
		}
		if err := failedGroups["group:"+key]; err != nil {
			gr.Err = err
		}
		if tg := have.Groups[gr.TargetID]; gr.TargetID != "" && tg != nil {
			gr.TargetName = tg.DisplayName
			gr.PushedMembers = len(tg.Members)
		} else if !gr.Deleted {
			gr.TargetID = ""
		}
		if dg.Config.Push && gr.TargetID != "" {
			res.PushedGroups++
		}
		gr.Pushed = dg.Config.Push && gr.TargetID != "" && gr.Err == nil && gr.RemovalsHeld == 0 && !gr.CapBlocked
		if gr.Pushed && !cfg.DryRun {
			st.pushedAt[key] = now
		}
		gr.LastPushTime = st.pushedAt[key]
		res.Groups[key] = gr
	}
}

// sampleOf returns the first changes of a plan, for reports.
func sampleOf(users []*userChange, groups []*groupChange) []PlannedChange {
	var out []PlannedChange
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
		a := ActionAddMembers
		switch {
		case c.Delete:
			a = ActionDeleteGroup
		case c.Create:
			a = ActionCreateGroup
		case c.Rename:
			a = ActionRenameGroup
		case len(c.Add) == 0 && len(c.Remove) > 0:
			a = ActionRemoveMembers
		}
		out = append(out, PlannedChange{Action: a, Kind: "Group", Name: c.Name})
	}
	return out
}

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

package controller

import (
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// Status sample bounds (they match the CRD's MaxItems and MaxLength).
const (
	maxFailureSample = 10
	maxOutOfSync     = 10
	maxPlanSample    = 20
	maxNameLen       = 256
	maxMessageLen    = 512
	maxDetailLen     = 256
	maxReasonLen     = 256
)

// foldCycle records a finished cycle: what it was run for, its counts and
// summary, plan, held set and approval, and the Synced condition. A
// cancelled cycle leaves the status as it was; a failed one keeps the last
// counts and says why.
func foldCycle(st *identityv1alpha1.DirectoryIntegrationStatus, c conditions, o observation) {
	j := o.finished
	if j == nil || j.cancelled != "" {
		return
	}
	if j.targets != nil {
		foldTargeted(st, c, o)
		return
	}
	st.ObservedGeneration = j.generation
	if j.requested != "" {
		st.LastHandledReconcileAt = truncate(j.requested, 128)
	}
	if j.fullSync != "" {
		st.LastHandledFullSyncAt = truncate(j.fullSync, 128)
	}
	end := metav1.NewTime(j.finished.Truncate(time.Second))
	st.LastSyncTime = &end
	res := j.result
	if j.err == nil && res != nil {
		foldResult(st, res, j, end, o.redact)
	}
	reason, msg := syncOutcome(st, j, o.redact)
	c.setBool(identityv1alpha1.ConditionSynced, reason == identityv1alpha1.ReasonSynced, reason, msg)
	if reason == identityv1alpha1.ReasonSynced {
		st.LastSuccessfulSyncTime = &end
	}
	if res != nil {
		foldAuthErrors(c, res, o.redact)
	}
}

// foldAuthErrors records a cycle's first 401 or 403 of each end: it is
// the end's verdict on its credentials.
func foldAuthErrors(c conditions, res *provisioning.Result, redact func(string) string) {
	if err := res.TargetAuthErr; err != nil {
		c.setBool(identityv1alpha1.ConditionTargetVerified, false, authReason(errors.Is(err, scim.ErrForbidden)), redact(err.Error()))
	}
	if err := res.SourceAuthErr; err != nil {
		c.setBool(identityv1alpha1.ConditionOktaVerified, false, authReason(errors.Is(err, okta.ErrForbidden)), redact(err.Error()))
	}
}

func authReason(forbidden bool) string {
	if forbidden {
		return identityv1alpha1.ReasonForbidden
	}
	return identityv1alpha1.ReasonUnauthorized
}

// foldResult records a completed cycle's counts and reports.
func foldResult(st *identityv1alpha1.DirectoryIntegrationStatus, res *provisioning.Result, j *cycleJob, end metav1.Time, redact func(string) string) {
	foldCounts(st, res)
	if res.Mode == provisioning.ModeFull {
		st.LastFullSyncTime = &end
	}
	st.LastSync = syncSummary(res, j, redact)
	st.Target = targetStatus(res, st.Target, redact)
	st.OutOfSync = outOfSync(res.OutOfSync, redact)
	st.Plan = nil
	if res.DryRun {
		st.Plan = &identityv1alpha1.PlanSummary{SyncCounts: syncCounts(res.Counts), PlanID: truncate(res.PlanID, 64),
			GeneratedTime: &end, Sample: plannedSample(res.Sample)}
	}
	st.HeldDeactivations = heldStatus(res.Held, st.HeldDeactivations, end, redact)
	if res.ApprovalConsumed != "" {
		st.LastApprovedPlanID = truncate(res.ApprovalConsumed, 64)
	}
}

// foldCounts records the wanted-versus-present counts a cycle verified.
func foldCounts(st *identityv1alpha1.DirectoryIntegrationStatus, res *provisioning.Result) {
	u, g := res.UserCounts, res.GroupCounts
	st.Users = &identityv1alpha1.UserCounts{InScope: clamp32(u.InScope), Synced: clamp32(u.Synced), Managed: clamp32(u.Managed),
		Active: clamp32(u.Active), Deferred: clamp32(u.Deferred), Failed: clamp32(u.Failed), Held: clamp32(u.Held), Conflicts: clamp32(u.Conflicts)}
	st.Groups = &identityv1alpha1.GroupCounts{Wanted: clamp32(g.Wanted), Pushed: clamp32(g.Pushed), Capped: clamp32(g.Capped),
		InTarget: clamp32(g.InTarget), Cap: clamp32(g.Cap)}
	st.UsersSummary = fmt.Sprintf("%d/%d", u.Synced, u.InScope)
	st.GroupsSummary = fmt.Sprintf("%d/%d", g.Pushed, g.Wanted)
}

func heldStatus(h *provisioning.HeldSet, prev *identityv1alpha1.HeldDeactivations, end metav1.Time, redact func(string) string) *identityv1alpha1.HeldDeactivations {
	if h == nil {
		return nil
	}
	since := metav1.NewTime(h.Since.Truncate(time.Second))
	if h.Since.IsZero() {
		since = end
	}
	if prev != nil && prev.PlanID == h.ID {
		since = prev.Since
	}
	out := &identityv1alpha1.HeldDeactivations{PlanID: truncate(h.ID, 64), Count: clamp32(len(h.Changes)), Since: since,
		Reason: truncate(redact(h.Reason), maxReasonLen), Sample: heldSample(h.Changes)}
	for _, ch := range h.Changes {
		switch ch.Action {
		case provisioning.ActionDeactivate:
			out.Deactivations++
		case provisioning.ActionRename:
			out.Renames++
		case provisioning.ActionRemoveMembers:
			out.MemberRemovals++
		}
	}
	return out
}

// syncOutcome is the Synced reason and message of a finished cycle.
func syncOutcome(st *identityv1alpha1.DirectoryIntegrationStatus, j *cycleJob, redact func(string) string) (string, string) {
	res, err := j.result, j.err
	switch {
	case errors.Is(err, provisioning.ErrTargetIncomplete):
		return identityv1alpha1.ReasonTargetIncomplete, "a target listing was cut short, so nothing was written: " + redact(err.Error())
	case errors.Is(err, provisioning.ErrSourceUnavailable):
		return identityv1alpha1.ReasonSourceIncomplete, "nothing could be read from Okta, so nothing was written: " + redact(err.Error())
	case err != nil || res == nil:
		msg := "the cycle failed"
		if err != nil {
			msg += ": " + redact(err.Error())
		}
		return identityv1alpha1.ReasonSyncFailed, msg
	case res.DryRun:
		c := res.Counts
		return identityv1alpha1.ReasonDryRun, fmt.Sprintf("dry run: nothing was written; plan %s would create %d, update %d and deactivate %d users (see status.plan)",
			res.PlanID, c.Created, c.Updated, c.Deactivated)
	}
	counts := countsText(res)
	if res.Mode == provisioning.ModeIncremental && st.LastFullSyncTime != nil {
		counts += " (incremental: Okta's changes were checked against the target as read in full at " + formatTime(st.LastFullSyncTime) + ")"
	}
	if res.InSync {
		return identityv1alpha1.ReasonSynced, counts
	}
	reason := gapReason(res)
	return reason, redact(gapText(res, counts))
}

// gapReason names the first cause that keeps a cycle out of sync, the
// one a person would look at first.
func gapReason(res *provisioning.Result) string {
	g := res.Gap
	switch {
	case g.SourceIncomplete:
		return identityv1alpha1.ReasonSourceIncomplete
	case g.TargetIncomplete:
		return identityv1alpha1.ReasonTargetIncomplete
	case g.Held > 0:
		return identityv1alpha1.ReasonChangesHeld
	case g.Capped > 0:
		return identityv1alpha1.ReasonGroupCapReached
	}
	return identityv1alpha1.ReasonObjectsFailing
}

func countsText(res *provisioning.Result) string {
	u, g := res.UserCounts, res.GroupCounts
	return fmt.Sprintf("%d of %d users and %d of %d groups are in sync", u.Synced, u.InScope, g.Pushed, g.Wanted)
}

// gapText says what is not in sync, with every cause's count and the
// first sample.
func gapText(res *provisioning.Result, counts string) string {
	g, u := res.Gap, res.UserCounts
	var parts []string
	if g.SourceIncomplete {
		first := "part of the Okta read failed or cannot be used"
		if len(res.SourceErrors) > 0 {
			first = res.SourceErrors[0]
		}
		parts = append(parts, "nothing resting on an incomplete Okta read was deactivated or removed ("+first+")")
	}
	if g.TargetIncomplete {
		parts = append(parts, "part of the target could not be read")
	}
	if g.Held > 0 {
		parts = append(parts, plural(g.Held, "change waits", "changes wait")+" for approval")
	}
	if g.Capped > 0 {
		parts = append(parts, fmt.Sprintf("%s not created: the target holds %s and its cap is %d",
			plural(g.Capped, "group was", "groups were"), plural(res.GroupCounts.InTarget, "group", "groups"), res.GroupCounts.Cap))
	}
	for _, n := range []struct {
		count     int
		one, many string
	}{
		{u.Failed, "user failed", "users failed"},
		{u.Deferred, "user waits out a retry backoff", "users wait out a retry backoff"},
		{u.Conflicts, "user conflicts with another user's userName", "users conflict with another user's userName"},
	} {
		if n.count > 0 {
			parts = append(parts, plural(n.count, n.one, n.many))
		}
	}
	msg := counts + "; " + strings.Join(parts, "; ")
	if len(res.OutOfSync) > 0 {
		o := res.OutOfSync[0]
		msg += fmt.Sprintf("; first: %s %q: %s", o.Kind, o.Name, o.Reason)
	}
	return msg
}

// plural counts n things: "1 user failed", "2 users failed".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func syncSummary(res *provisioning.Result, j *cycleJob, redact func(string) string) *identityv1alpha1.SyncSummary {
	start := metav1.NewTime(j.started.Truncate(time.Second))
	d := res.Duration
	if d <= 0 {
		d = j.finished.Sub(j.started)
	}
	s := &identityv1alpha1.SyncSummary{
		SyncCounts:     syncCounts(res.Counts),
		Mode:           identityv1alpha1.SyncMode(res.Mode),
		StartTime:      &start,
		Duration:       &metav1.Duration{Duration: d.Round(time.Millisecond)},
		OktaRequests:   res.OktaRequests.Total(),
		TargetRequests: res.TargetRequests.Total(),
	}
	for _, f := range res.Failures[:min(len(res.Failures), maxFailureSample)] {
		msg := ""
		if f.Err != nil {
			msg = redact(f.Err.Error())
		}
		s.FailureSample = append(s.FailureSample, identityv1alpha1.ObjectFailure{
			Kind: objectKind(f.Kind), Name: truncate(f.Name, maxNameLen), Message: truncate(msg, maxMessageLen)})
	}
	return s
}

func outOfSync(in []provisioning.OutOfSync, redact func(string) string) []identityv1alpha1.OutOfSyncObject {
	var out []identityv1alpha1.OutOfSyncObject
	for _, o := range in[:min(len(in), maxOutOfSync)] {
		out = append(out, identityv1alpha1.OutOfSyncObject{Kind: objectKind(o.Kind), Name: truncate(o.Name, maxNameLen),
			Reason: truncate(redact(o.Reason), maxMessageLen)})
	}
	return out
}

func syncCounts(c provisioning.Counts) identityv1alpha1.SyncCounts {
	return identityv1alpha1.SyncCounts{
		Created: clamp32(c.Created), Updated: clamp32(c.Updated), Deactivated: clamp32(c.Deactivated),
		Reactivated: clamp32(c.Reactivated), GroupsCreated: clamp32(c.GroupsCreated), GroupsRenamed: clamp32(c.GroupsRenamed),
		GroupsDeleted: clamp32(c.GroupsDeleted), MembersAdded: clamp32(c.MembersAdded), MembersRemoved: clamp32(c.MembersRemoved),
		Failures: clamp32(c.Failures),
	}
}

func plannedSample(in []provisioning.PlannedChange) []identityv1alpha1.PlannedChange {
	return sample(in, func(p provisioning.PlannedChange) identityv1alpha1.PlannedChange {
		return plannedChange(string(p.Action), p.Kind, p.Name, p.Detail)
	})
}

func heldSample(in []provisioning.HeldChange) []identityv1alpha1.PlannedChange {
	return sample(in, func(p provisioning.HeldChange) identityv1alpha1.PlannedChange {
		return plannedChange(string(p.Action), p.Kind, p.Name, p.Detail)
	})
}

// sample converts the first maxPlanSample changes for status.
func sample[T any](in []T, conv func(T) identityv1alpha1.PlannedChange) []identityv1alpha1.PlannedChange {
	var out []identityv1alpha1.PlannedChange
	for _, p := range in[:min(len(in), maxPlanSample)] {
		out = append(out, conv(p))
	}
	return out
}

func plannedChange(action, kind, name, detail string) identityv1alpha1.PlannedChange {
	return identityv1alpha1.PlannedChange{Action: truncate(action, 32), Kind: objectKind(kind),
		Name: truncate(name, maxNameLen), Detail: truncate(detail, maxDetailLen)}
}

func objectKind(k string) identityv1alpha1.ObjectKind {
	if k == string(identityv1alpha1.ObjectKindGroup) {
		return identityv1alpha1.ObjectKindGroup
	}
	return identityv1alpha1.ObjectKindUser
}

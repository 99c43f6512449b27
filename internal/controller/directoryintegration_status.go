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
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// Status sample bounds (they match the CRD's MaxItems and MaxLength).
const (
	maxFailureSample = 10
	maxPlanSample    = 20
	maxNameLen       = 256
	maxMessageLen    = 512
	maxDetailLen     = 256
	maxReasonLen     = 256
)

// setCondition sets a condition, keeping lastTransitionTime when the status
// does not change.
func setCondition(conds *[]metav1.Condition, typ string, status metav1.ConditionStatus, reason, msg string, gen int64) {
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: status, Reason: reason,
		Message: truncate(msg, 32768), ObservedGeneration: gen})
}

func conditionTrue(conds []metav1.Condition, typ string) bool {
	return meta.IsStatusConditionTrue(conds, typ)
}

// verifyReason maps either client's check outcome to a condition reason.
// The clients name their outcomes like the API's reasons; only OK differs,
// and anything unknown (a generic error) counts as unreachable.
func verifyReason[R ~string](r R) string {
	switch string(r) {
	case string(okta.ReasonOK):
		return identityv1alpha1.ReasonVerified
	case identityv1alpha1.ReasonUnauthorized, identityv1alpha1.ReasonForbidden, identityv1alpha1.ReasonDPoPRequired,
		identityv1alpha1.ReasonTLSError, identityv1alpha1.ReasonNotSCIMEndpoint:
		return string(r)
	}
	return identityv1alpha1.ReasonUnreachable
}

// setVerified records one end's check.
func setVerified(st *identityv1alpha1.DirectoryIntegrationStatus, typ, reason, msg string, gen int64) {
	status := metav1.ConditionFalse
	if reason == identityv1alpha1.ReasonVerified {
		status = metav1.ConditionTrue
	}
	setCondition(&st.Conditions, typ, status, reason, msg, gen)
}

// setNotReady marks the integration not ready for a reason that stops cycles.
func setNotReady(st *identityv1alpha1.DirectoryIntegrationStatus, reason, msg string, gen int64) {
	setCondition(&st.Conditions, identityv1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg, gen)
}

// cycleOutcome is what the controller knows about one finished cycle.
type cycleOutcome struct {
	Result   *provisioning.Result
	Err      error
	Start    time.Time
	End      time.Time
	Mode     provisioning.Mode
	Approval string
}

// applyCycle folds a cycle's outcome into the integration's status: counts,
// times, the summary, plan, held set, approval and the Synced, Ready and
// DeactivationsHeld conditions. It is pure; events derive from the diff.
func applyCycle(st *identityv1alpha1.DirectoryIntegrationStatus, o cycleOutcome, gen int64) {
	res := o.Result
	end := metav1.NewTime(o.End)
	st.LastSyncTime = &end
	if o.Err != nil || res == nil {
		msg := "the cycle failed"
		if o.Err != nil {
			msg = "the cycle failed: " + o.Err.Error()
		}
		setCondition(&st.Conditions, identityv1alpha1.ConditionSynced, metav1.ConditionFalse, identityv1alpha1.ReasonSyncFailed, msg, gen)
		setNotReady(st, identityv1alpha1.ReasonSyncFailed, msg, gen)
		return
	}

	st.Users = int32p(res.ManagedUsers)
	st.ActiveUsers = int32p(res.ActiveUsers)
	st.Groups = int32p(res.PushedGroups)
	st.TargetGroups = int32p(res.TargetGroups)
	if res.Mode == provisioning.ModeFull {
		st.LastFullSyncTime = &end
	}
	st.LastSync = syncSummary(res, o)

	if res.DryRun {
		st.Plan = &identityv1alpha1.PlanSummary{SyncCounts: syncCounts(res.Counts), PlanID: truncate(res.PlanID, 64),
			GeneratedTime: &end, Sample: plannedSample(res.Sample)}
	} else {
		st.Plan = nil
	}

	if res.Held != nil {
		since := metav1.NewTime(res.Held.Since)
		if res.Held.Since.IsZero() {
			since = end
		}
		if prev := st.HeldDeactivations; prev != nil && prev.PlanID == res.Held.ID {
			since = prev.Since
		}
		st.HeldDeactivations = &identityv1alpha1.HeldDeactivations{
			PlanID: truncate(res.Held.ID, 64), Count: int32(min(len(res.Held.Changes), math.MaxInt32)),
			Since: since, Reason: truncate(res.Held.Reason, maxReasonLen), Sample: heldSample(res.Held.Changes),
		}
		setCondition(&st.Conditions, identityv1alpha1.ConditionDeactivationsHeld, metav1.ConditionTrue, identityv1alpha1.ReasonHeld,
			fmt.Sprintf("%d changes are held for approval (%s); approve them with the annotation %s=%s",
				len(res.Held.Changes), res.Held.Reason, identityv1alpha1.ApproveDeactivationsAnnotation, res.Held.ID), gen)
	} else {
		st.HeldDeactivations = nil
		setCondition(&st.Conditions, identityv1alpha1.ConditionDeactivationsHeld, metav1.ConditionFalse, identityv1alpha1.ReasonNoneHeld,
			"no changes are held for approval", gen)
	}
	if res.ApprovalConsumed != "" {
		st.LastApprovedPlanID = truncate(res.ApprovalConsumed, 64)
	}

	reason, msg := syncedReason(res)
	status := metav1.ConditionFalse
	if reason == identityv1alpha1.ReasonSynced {
		status = metav1.ConditionTrue
	}
	setCondition(&st.Conditions, identityv1alpha1.ConditionSynced, status, reason, msg, gen)
	// Per-object failures do not make the integration unready: both ends
	// work and the cycle completed; Synced tells what failed.
	setCondition(&st.Conditions, identityv1alpha1.ConditionReady, metav1.ConditionTrue, reason, msg, gen)
}

func syncedReason(res *provisioning.Result) (string, string) {
	c := res.Counts
	switch {
	case res.DryRun:
		return identityv1alpha1.ReasonDryRun, fmt.Sprintf("dry run: nothing was written; plan %s would create %d, update %d and deactivate %d users (see status.plan)",
			res.PlanID, c.Created, c.Updated, c.Deactivated)
	case c.Failures > 0:
		msg := fmt.Sprintf("%d changes failed", c.Failures)
		if len(res.Failures) > 0 {
			f := res.Failures[0]
			msg += fmt.Sprintf("; first: %s %s %q: %v", f.Action, f.Kind, f.Name, f.Err)
		}
		return identityv1alpha1.ReasonPartialSync, msg
	case !res.SourceComplete:
		msg := "part of the Okta read failed, so no user was deactivated and no member removed"
		if len(res.SourceErrors) > 0 {
			msg += ": " + res.SourceErrors[0]
		}
		return identityv1alpha1.ReasonPartialSync, msg
	}
	return identityv1alpha1.ReasonSynced, fmt.Sprintf("%d users (%d active) and %d groups are in sync", res.ManagedUsers, res.ActiveUsers, res.PushedGroups)
}

func syncSummary(res *provisioning.Result, o cycleOutcome) *identityv1alpha1.SyncSummary {
	start := metav1.NewTime(o.Start)
	d := res.Duration
	if d <= 0 {
		d = o.End.Sub(o.Start)
	}
	s := &identityv1alpha1.SyncSummary{
		SyncCounts:     syncCounts(res.Counts),
		Mode:           identityv1alpha1.SyncMode(res.Mode),
		StartTime:      &start,
		Duration:       &metav1.Duration{Duration: d.Round(time.Millisecond)},
		OktaRequests:   res.OktaRequests.Total(),
		TargetRequests: res.TargetRequests.Total(),
	}
	for _, f := range res.Failures {
		if len(s.FailureSample) == maxFailureSample {
			break
		}
		msg := ""
		if f.Err != nil {
			msg = f.Err.Error()
		}
		s.FailureSample = append(s.FailureSample, identityv1alpha1.ObjectFailure{
			Kind: objectKind(f.Kind), Name: truncate(f.Name, maxNameLen), Message: truncate(msg, maxMessageLen)})
	}
	return s
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

func clamp32(n int) int32 { return int32(max(0, min(n, math.MaxInt32))) }

func int32p(n int) *int32 {
	v := clamp32(n)
	return &v
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// integrationEvent is one event derived from a status transition.
type integrationEvent struct {
	Warning bool
	Reason  string
	Action  string
	Note    string
}

// integrationEvents derives events from the status before and after a
// reconcile, so events mark transitions only, worded like Okta's System Log.
func integrationEvents(name string, before, after *identityv1alpha1.DirectoryIntegrationStatus) []integrationEvent {
	var out []integrationEvent
	// The action names the end: the events API folds events that share
	// object, reason and action into one series, whatever their notes.
	verify := func(typ, what string) {
		b, a := meta.FindStatusCondition(before.Conditions, typ), meta.FindStatusCondition(after.Conditions, typ)
		if a == nil || (b != nil && b.Status == a.Status && b.Reason == a.Reason) {
			return
		}
		if a.Status == metav1.ConditionTrue {
			out = append(out, integrationEvent{Reason: a.Reason, Action: "Verify" + what,
				Note: fmt.Sprintf("Verify %s API credentials for app %s: SUCCESS", what, name)})
			return
		}
		out = append(out, integrationEvent{Warning: true, Reason: a.Reason, Action: "Verify" + what,
			Note: fmt.Sprintf("Verify %s API credentials for app %s: FAILURE: %s", what, name, a.Message)})
	}
	verify(identityv1alpha1.ConditionOktaVerified, "Okta")
	verify(identityv1alpha1.ConditionTargetVerified, "SCIM")

	b, a := meta.FindStatusCondition(before.Conditions, identityv1alpha1.ConditionSynced), meta.FindStatusCondition(after.Conditions, identityv1alpha1.ConditionSynced)
	if a != nil && (b == nil || b.Reason != a.Reason) {
		switch {
		case a.Reason == identityv1alpha1.ReasonSyncFailed:
			out = append(out, integrationEvent{Warning: true, Reason: "SyncFailed", Action: "Sync",
				Note: fmt.Sprintf("Push users and groups to app %s: FAILURE: %s", name, a.Message)})
		case a.Reason == identityv1alpha1.ReasonPartialSync:
			out = append(out, integrationEvent{Warning: true, Reason: "PartialSync", Action: "Sync",
				Note: fmt.Sprintf("Push users and groups to app %s: PARTIAL: %s", name, a.Message)})
		case b != nil && (b.Reason == identityv1alpha1.ReasonSyncFailed || b.Reason == identityv1alpha1.ReasonPartialSync):
			out = append(out, integrationEvent{Reason: "SyncRecovered", Action: "Sync",
				Note: fmt.Sprintf("Push users and groups to app %s: SUCCESS: %s", name, a.Message)})
		}
	}

	bh, ah := before.HeldDeactivations, after.HeldDeactivations
	if ah != nil && (bh == nil || bh.PlanID != ah.PlanID) {
		out = append(out, integrationEvent{Warning: true, Reason: "DeactivationsHeld", Action: "Deactivate",
			Note: fmt.Sprintf("Deactivate users in app %s: HELD: %d changes wait for approval of plan %s (%s)", name, ah.Count, ah.PlanID, ah.Reason)})
	}
	if after.LastApprovedPlanID != "" && after.LastApprovedPlanID != before.LastApprovedPlanID {
		out = append(out, integrationEvent{Reason: "DeactivationsApproved", Action: "Deactivate",
			Note: fmt.Sprintf("Deactivate users in app %s: SUCCESS: approved plan %s was applied", name, after.LastApprovedPlanID)})
	}
	return out
}

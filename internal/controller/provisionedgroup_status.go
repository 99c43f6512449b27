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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	identityac "github.com/scimbridge/scimbridge/api/v1alpha1/applyconfiguration/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// Field managers: each writer of a ProvisionedGroup's status applies only
// its own fields (conditions are a map keyed by type, so each manager owns
// its condition types), and neither overwrites the other's.
const (
	fieldManagerGroup = "scimbridge-provisionedgroup"
	fieldManagerCycle = "scimbridge-integration-cycle"
)

// groupConditionTypes are the conditions the ProvisionedGroup controller owns.
var groupConditionTypes = []string{identityv1alpha1.ConditionResolved, identityv1alpha1.ConditionReady,
	identityv1alpha1.ConditionStalled, identityv1alpha1.ConditionReconciling}

// pushStatus is the part of a ProvisionedGroup's status that the
// integration's cycle owns.
type pushStatus struct {
	Pushed           *metav1.Condition // nil for assign-only groups
	TargetGroupID    string
	Members          *int32
	ConfirmedMembers *int32
	PushedMembers    *int32
	SkippedMembers   *int32
	LastPushTime     *metav1.Time
}

// currentPushStatus reads the cycle-owned fields from a ProvisionedGroup.
func currentPushStatus(pg *identityv1alpha1.ProvisionedGroup) pushStatus {
	return pushStatus{
		Pushed:           meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionPushed),
		TargetGroupID:    pg.Status.TargetGroupID,
		Members:          pg.Status.Members,
		ConfirmedMembers: pg.Status.ConfirmedMembers,
		PushedMembers:    pg.Status.PushedMembers,
		SkippedMembers:   pg.Status.SkippedMembers,
		LastPushTime:     pg.Status.LastPushTime,
	}
}

// desiredPushStatus maps one group's cycle result to the fields the cycle owns.
func desiredPushStatus(pg *identityv1alpha1.ProvisionedGroup, g provisioning.GroupConfig, r provisioning.GroupResult, now time.Time) pushStatus {
	ps := pushStatus{Members: int32p(r.Members)}
	if g.Assign {
		ps.ConfirmedMembers = int32p(r.ConfirmedMembers)
	}
	if !g.Push {
		return ps
	}
	ps.TargetGroupID = r.TargetID
	ps.PushedMembers = int32p(r.PushedMembers)
	ps.SkippedMembers = int32p(r.SkippedMembers)
	if !r.LastPushTime.IsZero() {
		t := metav1.NewTime(r.LastPushTime)
		ps.LastPushTime = &t
	}
	name := groupDisplayName(g, r)
	status := metav1.ConditionFalse
	var reason, msg string
	switch {
	case g.Deleting && r.Err == nil && (r.Deleted || r.TargetID == ""):
		reason, msg = identityv1alpha1.ReasonDeleted, fmt.Sprintf("the target group %q was deleted", name)
		ps.TargetGroupID, ps.PushedMembers, ps.SkippedMembers = "", nil, nil
	case g.Deleting:
		reason, msg = identityv1alpha1.ReasonPushFailed, fmt.Sprintf("deleting the target group %q failed: %v", name, r.Err)
	case r.CapBlocked:
		reason, msg = identityv1alpha1.ReasonGroupCapReached, fmt.Sprintf("the target group %q was not created: the target's group cap is reached", name)
	case r.Err != nil:
		reason, msg = identityv1alpha1.ReasonPushFailed, fmt.Sprintf("pushing %q failed: %v", name, r.Err)
	case r.RemovalsHeld > 0:
		reason, msg = identityv1alpha1.ReasonChangesHeld, fmt.Sprintf("%d member removals from %q wait for approval or a complete Okta read", r.RemovalsHeld, name)
	case r.Pushed:
		status, reason, msg = metav1.ConditionTrue, identityv1alpha1.ReasonPushed, fmt.Sprintf("pushed to the target as %q with %d members", name, r.PushedMembers)
	default:
		reason, msg = identityv1alpha1.ReasonPending, fmt.Sprintf("%q is not pushed yet", name)
	}
	c := metav1.Condition{Type: identityv1alpha1.ConditionPushed, Status: status, Reason: reason,
		Message: truncate(msg, 32768), ObservedGeneration: pg.Generation, LastTransitionTime: metav1.NewTime(now)}
	if old := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionPushed); old != nil && old.Status == c.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	ps.Pushed = &c
	return ps
}

func groupDisplayName(g provisioning.GroupConfig, r provisioning.GroupResult) string {
	for _, n := range []string{r.TargetName, g.TargetName, r.OktaName, g.OktaName} {
		if n != "" {
			return n
		}
	}
	return g.Key
}

// pushStatusChanged compares what the cycle would write with what is there.
// lastPushTime alone does not count: it moves every cycle, and writing it
// each time would turn every cycle into a round of status writes.
func pushStatusChanged(cur, want pushStatus) bool {
	if cur.TargetGroupID != want.TargetGroupID || !eqInt32(cur.Members, want.Members) || !eqInt32(cur.ConfirmedMembers, want.ConfirmedMembers) ||
		!eqInt32(cur.PushedMembers, want.PushedMembers) || !eqInt32(cur.SkippedMembers, want.SkippedMembers) {
		return true
	}
	if (cur.LastPushTime == nil) != (want.LastPushTime == nil) {
		return true
	}
	return !sameCondition(cur.Pushed, want.Pushed)
}

// pushApply is the server-side apply request of the cycle's field manager.
// It names every field the cycle owns; one it leaves out is removed.
func pushApply(pg *identityv1alpha1.ProvisionedGroup, ps pushStatus) *identityac.ProvisionedGroupApplyConfiguration {
	st := identityac.ProvisionedGroupStatus()
	if ps.Pushed != nil {
		st.WithConditions(conditionApply(*ps.Pushed))
	}
	if ps.TargetGroupID != "" {
		st.WithTargetGroupID(ps.TargetGroupID)
	}
	if ps.Members != nil {
		st.WithMembers(*ps.Members)
	}
	if ps.ConfirmedMembers != nil {
		st.WithConfirmedMembers(*ps.ConfirmedMembers)
	}
	if ps.PushedMembers != nil {
		st.WithPushedMembers(*ps.PushedMembers)
	}
	if ps.SkippedMembers != nil {
		st.WithSkippedMembers(*ps.SkippedMembers)
	}
	if ps.LastPushTime != nil {
		st.WithLastPushTime(*ps.LastPushTime)
	}
	return identityac.ProvisionedGroup(pg.Name, pg.Namespace).WithStatus(st)
}

// groupStatus is the part of a ProvisionedGroup's status that its own
// controller owns.
type groupStatus struct {
	ObservedGeneration int64
	OktaGroupID        string
	OktaGroupName      string
	// Conditions holds Resolved and Ready, and Stalled only while stalled.
	Conditions []metav1.Condition
}

func currentGroupStatus(pg *identityv1alpha1.ProvisionedGroup) groupStatus {
	gs := groupStatus{ObservedGeneration: pg.Status.ObservedGeneration, OktaGroupID: pg.Status.OktaGroupID, OktaGroupName: pg.Status.OktaGroupName}
	for _, t := range groupConditionTypes {
		if c := meta.FindStatusCondition(pg.Status.Conditions, t); c != nil {
			gs.Conditions = append(gs.Conditions, *c)
		}
	}
	return gs
}

func groupStatusChanged(cur, want groupStatus) bool {
	if cur.ObservedGeneration != want.ObservedGeneration || cur.OktaGroupID != want.OktaGroupID ||
		cur.OktaGroupName != want.OktaGroupName || len(cur.Conditions) != len(want.Conditions) {
		return true
	}
	for i := range want.Conditions {
		c := meta.FindStatusCondition(cur.Conditions, want.Conditions[i].Type)
		if !sameCondition(c, &want.Conditions[i]) {
			return true
		}
	}
	return false
}

func groupApply(pg *identityv1alpha1.ProvisionedGroup, gs groupStatus) *identityac.ProvisionedGroupApplyConfiguration {
	st := identityac.ProvisionedGroupStatus().WithObservedGeneration(gs.ObservedGeneration)
	if gs.OktaGroupID != "" {
		st.WithOktaGroupID(gs.OktaGroupID)
	}
	if gs.OktaGroupName != "" {
		st.WithOktaGroupName(gs.OktaGroupName)
	}
	for _, c := range gs.Conditions {
		st.WithConditions(conditionApply(c))
	}
	return identityac.ProvisionedGroup(pg.Name, pg.Namespace).WithStatus(st)
}

func conditionApply(c metav1.Condition) *metav1ac.ConditionApplyConfiguration {
	return metav1ac.Condition().WithType(c.Type).WithStatus(c.Status).WithReason(c.Reason).WithMessage(c.Message).
		WithObservedGeneration(c.ObservedGeneration).WithLastTransitionTime(c.LastTransitionTime)
}

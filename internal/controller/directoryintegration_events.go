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
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

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
	out = append(out, verifyEvents(name, before, after)...)
	if e, ok := stalledEvent(name, before, after); ok {
		out = append(out, e)
	}
	if e, ok := syncedEvent(name, before, after); ok {
		out = append(out, e)
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

// transition returns a condition before and after, and whether its status
// or reason changed.
func transition(before, after *identityv1alpha1.DirectoryIntegrationStatus, typ string) (b, a *metav1.Condition, changed bool) {
	b, a = meta.FindStatusCondition(before.Conditions, typ), meta.FindStatusCondition(after.Conditions, typ)
	return b, a, a != nil && (b == nil || b.Status != a.Status || b.Reason != a.Reason)
}

func verifyEvents(name string, before, after *identityv1alpha1.DirectoryIntegrationStatus) []integrationEvent {
	var out []integrationEvent
	// The action names the end: the events API folds events that share
	// object, reason and action into one series, whatever their notes.
	for _, end := range []struct{ typ, what string }{
		{identityv1alpha1.ConditionOktaVerified, "Okta"}, {identityv1alpha1.ConditionTargetVerified, "SCIM"},
	} {
		_, a, changed := transition(before, after, end.typ)
		switch {
		case !changed:
		case a.Status == metav1.ConditionTrue:
			out = append(out, integrationEvent{Reason: a.Reason, Action: "Verify" + end.what,
				Note: fmt.Sprintf("Verify %s API credentials for app %s: SUCCESS", end.what, name)})
		default:
			out = append(out, integrationEvent{Warning: true, Reason: a.Reason, Action: "Verify" + end.what,
				Note: fmt.Sprintf("Verify %s API credentials for app %s: FAILURE: %s", end.what, name, a.Message)})
		}
	}
	return out
}

// stalledEvent is a Warning on entering Stalled, or on a new cause of it.
func stalledEvent(name string, before, after *identityv1alpha1.DirectoryIntegrationStatus) (integrationEvent, bool) {
	_, a, changed := transition(before, after, identityv1alpha1.ConditionStalled)
	if !changed || a.Status != metav1.ConditionTrue {
		return integrationEvent{}, false
	}
	return integrationEvent{Warning: true, Reason: a.Reason, Action: "Stall",
		Note: fmt.Sprintf("Provision users and groups to app %s: STALLED until a person acts: %s", name, a.Message)}, true
}

// failingSync are the Synced reasons that report a problem as it starts.
var failingSync = []string{
	identityv1alpha1.ReasonSyncFailed, identityv1alpha1.ReasonObjectsFailing, identityv1alpha1.ReasonSourceIncomplete,
	identityv1alpha1.ReasonTargetIncomplete, identityv1alpha1.ReasonGroupCapReached,
}

// syncedEvent reports Synced transitions: a problem as it starts, the first
// complete sync, and a recovery, which is Normal only because Synced is
// True only when the target really matches.
func syncedEvent(name string, before, after *identityv1alpha1.DirectoryIntegrationStatus) (integrationEvent, bool) {
	b, a, changed := transition(before, after, identityv1alpha1.ConditionSynced)
	switch {
	case !changed:
	case slices.Contains(failingSync, a.Reason):
		return integrationEvent{Warning: true, Reason: a.Reason, Action: "Sync",
			Note: fmt.Sprintf("Push users and groups to app %s: FAILURE: %s", name, a.Message)}, true
	case a.Reason != identityv1alpha1.ReasonSynced:
	case b == nil || b.Reason == identityv1alpha1.ReasonPending:
		return integrationEvent{Reason: identityv1alpha1.ReasonSynced, Action: "Sync",
			Note: fmt.Sprintf("Push users and groups to app %s: SUCCESS: %s", name, a.Message)}, true
	default:
		return integrationEvent{Reason: "SyncRecovered", Action: "Sync",
			Note: fmt.Sprintf("Push users and groups to app %s: SUCCESS: %s", name, a.Message)}, true
	}
	return integrationEvent{}, false
}

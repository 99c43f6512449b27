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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// groupInputs is what a ProvisionedGroup's own conditions derive from.
type groupInputs struct {
	pg *identityv1alpha1.ProvisionedGroup
	// di is the integration, nil when it does not exist.
	di       *identityv1alpha1.DirectoryIntegration
	resolved metav1.Condition
	// duplicate explains why the group repeats an older sibling.
	duplicate string
}

// groupConditions derives the conditions the ProvisionedGroup controller
// owns: Resolved, Ready, and Stalled and Reconciling while they hold. Pure.
func groupConditions(in groupInputs) []metav1.Condition {
	pushed := meta.FindStatusCondition(in.pg.Status.Conditions, identityv1alpha1.ConditionPushed)
	stall := groupStall(in, pushed)
	progress := groupProgress(in, pushed, stall)
	gen := in.pg.Generation
	cond := func(typ string, ok bool, c cause) metav1.Condition {
		status := metav1.ConditionFalse
		if ok {
			status = metav1.ConditionTrue
		}
		return metav1.Condition{Type: typ, Status: status, Reason: c.reason, Message: truncate(c.message, maxConditionMessage), ObservedGeneration: gen}
	}
	out := []metav1.Condition{in.resolved}
	ready, why := groupReady(in, pushed, stall, progress)
	out = append(out, cond(identityv1alpha1.ConditionReady, ready, why))
	if stall.reason != "" {
		out = append(out, cond(identityv1alpha1.ConditionStalled, true, stall))
	}
	if progress.reason != "" {
		out = append(out, cond(identityv1alpha1.ConditionReconciling, true, progress))
	}
	return out
}

// groupStall says why a person must act for this group, if anything does.
func groupStall(in groupInputs, pushed *metav1.Condition) cause {
	switch {
	case in.duplicate != "":
		return cause{identityv1alpha1.ReasonDuplicateGroup, in.duplicate}
	case in.resolved.Status == metav1.ConditionFalse &&
		(in.resolved.Reason == identityv1alpha1.ReasonGroupNotFound || in.resolved.Reason == identityv1alpha1.ReasonGroupAmbiguous):
		return cause{in.resolved.Reason, in.resolved.Message}
	}
	if in.pg.Spec.Push && pushed != nil && pushed.Status == metav1.ConditionFalse &&
		(pushed.Reason == identityv1alpha1.ReasonGroupCapReached || pushed.Reason == identityv1alpha1.ReasonChangesHeld) {
		return cause{pushed.Reason, pushed.Message}
	}
	if in.di != nil && !in.di.Spec.Suspend {
		// Held changes and the group cap stall the integration but not its
		// cycles: the group's own Pushed condition tells how it fares.
		if s := meta.FindStatusCondition(in.di.Status.Conditions, identityv1alpha1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue &&
			s.Reason != identityv1alpha1.ReasonChangesHeld && s.Reason != identityv1alpha1.ReasonGroupCapReached {
			return cause{identityv1alpha1.ReasonIntegrationStalled, fmt.Sprintf("DirectoryIntegration %s is stalled (%s): %s", in.di.Name, s.Reason, s.Message)}
		}
	}
	return cause{}
}

// groupProgress says what the group waits for that comes by itself: its
// integration, the next cycle, or a retry.
func groupProgress(in groupInputs, pushed *metav1.Condition, stall cause) cause {
	pg := in.pg
	switch {
	case stall.reason != "":
		return cause{}
	case in.di == nil:
		return cause{identityv1alpha1.ReasonWaitingForIntegration, in.resolved.Message}
	case in.di.Spec.Suspend:
		return cause{}
	case in.resolved.Status != metav1.ConditionTrue:
		return cause{identityv1alpha1.ReasonWaitingForIntegration, in.resolved.Message}
	case pg.Spec.Push && pushed != nil && pushed.Reason == identityv1alpha1.ReasonPushFailed:
		return cause{identityv1alpha1.ReasonRetryScheduled, pushed.Message + "; the integration's next cycle retries"}
	case pg.Spec.Push && (pushed == nil || pushed.ObservedGeneration != pg.Generation || pushed.Reason == identityv1alpha1.ReasonPending):
		return cause{identityv1alpha1.ReasonWaitingForCycle, "waiting for the integration's next cycle to push the group"}
	case !pg.Spec.Push && pg.Status.Members == nil:
		return cause{identityv1alpha1.ReasonWaitingForCycle, "waiting for the integration's next cycle to assign the members"}
	}
	return cause{}
}

// groupReady is True when the group is resolved and pushed (or, for an
// assign-only group, counted by a cycle), and nothing stalls or suspends it.
func groupReady(in groupInputs, pushed *metav1.Condition, stall, progress cause) (bool, cause) {
	switch {
	case stall.reason != "":
		return false, stall
	case in.di != nil && in.di.Spec.Suspend:
		return false, cause{identityv1alpha1.ReasonSuspended, fmt.Sprintf("DirectoryIntegration %s is suspended", in.di.Name)}
	case progress.reason != "":
		return false, progress
	case in.pg.Spec.Push && pushed != nil && pushed.Status == metav1.ConditionTrue:
		return true, cause{identityv1alpha1.ReasonReady, pushed.Message}
	case in.pg.Spec.Push && pushed != nil:
		return false, cause{pushed.Reason, pushed.Message}
	case !in.pg.Spec.Push && in.pg.Status.Members != nil:
		return true, cause{identityv1alpha1.ReasonAssignedOnly, fmt.Sprintf("the group's %d members are assigned to the integration", *in.pg.Status.Members)}
	}
	return false, cause{identityv1alpha1.ReasonWaitingForCycle, "waiting for the integration's next cycle"}
}

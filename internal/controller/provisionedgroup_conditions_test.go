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
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

func TestGroupConditions(t *testing.T) {
	resolved := metav1.Condition{Type: identityv1alpha1.ConditionResolved, Status: metav1.ConditionTrue, Reason: identityv1alpha1.ReasonResolved}
	notFound := metav1.Condition{Type: identityv1alpha1.ConditionResolved, Status: metav1.ConditionFalse, Reason: identityv1alpha1.ReasonGroupNotFound}
	pending := metav1.Condition{Type: identityv1alpha1.ConditionResolved, Status: metav1.ConditionFalse, Reason: identityv1alpha1.ReasonPending}
	pushed := func(status metav1.ConditionStatus, reason string) func(*identityv1alpha1.ProvisionedGroup) {
		return func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Status.Conditions = []metav1.Condition{{Type: identityv1alpha1.ConditionPushed, Status: status, Reason: reason, ObservedGeneration: 1}}
		}
	}
	stalledDI := func(reason string) *identityv1alpha1.DirectoryIntegration {
		return &identityv1alpha1.DirectoryIntegration{ObjectMeta: metav1.ObjectMeta{Name: "okta"},
			Status: identityv1alpha1.DirectoryIntegrationStatus{Conditions: []metav1.Condition{
				{Type: identityv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: reason}}}}
	}
	healthyDI := &identityv1alpha1.DirectoryIntegration{ObjectMeta: metav1.ObjectMeta{Name: "okta"}}
	suspendedDI := &identityv1alpha1.DirectoryIntegration{ObjectMeta: metav1.ObjectMeta{Name: "okta"}, Spec: identityv1alpha1.DirectoryIntegrationSpec{Suspend: true}}
	tests := []struct {
		name     string
		pg       func(*identityv1alpha1.ProvisionedGroup)
		di       *identityv1alpha1.DirectoryIntegration
		resolved metav1.Condition
		dup      string
		want     []string // Ready, then Stalled/Reconciling when present
	}{
		{"pushed", pushed(metav1.ConditionTrue, identityv1alpha1.ReasonPushed), healthyDI, resolved, "", []string{"Ready=True/Ready"}},
		{"waiting for the first push", nil, healthyDI, resolved, "", []string{"Ready=False/WaitingForCycle", "Reconciling=True/WaitingForCycle"}},
		{"push failed, retried", pushed(metav1.ConditionFalse, identityv1alpha1.ReasonPushFailed), healthyDI, resolved, "",
			[]string{"Ready=False/RetryScheduled", "Reconciling=True/RetryScheduled"}},
		{"capped", pushed(metav1.ConditionFalse, identityv1alpha1.ReasonGroupCapReached), healthyDI, resolved, "",
			[]string{"Ready=False/GroupCapReached", "Stalled=True/GroupCapReached"}},
		{"removals held", pushed(metav1.ConditionFalse, identityv1alpha1.ReasonChangesHeld), healthyDI, resolved, "",
			[]string{"Ready=False/ChangesHeld", "Stalled=True/ChangesHeld"}},
		{"duplicate", nil, healthyDI, resolved, "repeats sales", []string{"Ready=False/DuplicateGroup", "Stalled=True/DuplicateGroup"}},
		{"Okta group not found", nil, healthyDI, notFound, "", []string{"Ready=False/GroupNotFound", "Stalled=True/GroupNotFound"}},
		{"integration missing", nil, nil, pending, "", []string{"Ready=False/WaitingForIntegration", "Reconciling=True/WaitingForIntegration"}},
		{"integration stalled by its credentials", pushed(metav1.ConditionTrue, identityv1alpha1.ReasonPushed), stalledDI(identityv1alpha1.ReasonUnauthorized), resolved, "",
			[]string{"Ready=False/IntegrationStalled", "Stalled=True/IntegrationStalled"}},
		{"integration holding changes: the group is fine", pushed(metav1.ConditionTrue, identityv1alpha1.ReasonPushed), stalledDI(identityv1alpha1.ReasonChangesHeld), resolved, "",
			[]string{"Ready=True/Ready"}},
		{"integration suspended", pushed(metav1.ConditionTrue, identityv1alpha1.ReasonPushed), suspendedDI, resolved, "", []string{"Ready=False/Suspended"}},
		{"assign-only counted", func(pg *identityv1alpha1.ProvisionedGroup) {
			pg.Spec.Push = false
			pg.Status.Members = ptr.To[int32](3)
		}, healthyDI, resolved, "", []string{"Ready=True/AssignedOnly"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg := pgFixture("g", t0, tt.pg)
			var got []string
			for _, c := range groupConditions(groupInputs{pg: &pg, di: tt.di, resolved: tt.resolved, duplicate: tt.dup}) {
				if c.Type != identityv1alpha1.ConditionResolved {
					got = append(got, c.Type+"="+string(c.Status)+"/"+c.Reason)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("conditions = %v, want %v", got, tt.want)
			}
		})
	}
}

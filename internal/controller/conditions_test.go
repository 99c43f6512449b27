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
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
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

func TestIntegrationEvents(t *testing.T) {
	at := func(mutate func(c conditions)) *identityv1alpha1.DirectoryIntegrationStatus {
		st := &identityv1alpha1.DirectoryIntegrationStatus{}
		mutate(conditions{list: &st.Conditions, now: t0, gen: 1})
		return st
	}
	failing := at(func(c conditions) {
		c.setBool(identityv1alpha1.ConditionSynced, false, identityv1alpha1.ReasonObjectsFailing, "1 user failed")
	})
	recovered := at(func(c conditions) {
		c.setBool(identityv1alpha1.ConditionSynced, true, identityv1alpha1.ReasonSynced, "in sync")
	})
	stalled := at(func(c conditions) {
		c.setBool(identityv1alpha1.ConditionSynced, true, identityv1alpha1.ReasonSynced, "in sync")
		c.set(identityv1alpha1.ConditionStalled, metav1.ConditionTrue, identityv1alpha1.ReasonDuplicateTarget, "a twin")
	})
	tests := []struct {
		name          string
		before, after *identityv1alpha1.DirectoryIntegrationStatus
		want          []string
	}{
		{"no transition", failing, failing, nil},
		{"a failure starts", recovered, failing, []string{"Warning ObjectsFailing: Push users and groups to app X: FAILURE: 1 user failed"}},
		{"recovery only when in sync", failing, recovered, []string{"Normal SyncRecovered: Push users and groups to app X: SUCCESS: in sync"}},
		{"first sync", &identityv1alpha1.DirectoryIntegrationStatus{}, recovered, []string{"Normal Synced: Push users and groups to app X: SUCCESS: in sync"}},
		{"entering Stalled", recovered, stalled, []string{"Warning DuplicateTarget: Provision users and groups to app X: STALLED until a person acts: a twin"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range integrationEvents("X", tt.before, tt.after) {
			kind := "Normal"
			if e.Warning {
				kind = "Warning"
			}
			got = append(got, kind+" "+e.Reason+": "+e.Note)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: events =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

func TestConditionSeriesFollowTheConditions(t *testing.T) {
	m := newMetricsRecorder()
	reg := prometheus.NewRegistry()
	m.register(reg)
	stalled := []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse}, {Type: "Stalled", Status: metav1.ConditionTrue}}
	m.setConditions(kindIntegration, "ns", "x", stalled)
	m.setConditions(kindIntegration, "ns", "x", stalled[:1])
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			if label(s, "type") == "Stalled" {
				t.Errorf("the Stalled series outlived the condition: %v", s)
			}
		}
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if strings.EqualFold(l.GetName(), name) {
			return l.GetValue()
		}
	}
	return ""
}

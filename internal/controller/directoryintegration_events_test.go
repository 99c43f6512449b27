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

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

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

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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func pgFixture(name string, created time.Time, mutate func(*identityv1alpha1.ProvisionedGroup)) identityv1alpha1.ProvisionedGroup {
	pg := identityv1alpha1.ProvisionedGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: 1, CreationTimestamp: metav1.NewTime(created)},
		Spec: identityv1alpha1.ProvisionedGroupSpec{IntegrationRef: identityv1alpha1.LocalObjectReference{Name: "okta"},
			OktaGroup: identityv1alpha1.OktaGroupReference{Name: name}, AssignMembers: true, Push: true,
			DeletionPolicy: identityv1alpha1.DeletionPolicyRetain},
		Status: identityv1alpha1.ProvisionedGroupStatus{OktaGroupID: "00g" + name, OktaGroupName: name},
	}
	if mutate != nil {
		mutate(&pg)
	}
	return pg
}

// verified is a status after a cycle left everything in sync.
func verified() identityv1alpha1.DirectoryIntegrationStatus {
	st := identityv1alpha1.DirectoryIntegrationStatus{ObservedGeneration: 1}
	c := conditions{list: &st.Conditions, now: t0.Add(-time.Hour), gen: 1}
	c.setBool(identityv1alpha1.ConditionOktaVerified, true, identityv1alpha1.ReasonVerified, "ok")
	c.setBool(identityv1alpha1.ConditionTargetVerified, true, identityv1alpha1.ReasonVerified, "ok")
	c.setBool(identityv1alpha1.ConditionSynced, true, identityv1alpha1.ReasonSynced, "in sync")
	return st
}

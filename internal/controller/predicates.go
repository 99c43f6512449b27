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

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// The predicates below are why a status write never causes a cycle: each
// watch lets through only the changes its reconciler acts on, and a
// controller's own writes are not among them.

// integrationInputChanged passes DirectoryIntegration updates that change
// the spec (generation) or one of the annotations the controller reads.
func integrationInputChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, n := e.ObjectOld, e.ObjectNew
		if o.GetGeneration() != n.GetGeneration() || !o.GetDeletionTimestamp().Equal(n.GetDeletionTimestamp()) {
			return true
		}
		for _, a := range []string{identityv1alpha1.ReconcileRequestedAtAnnotation, identityv1alpha1.FullSyncRequestedAtAnnotation,
			identityv1alpha1.ApproveDeactivationsAnnotation} {
			if o.GetAnnotations()[a] != n.GetAnnotations()[a] {
				return true
			}
		}
		return false
	}}
}

// integrationVisibleToGroups passes DirectoryIntegration updates that change
// what its ProvisionedGroups see: the spec, whether an end is verified, and
// whether the integration is stalled.
func integrationVisibleToGroups() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*identityv1alpha1.DirectoryIntegration)
		n, ok2 := e.ObjectNew.(*identityv1alpha1.DirectoryIntegration)
		if !ok1 || !ok2 {
			return false
		}
		if o.Generation != n.Generation {
			return true
		}
		for _, typ := range []string{identityv1alpha1.ConditionOktaVerified, identityv1alpha1.ConditionTargetVerified, identityv1alpha1.ConditionStalled} {
			if !sameCondition(meta.FindStatusCondition(o.Status.Conditions, typ), meta.FindStatusCondition(n.Status.Conditions, typ)) {
				return true
			}
		}
		return false
	}}
}

// groupInputChanged passes ProvisionedGroup updates that change the
// integration's cycle input: spec, deletion, finalizers, and the resolution
// the group controller writes. The cycle's own push fields are not inputs.
func groupInputChanged() predicate.Predicate {
	return groupUpdate(func(o, n *identityv1alpha1.ProvisionedGroup) bool {
		return o.Status.OktaGroupID != n.Status.OktaGroupID || o.Status.OktaGroupName != n.Status.OktaGroupName ||
			conditionTrue(o.Status.Conditions, identityv1alpha1.ConditionStalled) != conditionTrue(n.Status.Conditions, identityv1alpha1.ConditionStalled)
	})
}

// groupNeedsReconcile passes ProvisionedGroup updates its own controller
// acts on: spec, deletion, finalizers, and the cycle's push results (Ready
// derives from them). Its own writes (resolution, Ready) do not pass.
func groupNeedsReconcile() predicate.Predicate {
	return groupUpdate(func(o, n *identityv1alpha1.ProvisionedGroup) bool {
		return !eqInt32(o.Status.Members, n.Status.Members) ||
			!sameCondition(meta.FindStatusCondition(o.Status.Conditions, identityv1alpha1.ConditionPushed),
				meta.FindStatusCondition(n.Status.Conditions, identityv1alpha1.ConditionPushed))
	})
}

// groupUpdate passes ProvisionedGroup updates that change the spec, the
// deletion or the finalizers, or for which changed(old, new) holds.
func groupUpdate(changed func(o, n *identityv1alpha1.ProvisionedGroup) bool) predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*identityv1alpha1.ProvisionedGroup)
		n, ok2 := e.ObjectNew.(*identityv1alpha1.ProvisionedGroup)
		if !ok1 || !ok2 {
			return false
		}
		return o.Generation != n.Generation || !o.DeletionTimestamp.Equal(n.DeletionTimestamp) ||
			!slices.Equal(o.Finalizers, n.Finalizers) || changed(o, n)
	}}
}

// createOrDelete passes only creations and deletions (siblings of a
// ProvisionedGroup re-check duplicates then).
func createOrDelete() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

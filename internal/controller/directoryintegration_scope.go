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

	"k8s.io/apimachinery/pkg/types"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// integrationScope carries one reconcile: the object as read, what the
// phases observed, and the state kept between reconciles.
type integrationScope struct {
	di    *identityv1alpha1.DirectoryIntegration
	orig  *identityv1alpha1.DirectoryIntegration
	key   types.NamespacedName
	state *integrationState

	clients clients
	// decision is the schedule's verdict when a cycle is to run.
	decision decision
	groups   []identityv1alpha1.ProvisionedGroup
	// stalledGroups are this integration's duplicate ProvisionedGroups.
	stalledGroups map[types.NamespacedName]string

	obs observation
}

func newIntegrationScope(di *identityv1alpha1.DirectoryIntegration, state *integrationState) *integrationScope {
	now := time.Now()
	return &integrationScope{
		di: di, orig: di.DeepCopy(), key: types.NamespacedName{Namespace: di.Namespace, Name: di.Name}, state: state,
		obs: observation{now: now, generation: di.Generation, interval: syncInterval(di), redact: func(s string) string { return s }},
	}
}

// projected is the status as it stands with what the phases observed so
// far: later phases decide on it (a cycle folded in this reconcile counts).
func (s *integrationScope) projected() identityv1alpha1.DirectoryIntegrationStatus {
	return computeStatus(&s.orig.Status, s.obs)
}

// observation is what one reconcile's phases found. computeStatus derives
// the whole status from it and the status before, in one place; phases
// never write the status themselves.
type observation struct {
	now        time.Time
	generation int64
	interval   time.Duration
	// processed is set when this reconcile dealt with the generation
	// without a cycle (suspended, bad credentials, failed verification,
	// duplicate); a finished cycle records the generation it ran for.
	processed bool
	// redact removes the integration's credentials from server text.
	redact func(string) string

	suspended bool
	// oktaCredential and targetCredential are problems with the Secrets or
	// client settings of each end, found without any call.
	oktaCredential, targetCredential *credentialError
	// verification is the credential check of both ends, when one ran.
	verification *verification
	// duplicateOf explains why the integration stalls as a duplicate.
	duplicateOf string
	// invalidMapping is the compile error of the attribute mapping or the
	// scope: the integration stalls until the spec is fixed.
	invalidMapping string
	// waitingForGroups is set while new ProvisionedGroups are looked up.
	waitingForGroups bool
	// wait is how long the schedule waits before a cycle may run.
	wait time.Duration
	// job is the integration's cycle in the pool, queued or running.
	job *jobView
	// finished is a cycle whose result is folded into the status now.
	finished *cycleJob
	// nextSync is when the next cycle is due (zero: unchanged, unless
	// clearNextSync).
	nextSync      time.Time
	clearNextSync bool
	// interrupted is set when the status shows a cycle that no longer
	// exists (the manager restarted).
	interrupted bool
	// handled are the annotation values a verification acted upon.
	handledRequest, handledFullSync string
	// feed is the change feed's state, when the integration subscribes.
	feed *feedView
}

// verification is the outcome of checking both ends' credentials.
type verification struct {
	okta, target endCheck
}

// endCheck is one end's check as a condition reason and message.
type endCheck struct {
	reason, message string
}

func (c endCheck) ok() bool { return c.reason == identityv1alpha1.ReasonVerified }

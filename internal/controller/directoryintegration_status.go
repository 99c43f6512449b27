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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// computeStatus derives the integration's whole status from the status
// before the reconcile and what its phases observed: the folded cycle
// result, the verification conditions, observedGeneration, nextSyncTime,
// and from those Stalled, Reconciling, Ready and DeactivationsHeld, by the
// rules in docs/architecture.md. It is pure.
func computeStatus(prev *identityv1alpha1.DirectoryIntegrationStatus, o observation) identityv1alpha1.DirectoryIntegrationStatus {
	st := *prev.DeepCopy()
	c := conditions{list: &st.Conditions, now: o.now, gen: o.generation}
	foldCycle(&st, c, o)
	foldFeed(&st, c, o)
	foldCredentials(c, o)
	if o.processed {
		st.ObservedGeneration = o.generation
	}
	if o.handledRequest != "" {
		st.LastHandledReconcileAt = truncate(o.handledRequest, 128)
	}
	if o.handledFullSync != "" {
		st.LastHandledFullSyncAt = truncate(o.handledFullSync, 128)
	}
	switch {
	case o.clearNextSync:
		st.NextSyncTime = nil
	case !o.nextSync.IsZero():
		t := metav1.NewTime(o.nextSync.Truncate(time.Second))
		st.NextSyncTime = &t
	}
	if c.get(identityv1alpha1.ConditionSynced) == nil {
		c.set(identityv1alpha1.ConditionSynced, metav1.ConditionFalse, identityv1alpha1.ReasonPending, "no cycle has completed yet")
	}
	stall := stalledCause(c, o)
	if stall.reason != "" {
		c.set(identityv1alpha1.ConditionStalled, metav1.ConditionTrue, stall.reason, stall.message)
	} else {
		c.remove(identityv1alpha1.ConditionStalled)
	}
	setReconciling(c, &st, o, stall)
	setReady(c, o, stall)
	setHeld(c, &st)
	return st
}

// cause is a condition reason with its message.
type cause struct{ reason, message string }

// humanReasons are the verification outcomes only a person can fix: they
// make the integration Stalled. Unreachable is retried with backoff.
var humanReasons = []string{
	identityv1alpha1.ReasonUnauthorized, identityv1alpha1.ReasonForbidden, identityv1alpha1.ReasonDPoPRequired,
	identityv1alpha1.ReasonTLSError, identityv1alpha1.ReasonNotSCIMEndpoint, identityv1alpha1.ReasonSecretNotFound,
	identityv1alpha1.ReasonInvalidSecret, identityv1alpha1.ReasonInvalidConfig,
}

// stalledCause says why a person must act, if anything does: a Secret or
// setting that cannot be used, credentials the ends refuse, a duplicate
// target, changes waiting for approval, or the target's group cap, and
// first of all an attribute mapping that does not compile. A suspended
// integration is not stalled: it is paused on purpose.
func stalledCause(c conditions, o observation) cause {
	if o.suspended {
		return cause{}
	}
	if o.invalidMapping != "" {
		return cause{identityv1alpha1.ReasonInvalidMapping, o.invalidMapping}
	}
	for _, end := range []struct{ typ, name string }{
		{identityv1alpha1.ConditionOktaVerified, "Okta"}, {identityv1alpha1.ConditionTargetVerified, "target"},
	} {
		if v := c.get(end.typ); v != nil && v.Status != metav1.ConditionTrue && slices.Contains(humanReasons, v.Reason) {
			return cause{v.Reason, end.name + ": " + v.Message}
		}
	}
	if o.duplicateOf != "" {
		return cause{identityv1alpha1.ReasonDuplicateTarget, o.duplicateOf}
	}
	if s := c.get(identityv1alpha1.ConditionSynced); s != nil &&
		(s.Reason == identityv1alpha1.ReasonChangesHeld || s.Reason == identityv1alpha1.ReasonGroupCapReached) {
		return cause{s.Reason, s.Message}
	}
	return cause{}
}

// transientSync are the Synced reasons the next cycles retry by themselves.
var transientSync = []string{
	identityv1alpha1.ReasonObjectsFailing, identityv1alpha1.ReasonSourceIncomplete,
	identityv1alpha1.ReasonTargetIncomplete, identityv1alpha1.ReasonSyncFailed,
}

// setReconciling is True while a cycle is queued or running, while a retry
// of something transient is scheduled, and before the first cycle; False
// when the integration is idle, suspended or stalled.
func setReconciling(c conditions, st *identityv1alpha1.DirectoryIntegrationStatus, o observation, stall cause) {
	next := "the next cycle is due at " + formatTime(st.NextSyncTime)
	synced := c.get(identityv1alpha1.ConditionSynced)
	unreachable := endUnreachable(c)
	var status, reason, msg = metav1.ConditionFalse, identityv1alpha1.ReasonIdle, next
	switch {
	case o.job != nil && o.job.state == jobRunning:
		status, reason = metav1.ConditionTrue, identityv1alpha1.ReasonCycleRunning
		msg = fmt.Sprintf("%s cycle (%s) running since %s", o.job.mode, o.job.trigger, o.job.started.UTC().Format(time.RFC3339))
	case o.job != nil:
		status, reason = metav1.ConditionTrue, identityv1alpha1.ReasonCycleQueued
		msg = fmt.Sprintf("%s cycle (%s) queued at %s, position %d", o.job.mode, o.job.trigger, o.job.queued.UTC().Format(time.RFC3339), o.job.position)
	case o.suspended:
		reason, msg = identityv1alpha1.ReasonSuspended, "spec.suspend is true: no calls are made to Okta or the target"
	case stall.reason != "":
		msg = "stalled (" + stall.reason + "): waiting for a change by a person"
	case unreachable != "":
		status, reason, msg = metav1.ConditionTrue, identityv1alpha1.ReasonRetryScheduled, unreachable+"; checked again at "+formatTime(st.NextSyncTime)
	case synced.Reason == identityv1alpha1.ReasonPending:
		status, reason, msg = metav1.ConditionTrue, identityv1alpha1.ReasonPending, "waiting for the first cycle"
		if o.waitingForGroups {
			msg += ": new ProvisionedGroups are being looked up in Okta"
		}
	case slices.Contains(transientSync, synced.Reason):
		status, reason, msg = metav1.ConditionTrue, identityv1alpha1.ReasonRetryScheduled, "not in sync ("+synced.Reason+"); "+next
	}
	if o.interrupted && status == metav1.ConditionFalse {
		msg = "the previous cycle was interrupted by a restart; " + msg
	}
	c.set(identityv1alpha1.ConditionReconciling, status, reason, msg)
}

// endUnreachable describes an end whose last check could not reach it.
func endUnreachable(c conditions) string {
	for _, end := range []struct{ typ, name string }{
		{identityv1alpha1.ConditionOktaVerified, "Okta"}, {identityv1alpha1.ConditionTargetVerified, "the target"},
	} {
		if v := c.get(end.typ); v != nil && v.Reason == identityv1alpha1.ReasonUnreachable {
			return end.name + " is unreachable: " + v.Message
		}
	}
	return ""
}

// setReady is the one summary rule: Ready is True when the integration is
// not suspended or stalled, both ends are verified, and the last cycle left
// the target in sync (or, in a dry run, computed its plan). Otherwise its
// reason is the first cause in that order.
func setReady(c conditions, o observation, stall cause) {
	ready := func(ok bool, reason, msg string) { c.setBool(identityv1alpha1.ConditionReady, ok, reason, msg) }
	if o.suspended {
		ready(false, identityv1alpha1.ReasonSuspended, "spec.suspend is true: no calls are made to Okta or the target")
		return
	}
	if stall.reason != "" {
		ready(false, stall.reason, stall.message)
		return
	}
	for _, end := range []struct{ typ, name string }{
		{identityv1alpha1.ConditionOktaVerified, "Okta"}, {identityv1alpha1.ConditionTargetVerified, "target"},
	} {
		if v := c.get(end.typ); v == nil {
			ready(false, identityv1alpha1.ReasonPending, end.name+" credentials are not checked yet")
			return
		} else if v.Status != metav1.ConditionTrue {
			ready(false, v.Reason, end.name+": "+v.Message)
			return
		}
	}
	s := c.get(identityv1alpha1.ConditionSynced)
	switch s.Reason {
	case identityv1alpha1.ReasonSynced, identityv1alpha1.ReasonDryRun:
		ready(true, s.Reason, s.Message)
	default:
		ready(false, s.Reason, s.Message)
	}
}

// setHeld mirrors the held set into DeactivationsHeld.
func setHeld(c conditions, st *identityv1alpha1.DirectoryIntegrationStatus) {
	h := st.HeldDeactivations
	if h == nil {
		c.set(identityv1alpha1.ConditionDeactivationsHeld, metav1.ConditionFalse, identityv1alpha1.ReasonNoneHeld, "no changes are held for approval")
		return
	}
	c.set(identityv1alpha1.ConditionDeactivationsHeld, metav1.ConditionTrue, identityv1alpha1.ReasonChangesHeld,
		fmt.Sprintf("%d changes are held for approval (%s); approve them with the annotation %s=%s",
			h.Count, h.Reason, identityv1alpha1.ApproveDeactivationsAnnotation, h.PlanID))
}

// foldCredentials records the credential checks this reconcile made or
// could not make.
func foldCredentials(c conditions, o observation) {
	for _, end := range []struct {
		typ   string
		cred  *credentialError
		check func(verification) endCheck
	}{
		{identityv1alpha1.ConditionOktaVerified, o.oktaCredential, func(v verification) endCheck { return v.okta }},
		{identityv1alpha1.ConditionTargetVerified, o.targetCredential, func(v verification) endCheck { return v.target }},
	} {
		switch {
		case end.cred != nil:
			c.setBool(end.typ, false, end.cred.Reason, end.cred.Message)
		case o.verification != nil:
			v := end.check(*o.verification)
			c.setBool(end.typ, v.ok(), v.reason, v.message)
		}
	}
}

// requeueAfter is when the integration is looked at again without an event.
func requeueAfter(st *identityv1alpha1.DirectoryIntegrationStatus, o observation) time.Duration {
	switch {
	case o.waitingForGroups:
		return 500 * time.Millisecond
	case o.job != nil:
		// The pool wakes the integration; this only guards a lost wake-up.
		return 30 * time.Second
	case o.wait > 0:
		return o.wait
	case st.NextSyncTime == nil:
		return 0
	}
	return max(st.NextSyncTime.Sub(o.now), time.Second)
}

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
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// foldTargeted records a finished targeted cycle. Its re-plan covers the
// whole remembered view, so counts, the out-of-sync sample and the held
// set follow it, and anything it finds out of sync turns Synced False.
// It never claims more than it verified: Synced turns True again only
// when the last scheduled cycle had verified the target in sync (the
// targeted cycle then re-verified what changed since). It leaves the
// schedule, observedGeneration, lastSyncTime, lastSync and the handled
// annotations to the scheduled cycles.
func foldTargeted(st *identityv1alpha1.DirectoryIntegrationStatus, c conditions, o observation) {
	j := o.finished
	res := j.result
	if res == nil || errors.Is(j.err, provisioning.ErrNoState) {
		return
	}
	fs := feedStatus(st)
	end := metav1.NewTime(j.finished.Truncate(time.Second))
	fs.LastTargetedSyncTime = &end
	fs.TargetedCycles++
	foldAuthErrors(c, res, o.redact)
	if j.err != nil {
		// A failed targeted cycle wrote nothing it could not repeat; the
		// next scheduled cycle re-checks everything since the last one.
		return
	}
	foldCounts(st, res)
	st.OutOfSync = outOfSync(res.OutOfSync, o.redact)
	st.HeldDeactivations = heldStatus(res.Held, st.HeldDeactivations, end, o.redact)
	reason, msg := syncOutcome(st, j, o.redact)
	msg = "targeted cycle at " + end.UTC().Format(time.RFC3339) + ": " + msg
	switch {
	case reason != identityv1alpha1.ReasonSynced:
		c.setBool(identityv1alpha1.ConditionSynced, false, reason, msg)
	case scheduledInSync(st):
		c.setBool(identityv1alpha1.ConditionSynced, true, reason, msg)
	}
}

// scheduledInSync reports whether the last scheduled cycle left the
// target in sync.
func scheduledInSync(st *identityv1alpha1.DirectoryIntegrationStatus) bool {
	return st.LastSuccessfulSyncTime != nil && st.LastSyncTime != nil && st.LastSuccessfulSyncTime.Equal(st.LastSyncTime)
}

// foldFeed records the change feed's state and derives ChangeFeedActive.
// A reconcile that stopped before the feed phase for a passing reason (an
// API error) leaves both as they were.
func foldFeed(st *identityv1alpha1.DirectoryIntegrationStatus, c conditions, o observation) {
	v := o.feed
	if v == nil {
		if o.suspended || o.oktaCredential != nil || o.targetCredential != nil || o.duplicateOf != "" {
			if st.ChangeFeed != nil {
				st.ChangeFeed.Active = false
			}
			c.setBool(identityv1alpha1.ConditionChangeFeed, false, identityv1alpha1.ReasonFeedInactive,
				"the feed runs while the integration runs cycles")
		}
		return
	}
	if v.disabled {
		if st.ChangeFeed != nil {
			st.ChangeFeed.Active, st.ChangeFeed.Message = false, truncate(v.message, maxMessageLen)
		}
		if v.inactive {
			c.setBool(identityv1alpha1.ConditionChangeFeed, false, identityv1alpha1.ReasonFeedInactive, v.message)
			return
		}
		c.setBool(identityv1alpha1.ConditionChangeFeed, false, identityv1alpha1.ReasonFeedDisabled, v.message+"; changes reach the target with the scheduled cycles")
		return
	}
	fs := feedStatus(st)
	fs.Active, fs.Message = v.active && v.behind == "", truncate(v.message, maxMessageLen)
	if !v.cursor.IsZero() {
		fs.Cursor = v.cursor.UTC().Format(okta.TimeFormat)
	}
	if !v.lastEvent.IsZero() {
		t := metav1.NewTime(v.lastEvent.Truncate(time.Second))
		fs.LastEventTime = &t
	}
	reason, msg := feedCondition(v)
	if reason == identityv1alpha1.ReasonFeedStarting {
		c.set(identityv1alpha1.ConditionChangeFeed, metav1.ConditionUnknown, reason, msg)
		return
	}
	c.setBool(identityv1alpha1.ConditionChangeFeed, reason == identityv1alpha1.ReasonFeedPolling, reason, truncate(msg, maxMessageLen))
}

// feedCondition is ChangeFeedActive's reason and message for a subscribed
// integration; the first that applies wins.
func feedCondition(v *feedView) (string, string) {
	switch {
	case v.message != "":
		return identityv1alpha1.ReasonFeedLogsDenied, v.message
	case v.behind != "":
		return identityv1alpha1.ReasonFeedBehind, v.behind + "; a full cycle covers every change since"
	case !v.active:
		return identityv1alpha1.ReasonFeedStarting, "the System Log has not been polled yet"
	}
	return identityv1alpha1.ReasonFeedPolling, "the System Log is polled; changes run targeted cycles"
}

func feedStatus(st *identityv1alpha1.DirectoryIntegrationStatus) *identityv1alpha1.ChangeFeedStatus {
	if st.ChangeFeed == nil {
		st.ChangeFeed = &identityv1alpha1.ChangeFeedStatus{}
	}
	return st.ChangeFeed
}

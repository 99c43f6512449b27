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
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// reportGroups writes each ProvisionedGroup's push fields (cycle field
// manager, only when they changed), emits group events, and passes what
// the cycle learned about Okta groups to the ProvisionedGroup controller.
func (r *DirectoryIntegrationReconciler) reportGroups(ctx context.Context, s *integrationScope, cfg provisioning.Config, res *provisioning.Result, now time.Time) {
	log := logf.FromContext(ctx)
	target := s.di.Spec.DisplayName
	capReached := false
	// Forget groups that are gone (keyed by UID: a recreated group is new).
	live := map[types.UID]pushStatus{}
	for _, pg := range s.groups {
		if ps, ok := s.state.pushed[pg.UID]; ok {
			live[pg.UID] = ps
		}
	}
	s.state.pushed = live
	for _, g := range cfg.Groups {
		gr, ok := res.Groups[g.Key]
		pg := findGroup(s.groups, g.Key)
		if !ok || pg == nil {
			continue
		}
		capReached = capReached || gr.CapBlocked
		r.hintGroup(ctx, pg, g, gr)
		if res.DryRun || (g.OktaID == "" && !g.Deleting) {
			// Nothing is pushed for an unresolved group; Resolved says why.
			continue
		}
		want := desiredPushStatus(pg, g, gr, now)
		cur := currentPushStatus(pg)
		if last, ok := s.state.pushed[pg.UID]; ok {
			// The cycle is the only writer of these fields: what it wrote
			// last is never older than what the cache shows.
			cur = last
		}
		if !pushStatusChanged(cur, want) {
			continue
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
		err := r.Status().Apply(actx, pushApply(pg, want), client.FieldOwner(fieldManagerCycle), client.ForceOwnership)
		cancel()
		if err != nil {
			if !apierrors.IsNotFound(err) {
				log.Error(err, "writing the push status", "group", g.Key)
			}
			continue
		}
		s.state.pushed[pg.UID] = want
		r.groupPushEvents(pg, cur.Pushed, want.Pushed, groupDisplayName(g, gr), target)
	}
	if res.DryRun {
		return
	}
	state := s.state
	if res.CapWarning && !state.capWarning {
		emit(r.Recorder, s.di, true, "GroupCapNear", "Push", fmt.Sprintf("Group Push to app %s: the target holds %d groups, near its cap of %d", target, res.GroupCounts.InTarget, res.GroupCounts.Cap))
	}
	if capReached && !state.capReached {
		emit(r.Recorder, s.di, true, identityv1alpha1.ReasonGroupCapReached, "Push", fmt.Sprintf("Group Push to app %s: FAILURE: the target's cap of %d groups is reached; new groups are not created", target, res.GroupCounts.Cap))
	}
	state.capWarning, state.capReached = res.CapWarning, capReached
}

func (r *DirectoryIntegrationReconciler) groupPushEvents(pg *identityv1alpha1.ProvisionedGroup, before, after *metav1.Condition, name, target string) {
	if after == nil || (before != nil && before.Status == after.Status && before.Reason == after.Reason) {
		return
	}
	switch after.Reason {
	case identityv1alpha1.ReasonPushed:
		emit(r.Recorder, pg, false, "GroupPushed", "Push", fmt.Sprintf("Group Push group %s pushed to target %s. SUCCESS", name, target))
	case identityv1alpha1.ReasonDeleted:
		emit(r.Recorder, pg, false, "GroupDeleted", "Delete", fmt.Sprintf("Group Push group %s deleted in target %s. SUCCESS", name, target))
	case identityv1alpha1.ReasonPushFailed:
		emit(r.Recorder, pg, true, "GroupPushFailed", "Push", fmt.Sprintf("Group Push group %s to target %s. FAILURE: %s", name, target, after.Message))
	case identityv1alpha1.ReasonGroupCapReached:
		emit(r.Recorder, pg, true, identityv1alpha1.ReasonGroupCapReached, "Push", fmt.Sprintf("Group Push group %s to target %s. FAILURE: %s", name, target, after.Message))
	}
}

// hintGroup tells the ProvisionedGroup controller about a renamed or
// deleted Okta group; it owns oktaGroupName and Resolved.
func (r *DirectoryIntegrationReconciler) hintGroup(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup, g provisioning.GroupConfig,
	gr provisioning.GroupResult) {
	h := groupHint{name: gr.OktaName}
	if g.OktaID != "" && !g.Deleting && gr.OktaDeleted {
		h = groupHint{gone: true}
	}
	if (h.name == "" || h.name == pg.Status.OktaGroupName) && !h.gone {
		return
	}
	r.shared.hints.set(groupKey(pg), pg.Status.OktaGroupID, h)
	select {
	case r.shared.groupEvents <- event.GenericEvent{Object: pg.DeepCopy()}:
	case <-ctx.Done():
	}
}

// logCycle logs a finished cycle; errors are redacted like status messages.
func logCycle(log logr.Logger, j *cycleJob, redact func(string) string) {
	log = log.WithValues("cycle", newCycleID(), "duration", j.finished.Sub(j.started).Round(time.Millisecond),
		"queued", j.started.Sub(j.queued).Round(time.Millisecond))
	res := j.result
	if j.err != nil {
		log.Error(redactedError(redact(j.err.Error())), "cycle failed")
		return
	}
	if res == nil {
		return
	}
	c := res.Counts
	log.Info("cycle finished", "mode", res.Mode, "inSync", res.InSync, "created", c.Created, "updated", c.Updated,
		"deactivated", c.Deactivated, "groupsCreated", c.GroupsCreated, "membersAdded", c.MembersAdded,
		"membersRemoved", c.MembersRemoved, "failures", c.Failures, "deferred", res.Deferred, "held", res.Held != nil, "dryRun", res.DryRun)
}

// redactedError carries an error's text once credentials were removed from it.
type redactedError string

func (e redactedError) Error() string { return string(e) }

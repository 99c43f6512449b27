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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// schedule gathers what decides whether a cycle runs now and asks decide.
func (r *DirectoryIntegrationReconciler) schedule(s *integrationScope, st *identityv1alpha1.DirectoryIntegrationStatus) decision {
	di, state := s.di, s.state
	ann := di.GetAnnotations()
	newValue := func(annotation, handled string) bool { return ann[annotation] != "" && ann[annotation] != handled }
	in := scheduleInput{
		Now:                s.obs.now,
		GenerationChanged:  di.Generation != st.ObservedGeneration,
		Requested:          newValue(identityv1alpha1.ReconcileRequestedAtAnnotation, st.LastHandledReconcileAt),
		FullRequested:      newValue(identityv1alpha1.FullSyncRequestedAtAnnotation, st.LastHandledFullSyncAt),
		ApprovalPending:    approvalPending(di, st),
		ClientsChanged:     state.clientsKey != "" && state.clientsKey != s.clients.key,
		GroupsChanged:      groupsChanged(s),
		NeverSynced:        st.LastSyncTime == nil,
		FeedBehind:         s.obs.feed != nil && s.obs.feed.behindDue,
		NextSync:           timeOf(st.NextSyncTime),
		LastFullSync:       timeOf(st.LastFullSyncTime),
		SyncInterval:       syncInterval(di),
		FullResyncInterval: fullResyncInterval(di),
		LastAttempt:        state.lastAttempt,
		MinGap:             r.opts.MinCycleGap,
		StartupNotBefore:   r.started.Add(startupSpread(s.key.String(), min(r.opts.StartupSpread, syncInterval(di)/2))),
	}
	// A human change deserves a prompt try, whatever failed before.
	if in.GenerationChanged || in.ClientsChanged || in.Requested || in.FullRequested {
		state.failures = 0
	}
	in.Failures = state.failures
	return decide(in)
}

// resolutionGrace bounds how long a cycle waits for new ProvisionedGroups
// to be resolved before it runs without them.
const resolutionGrace = 30 * time.Second

// awaitingResolution reports whether a ProvisionedGroup's first lookup has
// not happened yet, within the grace period after its creation.
func awaitingResolution(pgs []identityv1alpha1.ProvisionedGroup, stalled map[types.NamespacedName]string, now time.Time) bool {
	for i := range pgs {
		pg := &pgs[i]
		if _, dup := stalled[types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}]; dup || !pg.DeletionTimestamp.IsZero() || pg.Status.OktaGroupID != "" {
			continue
		}
		c := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionResolved)
		if (c == nil || c.Reason == identityv1alpha1.ReasonPending) && now.Before(pg.CreationTimestamp.Add(resolutionGrace)) {
			return true
		}
	}
	return false
}

func approvalPending(di *identityv1alpha1.DirectoryIntegration, st *identityv1alpha1.DirectoryIntegrationStatus) bool {
	a := di.GetAnnotations()[identityv1alpha1.ApproveDeactivationsAnnotation]
	held := st.HeldDeactivations
	return a != "" && a != st.LastApprovedPlanID && held != nil && held.PlanID == a
}

func timeOf(t *metav1.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// groupsChanged reports whether the ProvisionedGroups changed since the last
// successful cycle in this process; after a restart, whether any of them
// waits for a cycle according to its status (a new group, a deletion).
func groupsChanged(s *integrationScope) bool {
	cfg := buildConfig(s.di, &s.di.Status, s.groups, s.stalledGroups, provisioning.ModeFull, "")
	if s.state.groupsKey != "" {
		return groupsKey(cfg.Groups) != s.state.groupsKey
	}
	if s.di.Spec.DryRun {
		// A dry run writes no group status, so the status cannot tell.
		return false
	}
	for _, g := range cfg.Groups {
		pg := findGroup(s.groups, g.Key)
		if pg == nil {
			continue
		}
		pushed := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionPushed)
		switch {
		case g.Deleting:
			return true
		case g.OktaID != "" && g.Push && (pushed == nil || pushed.ObservedGeneration != pg.Generation):
			return true
		case g.OktaID != "" && !g.Push && pg.Status.Members == nil:
			return true
		}
	}
	return false
}

func groupsKey(groups []provisioning.GroupConfig) string {
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%s|%s|%s|%t|%t|%s|%t|%s", g.Key, g.OktaID, g.OktaName, g.Assign, g.Push, g.TargetName, g.Deleting, g.Blocked))
	}
	return hashKey(parts...)
}

func findGroup(pgs []identityv1alpha1.ProvisionedGroup, key string) *identityv1alpha1.ProvisionedGroup {
	for i := range pgs {
		if groupKey(&pgs[i]) == key {
			return &pgs[i]
		}
	}
	return nil
}

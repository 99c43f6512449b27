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
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// verifyTimeout bounds one credential check of each end.
const verifyTimeout = 30 * time.Second

// reconcilePhases runs the phases in order; each either lets the next one
// run or ends the reconcile with its conditions set.
func (r *DirectoryIntegrationReconciler) reconcilePhases(ctx context.Context, s *integrationScope) (reconcile.Result, error) {
	// Building clients reads Secrets only: no call leaves the cluster, so
	// it runs for suspended integrations too (duplicate detection needs it).
	cl, err := r.shared.cache.get(ctx, s.di)
	if err != nil {
		return reconcile.Result{}, err
	}
	s.clients = cl
	if s.state.lastAttempt.IsZero() && conditionTrue(s.di.Status.Conditions, identityv1alpha1.ConditionReconciling) {
		// Only this process runs cycles, and it has not run one for this
		// integration yet: the cycle the status shows was cut short by a restart.
		setCondition(&s.di.Status.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonIdle,
			"the previous cycle was interrupted by a restart; the next one continues from what was done", s.di.Generation)
	}
	if s.di.Spec.Suspend {
		r.reconcileSuspended(s)
		return reconcile.Result{}, nil
	}
	if r.reconcileCredentials(s) {
		return reconcile.Result{}, nil
	}
	if res, stop, err := r.reconcileDuplicates(ctx, s); stop || err != nil {
		return res, err
	}
	meta.RemoveStatusCondition(&s.di.Status.Conditions, identityv1alpha1.ConditionStalled)
	if err := r.loadGroups(ctx, s); err != nil {
		return reconcile.Result{}, err
	}
	if wait := awaitingResolution(s.groups, s.stalled, time.Now()); wait > 0 {
		// A group created with (or just after) the integration is looked up
		// in a moment; a cycle now would read an incomplete scope.
		return reconcile.Result{RequeueAfter: wait}, nil
	}
	d := r.schedule(s)
	if !d.Run {
		if s.di.Status.NextSyncTime == nil {
			next := metav1.NewTime(time.Now().Add(d.RequeueAfter).Truncate(time.Second))
			s.di.Status.NextSyncTime = &next
		}
		return reconcile.Result{RequeueAfter: d.RequeueAfter}, nil
	}
	if res, ok := r.reconcileVerification(ctx, s); !ok {
		return res, nil
	}
	return r.reconcileCycle(ctx, s, d)
}

func (r *DirectoryIntegrationReconciler) reconcileSuspended(s *integrationScope) {
	st, gen := &s.di.Status, s.di.Generation
	msg := "spec.suspend is true: no calls are made to Okta or the target"
	setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonSuspended, msg, gen)
	setNotReady(st, identityv1alpha1.ReasonSuspended, msg, gen)
	st.NextSyncTime = nil
	st.ObservedGeneration = gen
}

// reconcileCredentials reports missing or unusable Secrets and invalid
// client settings, and stops before any external call when there are any.
func (r *DirectoryIntegrationReconciler) reconcileCredentials(s *integrationScope) bool {
	st, gen, cl := &s.di.Status, s.di.Generation, s.clients
	if cl.oktaErr == nil && cl.targetErr == nil {
		return false
	}
	var first *credentialError
	for _, side := range []struct {
		typ string
		err *credentialError
	}{{identityv1alpha1.ConditionOktaVerified, cl.oktaErr}, {identityv1alpha1.ConditionTargetVerified, cl.targetErr}} {
		if side.err == nil {
			continue
		}
		setVerified(st, side.typ, side.err.Reason, side.err.Message, gen)
		if first == nil {
			first = side.err
		}
	}
	if invalid := firstInvalidConfig(cl.oktaErr, cl.targetErr); invalid != nil {
		setCondition(&st.Conditions, identityv1alpha1.ConditionStalled, metav1.ConditionTrue, identityv1alpha1.ReasonInvalidConfig, invalid.Message, gen)
	} else {
		meta.RemoveStatusCondition(&st.Conditions, identityv1alpha1.ConditionStalled)
	}
	setNotReady(st, first.Reason, first.Message, gen)
	setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonIdle,
		"waiting for the spec or a Secret to change", gen)
	st.NextSyncTime = nil
	st.ObservedGeneration = gen
	// The Secret watch brings the integration back when a Secret changes.
	return true
}

func firstInvalidConfig(errs ...*credentialError) *credentialError {
	for _, e := range errs {
		if e != nil && e.Reason == identityv1alpha1.ReasonInvalidConfig {
			return e
		}
	}
	return nil
}

// reconcileDuplicates stalls an integration that writes the same target
// with the same token as an older one; the older one keeps working.
func (r *DirectoryIntegrationReconciler) reconcileDuplicates(ctx context.Context, s *integrationScope) (reconcile.Result, bool, error) {
	st, gen := &s.di.Status, s.di.Generation
	if twin, ok := r.shared.cache.olderTwin(s.key); ok {
		msg := fmt.Sprintf("DirectoryIntegration %s already provisions this target with the same token; "+
			"two integrations writing one target would undo each other's changes, so this one makes no calls", twin)
		setCondition(&st.Conditions, identityv1alpha1.ConditionStalled, metav1.ConditionTrue, identityv1alpha1.ReasonDuplicateTarget, msg, gen)
		setNotReady(st, identityv1alpha1.ReasonDuplicateTarget, msg, gen)
		setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonIdle, "stalled", gen)
		st.NextSyncTime = nil
		st.ObservedGeneration = gen
		// Not a hot loop: look again after an interval, in case the twin went away.
		return reconcile.Result{RequeueAfter: syncInterval(s.di)}, true, nil
	}
	// Right after a restart an older twin may not have been reconciled yet;
	// wait for it briefly rather than race it.
	if time.Since(r.started) < time.Minute {
		var all identityv1alpha1.DirectoryIntegrationList
		if err := r.List(ctx, &all); err != nil {
			return reconcile.Result{}, true, err
		}
		for i := range all.Items {
			o := &all.Items[i]
			nn := types.NamespacedName{Namespace: o.Namespace, Name: o.Name}
			if nn != s.key && normalizeURL(o.Spec.Target.URL) == normalizeURL(s.di.Spec.Target.URL) &&
				olderThan(o.CreationTimestamp, nn, s.di.CreationTimestamp, s.key) && !r.shared.cache.known(nn) {
				return reconcile.Result{RequeueAfter: time.Second}, true, nil
			}
		}
	}
	return reconcile.Result{}, false, nil
}

// loadGroups lists the integration's ProvisionedGroups (from the cache,
// through the index) and finds the duplicates among them.
func (r *DirectoryIntegrationReconciler) loadGroups(ctx context.Context, s *integrationScope) error {
	var list identityv1alpha1.ProvisionedGroupList
	if err := r.List(ctx, &list, client.InNamespace(s.di.Namespace), client.MatchingFields{integrationRefIndex: s.di.Name}); err != nil {
		return err
	}
	s.groups = list.Items
	s.stalled = duplicateGroups(list.Items)
	return nil
}

// schedule decides whether a cycle runs now.
func (r *DirectoryIntegrationReconciler) schedule(s *integrationScope) decision {
	di, st, state := s.di, &s.di.Status, s.state
	ann := di.GetAnnotations()
	in := scheduleInput{
		Now:                time.Now(),
		GenerationChanged:  di.Generation != st.ObservedGeneration,
		Requested:          ann[identityv1alpha1.ReconcileRequestedAtAnnotation] != "" && ann[identityv1alpha1.ReconcileRequestedAtAnnotation] != st.LastHandledReconcileAt,
		ApprovalPending:    approvalPending(di),
		ClientsChanged:     state.clientsKey != "" && state.clientsKey != s.clients.key,
		GroupsChanged:      r.groupsChanged(s),
		NeverSynced:        st.LastSyncTime == nil,
		NextSync:           timeOf(st.NextSyncTime),
		LastFullSync:       timeOf(st.LastFullSyncTime),
		SyncInterval:       syncInterval(di),
		FullResyncInterval: fullResyncInterval(di),
		LastAttempt:        state.lastAttempt,
		MinGap:             r.opts.MinCycleGap,
		StartupNotBefore:   r.started.Add(startupSpread(s.key.String(), min(r.opts.StartupSpread, syncInterval(di)/2))),
	}
	// A human change deserves a prompt try, whatever failed before.
	if in.GenerationChanged || in.ClientsChanged || in.Requested {
		state.failures = 0
	}
	in.Failures = state.failures
	return decide(in)
}

// resolutionGrace bounds how long a cycle waits for new ProvisionedGroups
// to be resolved before it runs without them.
const resolutionGrace = 30 * time.Second

// awaitingResolution returns how long to wait for ProvisionedGroups whose
// first lookup has not happened yet (0: none).
func awaitingResolution(pgs []identityv1alpha1.ProvisionedGroup, stalled map[types.NamespacedName]string, now time.Time) time.Duration {
	for i := range pgs {
		pg := &pgs[i]
		if _, dup := stalled[types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}]; dup || !pg.DeletionTimestamp.IsZero() || pg.Status.OktaGroupID != "" {
			continue
		}
		c := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionResolved)
		if (c == nil || c.Reason == identityv1alpha1.ReasonPending) && now.Before(pg.CreationTimestamp.Add(resolutionGrace)) {
			return 500 * time.Millisecond
		}
	}
	return 0
}

func approvalPending(di *identityv1alpha1.DirectoryIntegration) bool {
	a := di.GetAnnotations()[identityv1alpha1.ApproveDeactivationsAnnotation]
	held := di.Status.HeldDeactivations
	return a != "" && a != di.Status.LastApprovedPlanID && held != nil && held.PlanID == a
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
func (r *DirectoryIntegrationReconciler) groupsChanged(s *integrationScope) bool {
	cfg := buildConfig(s.di, s.groups, s.stalled, provisioning.ModeFull, "")
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
		parts = append(parts, fmt.Sprintf("%s|%s|%s|%t|%t|%s|%t", g.Key, g.OktaID, g.OktaName, g.Assign, g.Push, g.TargetName, g.Deleting))
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

// reconcileVerification checks both ends like "Test API Credentials". On
// failure it records the attempt and schedules a retry with backoff.
func (r *DirectoryIntegrationReconciler) reconcileVerification(ctx context.Context, s *integrationScope) (reconcile.Result, bool) {
	st, gen := &s.di.Status, s.di.Generation
	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	ov := s.clients.okta.Verify(vctx)
	if ov.Reason == okta.ReasonDPoPRequired {
		if cl, ok := r.shared.cache.switchToDPoP(s.key); ok {
			logf.FromContext(ctx).Info("the Okta service app requires DPoP; using DPoP proofs")
			s.clients = cl
			ov = cl.okta.Verify(vctx)
		}
	}
	tv := s.clients.scim.Verify(vctx)
	oReason, tReason := verifyReason(ov.Reason), verifyReason(tv.Reason)
	oMsg, tMsg := ov.Message, tv.Message
	if oReason == identityv1alpha1.ReasonVerified {
		oMsg = "Okta accepted the credentials"
	}
	if tReason == identityv1alpha1.ReasonVerified {
		tMsg = "the SCIM endpoint accepted the token"
	}
	setVerified(st, identityv1alpha1.ConditionOktaVerified, oReason, oMsg, gen)
	setVerified(st, identityv1alpha1.ConditionTargetVerified, tReason, tMsg, gen)
	if oReason == identityv1alpha1.ReasonVerified && tReason == identityv1alpha1.ReasonVerified {
		return reconcile.Result{}, true
	}
	reason, msg := oReason, "Okta: "+oMsg
	if oReason == identityv1alpha1.ReasonVerified {
		reason, msg = tReason, "target: "+tMsg
	}
	setNotReady(st, reason, msg, gen)
	now := time.Now()
	next := r.recordAttempt(s, now, false)
	setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonIdle,
		"credentials are checked again at "+next.UTC().Format(time.RFC3339)+" or when the spec or a Secret changes", gen)
	return reconcile.Result{RequeueAfter: next.Sub(now)}, false
}

// recordAttempt notes a verification or cycle: the generation and the
// trigger annotation count as handled, failed or not, and the next cycle
// is scheduled (interval with jitter, or backoff after a failure).
func (r *DirectoryIntegrationReconciler) recordAttempt(s *integrationScope, end time.Time, ok bool) time.Time {
	st, state := &s.di.Status, s.state
	st.ObservedGeneration = s.di.Generation
	if v := s.di.GetAnnotations()[identityv1alpha1.ReconcileRequestedAtAnnotation]; v != "" {
		st.LastHandledReconcileAt = truncate(v, 128)
	}
	if ok {
		state.failures = 0
	} else {
		state.failures++
	}
	state.lastAttempt = end
	state.clientsKey = s.clients.key
	next := nextSync(end, ok, state.failures, syncInterval(s.di), r.opts.MinCycleGap)
	t := metav1.NewTime(next.Truncate(time.Second))
	st.NextSyncTime = &t
	return next
}

// reconcileCycle runs one cycle of the engine and maps its result to the
// integration's and its ProvisionedGroups' status.
func (r *DirectoryIntegrationReconciler) reconcileCycle(ctx context.Context, s *integrationScope, d decision) (reconcile.Result, error) {
	di, st, gen := s.di, &s.di.Status, s.di.Generation
	cycleID := newCycleID()
	log := logf.FromContext(ctx).WithValues("cycle", cycleID, "mode", d.Mode, "trigger", d.Trigger)
	approval := di.GetAnnotations()[identityv1alpha1.ApproveDeactivationsAnnotation]
	if approval == st.LastApprovedPlanID {
		approval = ""
	}
	cfg := buildConfig(di, s.groups, s.stalled, d.Mode, approval)

	start := time.Now()
	setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionTrue, identityv1alpha1.ReasonCycleRunning,
		fmt.Sprintf("%s cycle %s (%s) started at %s", d.Mode, cycleID, d.Trigger, start.UTC().Format(time.RFC3339)), gen)
	if err := r.patchStatus(ctx, s); err != nil {
		return reconcile.Result{}, err
	}
	log.V(1).Info("cycle started", "groups", len(cfg.Groups), "people", len(cfg.People), "dryRun", cfg.DryRun)

	cctx, cancel := context.WithTimeout(ctx, r.opts.CycleTimeout)
	res, err := s.clients.engine.Run(cctx, cfg)
	cancel()
	end := time.Now()
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("the cycle did not finish within %s; the next cycle continues from what was done: %w", r.opts.CycleTimeout, err)
	}

	applyCycle(st, cycleOutcome{Result: res, Err: err, Start: start, End: end, Mode: d.Mode, Approval: approval}, gen)
	ok := err == nil && res != nil
	next := r.recordAttempt(s, end, ok)
	if ok {
		s.state.groupsKey = groupsKey(cfg.Groups)
	}
	setCondition(&st.Conditions, identityv1alpha1.ConditionReconciling, metav1.ConditionFalse, identityv1alpha1.ReasonIdle,
		"the next cycle is due at "+next.UTC().Format(time.RFC3339), gen)
	mode := string(d.Mode)
	if res != nil {
		mode = string(res.Mode)
	}
	r.shared.metrics.observeCycle(di.Namespace, di.Name, mode, ok, end.Sub(start), end)

	if err != nil {
		log.Error(err, "cycle failed")
	} else if res != nil {
		c := res.Counts
		log.Info("cycle finished", "duration", end.Sub(start).Round(time.Millisecond), "created", c.Created, "updated", c.Updated,
			"deactivated", c.Deactivated, "groupsCreated", c.GroupsCreated, "membersAdded", c.MembersAdded,
			"membersRemoved", c.MembersRemoved, "failures", c.Failures, "held", res.Held != nil, "dryRun", res.DryRun)
	}
	if ok {
		// A failed cycle's per-group results may be partial: they are not reported.
		r.reportGroups(ctx, s, cfg, res, end)
	}
	return reconcile.Result{RequeueAfter: time.Until(next)}, nil
}

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
		err := r.Status().Apply(context.WithoutCancel(ctx), pushApply(pg, want), client.FieldOwner(fieldManagerCycle), client.ForceOwnership)
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
		r.event(s.di, true, "GroupCapNear", "Push", fmt.Sprintf("Group Push to app %s: the target holds %d groups, near its cap of %d", target, res.TargetGroups, res.GroupCap))
	}
	if capReached && !state.capReached {
		r.event(s.di, true, identityv1alpha1.ReasonGroupCapReached, "Push", fmt.Sprintf("Group Push to app %s: FAILURE: the target's cap of %d groups is reached; new groups are not created", target, res.GroupCap))
	}
	state.capWarning, state.capReached = res.CapWarning, capReached
}

func (r *DirectoryIntegrationReconciler) groupPushEvents(pg *identityv1alpha1.ProvisionedGroup, before, after *metav1.Condition, name, target string) {
	if after == nil || (before != nil && before.Status == after.Status && before.Reason == after.Reason) {
		return
	}
	switch after.Reason {
	case identityv1alpha1.ReasonPushed:
		r.event(pg, false, "GroupPushed", "Push", fmt.Sprintf("Group Push group %s pushed to target %s. SUCCESS", name, target))
	case identityv1alpha1.ReasonDeleted:
		r.event(pg, false, "GroupDeleted", "Delete", fmt.Sprintf("Group Push group %s deleted in target %s. SUCCESS", name, target))
	case identityv1alpha1.ReasonPushFailed:
		r.event(pg, true, "GroupPushFailed", "Push", fmt.Sprintf("Group Push group %s to target %s. FAILURE: %s", name, target, after.Message))
	case identityv1alpha1.ReasonGroupCapReached:
		r.event(pg, true, identityv1alpha1.ReasonGroupCapReached, "Push", fmt.Sprintf("Group Push group %s to target %s. FAILURE: %s", name, target, after.Message))
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

func newCycleID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

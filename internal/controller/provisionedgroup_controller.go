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
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
)

// ProvisionedGroupReconciler resolves a ProvisionedGroup's Okta group,
// validates it against its siblings, holds and releases the finalizer of
// Delete-policy groups, and computes Ready. It never calls the target: only
// the integration's cycle writes target groups.
type ProvisionedGroupReconciler struct {
	client.Client
	Recorder events.EventRecorder

	shared *sharedState
	opts   Options
}

// SetupWithManager registers the controller and its watches.
func (r *ProvisionedGroupReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("provisionedgroup").
		For(&identityv1alpha1.ProvisionedGroup{}, builder.WithPredicates(groupNeedsReconcile())).
		Watches(&identityv1alpha1.DirectoryIntegration{}, handler.EnqueueRequestsFromMapFunc(r.groupsOfIntegration),
			builder.WithPredicates(integrationVisibleToGroups())).
		// A sibling's creation or deletion can make or end a duplicate.
		Watches(&identityv1alpha1.ProvisionedGroup{}, handler.EnqueueRequestsFromMapFunc(r.siblings),
			builder.WithPredicates(createOrDelete())).
		WatchesRawSource(source.Channel(r.shared.groupEvents, &handler.EnqueueRequestForObject{})).
		// A gained or lost shard wakes the groups of its integrations.
		WatchesRawSource(source.Channel(r.shared.shards.groups, &handler.EnqueueRequestForObject{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}

func (r *ProvisionedGroupReconciler) groupsOfIntegration(ctx context.Context, o client.Object) []reconcile.Request {
	return r.groupRequests(ctx, o.GetNamespace(), o.GetName(), "")
}

func (r *ProvisionedGroupReconciler) siblings(ctx context.Context, o client.Object) []reconcile.Request {
	pg, ok := o.(*identityv1alpha1.ProvisionedGroup)
	if !ok {
		return nil
	}
	return r.groupRequests(ctx, pg.Namespace, pg.Spec.IntegrationRef.Name, pg.Name)
}

func (r *ProvisionedGroupReconciler) groupRequests(ctx context.Context, ns, integration, except string) []reconcile.Request {
	var list identityv1alpha1.ProvisionedGroupList
	if err := r.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{integrationRefIndex: integration}); err != nil {
		logf.FromContext(ctx).Error(err, "listing ProvisionedGroups", "integration", integration)
		return nil
	}
	var out []reconcile.Request
	for _, pg := range list.Items {
		if pg.Name != except {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}})
		}
	}
	return out
}

// Reconcile resolves the group and writes the fields this controller owns.
func (r *ProvisionedGroupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	pg := &identityv1alpha1.ProvisionedGroup{}
	if err := r.Get(ctx, req.NamespacedName, pg); err != nil {
		if apierrors.IsNotFound(err) {
			r.shared.hints.forget(req.String())
			r.shared.metrics.forget(kindGroup, req.Namespace, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !r.shared.shards.owns(types.NamespacedName{Namespace: pg.Namespace, Name: pg.Spec.IntegrationRef.Name}) {
		// The group follows its integration's shard, held by another replica.
		r.shared.hints.forget(req.String())
		r.shared.metrics.forget(kindGroup, req.Namespace, req.Name)
		return ctrl.Result{}, nil
	}
	di := &identityv1alpha1.DirectoryIntegration{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: pg.Namespace, Name: pg.Spec.IntegrationRef.Name}, di); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		di = nil
	}
	if !pg.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, pg, di)
	}
	if err := r.reconcileFinalizer(ctx, pg); err != nil {
		return ctrl.Result{}, err
	}

	res, requeue, err := r.resolve(ctx, pg, di)
	if err != nil {
		return ctrl.Result{}, err
	}
	// Judge duplicates by the resolution just made (a rename seen by a
	// cycle), not by the status the cache shows.
	resolved := pg.DeepCopy()
	resolved.Status.OktaGroupID, resolved.Status.OktaGroupName = res.id, res.name
	dup, err := r.duplicateOf(ctx, resolved)
	if err != nil {
		return ctrl.Result{}, err
	}
	want := groupStatus{ObservedGeneration: pg.Generation, OktaGroupID: res.id, OktaGroupName: res.name,
		Conditions: groupConditions(groupInputs{pg: pg, di: di, resolved: res.cond, duplicate: dup})}
	keepTransitionTimes(pg.Status.Conditions, want.Conditions)
	if groupStatusChanged(currentGroupStatus(pg), want) {
		actx, cancel := context.WithTimeout(ctx, statusWriteTimeout)
		err := r.Status().Apply(actx, groupApply(pg, want), client.FieldOwner(fieldManagerGroup), client.ForceOwnership)
		cancel()
		if err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		r.groupEvents(pg, res, want.Conditions)
	}
	all := append([]metav1.Condition{}, want.Conditions...)
	if c := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionPushed); c != nil {
		all = append(all, *c)
	}
	r.shared.metrics.setConditions(kindGroup, pg.Namespace, pg.Name, all)
	return ctrl.Result{RequeueAfter: requeue}, nil
}

// keepTransitionTimes carries lastTransitionTime over for conditions whose
// status did not change, and stamps the others now.
func keepTransitionTimes(old []metav1.Condition, conds []metav1.Condition) {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	for i := range conds {
		conds[i].LastTransitionTime = now
		if o := meta.FindStatusCondition(old, conds[i].Type); o != nil && o.Status == conds[i].Status {
			conds[i].LastTransitionTime = o.LastTransitionTime
		}
	}
}

// resolution is the outcome of resolving the Okta group.
type resolution struct {
	id, name string
	cond     metav1.Condition
	// renamedFrom is the previous name when the cycle saw a rename.
	renamedFrom string
}

// withCond returns res with its Resolved condition.
func (res resolution) withCond(gen int64, status metav1.ConditionStatus, reason, msg string) resolution {
	res.cond = metav1.Condition{Type: identityv1alpha1.ConditionResolved, Status: status, Reason: reason,
		Message: msg, ObservedGeneration: gen}
	return res
}

// resolved returns res marked Resolved to its group.
func (res resolution) resolved(gen int64) resolution {
	return res.withCond(gen, metav1.ConditionTrue, identityv1alpha1.ReasonResolved,
		fmt.Sprintf("Okta group %q (%s)", res.name, res.id))
}

// keptOr returns res still Resolved when an earlier resolution exists, for
// as long as Okta cannot be asked; otherwise not Resolved, for reason.
func (res resolution) keptOr(gen int64, reason, msg string) resolution {
	if res.id != "" {
		return res.resolved(gen)
	}
	return res.withCond(gen, metav1.ConditionFalse, reason, msg)
}

// resolve finds the Okta group by name or id the first time and then
// follows its id. A missing or ambiguous group is a condition, retried
// after an interval, never a hot loop.
func (r *ProvisionedGroupReconciler) resolve(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup, di *identityv1alpha1.DirectoryIntegration) (resolution, time.Duration, error) {
	gen := pg.Generation
	res, gone := r.applyHints(pg, resolution{id: pg.Status.OktaGroupID, name: pg.Status.OktaGroupName})
	if gone != "" {
		return res.withCond(gen, metav1.ConditionFalse, identityv1alpha1.ReasonGroupNotFound, gone), 0, nil
	}
	if di == nil {
		return res.withCond(gen, metav1.ConditionFalse, identityv1alpha1.ReasonIntegrationAbsent,
			fmt.Sprintf("DirectoryIntegration %q not found in namespace %q", pg.Spec.IntegrationRef.Name, pg.Namespace)), 0, nil
	}
	ref := pg.Spec.OktaGroup
	specChanged := (ref.ID != "" && ref.ID != res.id) || (ref.Name != "" && ref.Name != res.name && pg.Generation != pg.Status.ObservedGeneration)
	if res.id != "" && !specChanged {
		return res.resolved(gen), 0, nil
	}
	if di.Spec.Suspend {
		return res.keptOr(gen, identityv1alpha1.ReasonSuspended, "the integration is suspended: Okta is not called"), 0, nil
	}
	if meta.IsStatusConditionFalse(di.Status.Conditions, identityv1alpha1.ConditionOktaVerified) {
		// Known bad credentials: no call. The integration's status change
		// wakes this group up again.
		return res.keptOr(gen, identityv1alpha1.ReasonPending, "waiting for the integration's Okta credentials to be verified"), 0, nil
	}
	cl, err := r.shared.cache.get(ctx, di)
	if err != nil {
		return res, 0, err
	}
	if cl.okta == nil {
		return res.keptOr(gen, identityv1alpha1.ReasonPending, "waiting for the integration's Okta credentials"), 0, nil
	}
	g, err := findOktaGroup(ctx, cl.okta, ref, r.opts.VerifyTimeout)
	return lookupOutcome(gen, res, ref, g, err, syncInterval(di), cl.redact)
}

// findOktaGroup looks the referenced group up in Okta: by id, else by name.
func findOktaGroup(ctx context.Context, c *okta.Client, ref identityv1alpha1.OktaGroupReference, timeout time.Duration) (okta.Group, error) {
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if ref.ID != "" {
		return c.GetGroup(lctx, ref.ID)
	}
	return c.FindGroupByName(lctx, ref.Name)
}

// lookupOutcome turns an Okta lookup into the resolution, when to look
// again, and the error to return (only for a failure worth a retry with
// backoff); redact removes credentials from Okta's error text.
func lookupOutcome(gen int64, res resolution, ref identityv1alpha1.OktaGroupReference, g okta.Group, err error, retry time.Duration, redact func(string) string) (resolution, time.Duration, error) {
	switch {
	case err == nil:
		res.id, res.name = g.ID, g.Profile.Name
		return res.resolved(gen), 0, nil
	case errors.Is(err, okta.ErrNotFound) && res.id != "":
		// The name no longer finds it: it was renamed in Okta; keep following the id.
		return res.resolved(gen), 0, nil
	case errors.Is(err, okta.ErrNotFound):
		return res.withCond(gen, metav1.ConditionFalse, identityv1alpha1.ReasonGroupNotFound,
			fmt.Sprintf("no Okta group matches %s; looking again in %s", describeRef(ref), retry)), retry, nil
	case errors.Is(err, okta.ErrUnauthorized), errors.Is(err, okta.ErrForbidden), errors.Is(err, okta.ErrDPoPRequired):
		// The integration reports its credentials; its status change wakes us.
		return res.keptOr(gen, identityv1alpha1.ReasonPending, "waiting for the integration's Okta credentials: "+redact(err.Error())), 0, nil
	case errors.Is(err, okta.ErrAmbiguous):
		return res.withCond(gen, metav1.ConditionFalse, identityv1alpha1.ReasonGroupAmbiguous,
			redact(err.Error())+"; reference the group by id instead"), retry, nil
	}
	return res.withCond(gen, metav1.ConditionUnknown, identityv1alpha1.ReasonPending,
		"looking up the Okta group failed: "+redact(err.Error())), 0, redactedError(redact(err.Error()))
}

// applyHints folds in what the integration's last cycle learned about the
// group: a rename is followed; a deletion clears the resolution and is
// returned as the condition's message.
func (r *ProvisionedGroupReconciler) applyHints(pg *identityv1alpha1.ProvisionedGroup, res resolution) (_ resolution, gone string) {
	h, ok := r.shared.hints.get(groupKey(pg), res.id, res.name)
	switch {
	case !ok:
	case h.gone:
		gone = fmt.Sprintf("the Okta group %s (%q) was deleted in Okta", res.id, res.name)
		res.id, res.name = "", ""
	case h.name != res.name:
		res.renamedFrom, res.name = res.name, h.name
	}
	return res, gone
}

func describeRef(ref identityv1alpha1.OktaGroupReference) string {
	if ref.ID != "" {
		return "id " + ref.ID
	}
	return fmt.Sprintf("the name %q", ref.Name)
}

// groupEvents reports a rename seen by a cycle and the transition into Stalled.
func (r *ProvisionedGroupReconciler) groupEvents(pg *identityv1alpha1.ProvisionedGroup, res resolution, conds []metav1.Condition) {
	if res.renamedFrom != "" && res.name != "" {
		emit(r.Recorder, pg, false, "GroupRenamed", "Resolve", fmt.Sprintf("Group %s was renamed in Okta to %s; the target group follows", res.renamedFrom, res.name))
	}
	old := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionStalled)
	if now := meta.FindStatusCondition(conds, identityv1alpha1.ConditionStalled); now != nil && (old == nil || old.Status != now.Status || old.Reason != now.Reason) {
		emit(r.Recorder, pg, true, now.Reason, "Stall", now.Message)
	}
}

// duplicateOf says why pg stalls, if it repeats an older sibling.
func (r *ProvisionedGroupReconciler) duplicateOf(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup) (string, error) {
	var list identityv1alpha1.ProvisionedGroupList
	if err := r.List(ctx, &list, client.InNamespace(pg.Namespace), client.MatchingFields{integrationRefIndex: pg.Spec.IntegrationRef.Name}); err != nil {
		return "", err
	}
	// The cache may not hold this group's newest status yet; use ours.
	for i := range list.Items {
		if list.Items[i].Name == pg.Name {
			list.Items[i] = *pg
		}
	}
	return duplicateGroups(list.Items)[types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}], nil
}

// reconcileFinalizer holds the finalizer exactly for pushed Delete-policy groups.
func (r *ProvisionedGroupReconciler) reconcileFinalizer(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup) error {
	want := pg.Spec.Push && pg.Spec.DeletionPolicy == identityv1alpha1.DeletionPolicyDelete
	if want == controllerutil.ContainsFinalizer(pg, groupFinalizer) {
		return nil
	}
	orig := pg.DeepCopy()
	if want {
		controllerutil.AddFinalizer(pg, groupFinalizer)
	} else {
		controllerutil.RemoveFinalizer(pg, groupFinalizer)
	}
	return r.patchMetadata(ctx, pg, orig)
}

// patchMetadata writes a change of pg's finalizers, bounded like every
// write so a hung API server never pins a worker.
func (r *ProvisionedGroupReconciler) patchMetadata(ctx context.Context, pg, orig *identityv1alpha1.ProvisionedGroup) error {
	ctx, cancel := context.WithTimeout(ctx, statusWriteTimeout)
	defer cancel()
	return r.Patch(ctx, pg, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{}))
}

// reconcileDelete releases the finalizer once the cycle reported the target
// group deleted, or after a bounded wait with a Warning, so that deleting a
// namespace never hangs on a gone, suspended or unreachable integration.
func (r *ProvisionedGroupReconciler) reconcileDelete(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup, di *identityv1alpha1.DirectoryIntegration) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(pg, groupFinalizer) {
		return ctrl.Result{}, nil
	}
	pushed := meta.FindStatusCondition(pg.Status.Conditions, identityv1alpha1.ConditionPushed)
	switch {
	case !deletingWithTarget(pg),
		pushed != nil && pushed.Reason == identityv1alpha1.ReasonDeleted,
		pg.Status.OktaGroupID == "" && pg.Status.TargetGroupID == "":
		return ctrl.Result{}, r.releaseFinalizer(ctx, pg)
	}
	why := ""
	switch {
	case di == nil:
		why = fmt.Sprintf("its DirectoryIntegration %q no longer exists", pg.Spec.IntegrationRef.Name)
	case !di.DeletionTimestamp.IsZero():
		why = fmt.Sprintf("its DirectoryIntegration %q is being deleted", di.Name)
	case di.Spec.Suspend:
		why = fmt.Sprintf("its DirectoryIntegration %q is suspended", di.Name)
	case !conditionTrue(di.Status.Conditions, identityv1alpha1.ConditionTargetVerified):
		why = fmt.Sprintf("its DirectoryIntegration %q cannot reach the target", di.Name)
	}
	wait := r.opts.FinalizerTimeout
	if why != "" {
		// Nothing will delete the group: wait only briefly, for a quick fix.
		wait = min(wait, 30*time.Second)
	} else {
		why = "the integration's cycle did not confirm the deletion in time"
	}
	deadline := pg.DeletionTimestamp.Add(wait)
	if left := time.Until(deadline); left > 0 {
		return ctrl.Result{RequeueAfter: left + 100*time.Millisecond}, nil
	}
	if err := r.releaseFinalizer(ctx, pg); err != nil {
		return ctrl.Result{}, err
	}
	name := cmp.Or(pg.Spec.TargetDisplayName, pg.Status.OktaGroupName, pg.Name)
	emit(r.Recorder, pg, true, "FinalizerReleased", "Delete", fmt.Sprintf(
		"Group Push group %s was not deleted in the target within %s because %s; the finalizer is released and the target group is left in place", name, wait, why))
	return ctrl.Result{}, nil
}

func (r *ProvisionedGroupReconciler) releaseFinalizer(ctx context.Context, pg *identityv1alpha1.ProvisionedGroup) error {
	orig := pg.DeepCopy()
	controllerutil.RemoveFinalizer(pg, groupFinalizer)
	return client.IgnoreNotFound(r.patchMetadata(ctx, pg, orig))
}

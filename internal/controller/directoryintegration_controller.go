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
	"errors"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// DirectoryIntegrationReconciler verifies an integration's credentials,
// decides when a cycle is due, hands it to the cycle pool and folds its
// result into status. It never writes spec and holds no finalizer:
// deleting an integration deprovisions nothing.
type DirectoryIntegrationReconciler struct {
	client.Client
	Recorder events.EventRecorder

	shared  *sharedState
	opts    Options
	started time.Time

	mu    sync.Mutex
	state map[types.NamespacedName]*integrationState
}

// integrationState is what the reconciler remembers between reconciles of
// one integration. It is an optimisation: after a restart the status (times,
// observedGeneration, handled annotations) is enough to carry on.
type integrationState struct {
	lastAttempt time.Time
	failures    int
	// clientsKey identifies the clients used by the last attempt.
	clientsKey string
	// groupsKey identifies the ProvisionedGroup input of the last
	// successful cycle ("" before the first one in this process).
	groupsKey string
	// pushed is the push status last written per group, by UID.
	pushed map[types.UID]pushStatus
	// capWarning and capReached remember the group cap state for events.
	capWarning, capReached bool
	// verified is the last credential check of the clients verifiedKey
	// names; every reconcile reports it, so a status write lost to a
	// conflict never loses it.
	verified    *verification
	verifiedKey string
	// mappingKey and mappingErr cache the mapping's compilation for the
	// source it was compiled from.
	mappingKey string
	mappingErr string
}

// SetupWithManager registers the controller and its watches.
func (r *DirectoryIntegrationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("directoryintegration").
		For(&identityv1alpha1.DirectoryIntegration{}, builder.WithPredicates(integrationInputChanged())).
		// Metadata only: the manager never caches Secret data; the
		// reconciler reads the referenced keys directly.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.integrationsForSecret), builder.OnlyMetadata).
		Watches(&identityv1alpha1.ProvisionedGroup{}, handler.EnqueueRequestsFromMapFunc(integrationForGroup),
			builder.WithPredicates(groupInputChanged())).
		// The pool wakes the integration when its cycle starts or ends.
		WatchesRawSource(source.Channel(r.shared.pool.done, &handler.EnqueueRequestForObject{})).
		// A gained or lost shard wakes its integrations.
		WatchesRawSource(source.Channel(r.shared.shards.integrations, &handler.EnqueueRequestForObject{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}

// integrationsForSecret maps a Secret to the integrations in its namespace
// that reference it, through the field index.
func (r *DirectoryIntegrationReconciler) integrationsForSecret(ctx context.Context, o client.Object) []reconcile.Request {
	var list identityv1alpha1.DirectoryIntegrationList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{secretRefIndex: o.GetName()}); err != nil {
		logf.FromContext(ctx).Error(err, "listing integrations for a Secret", "secret", o.GetName())
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, di := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: di.Namespace, Name: di.Name}})
	}
	return out
}

func integrationForGroup(_ context.Context, o client.Object) []reconcile.Request {
	pg, ok := o.(*identityv1alpha1.ProvisionedGroup)
	if !ok {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: pg.Namespace, Name: pg.Spec.IntegrationRef.Name}}}
}

// Reconcile runs the phases, derives the status from what they recorded,
// and writes it once.
func (r *DirectoryIntegrationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	if !r.shared.shards.owns(req.NamespacedName) {
		// Another replica holds its shard; gaining the shard wakes it here.
		r.disown(req.NamespacedName)
		return ctrl.Result{}, nil
	}
	di := &identityv1alpha1.DirectoryIntegration{}
	if err := r.Get(ctx, req.NamespacedName, di); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !di.DeletionTimestamp.IsZero() {
		// No finalizer: deletion stops management and deprovisions nothing.
		r.forget(req.NamespacedName)
		return ctrl.Result{}, nil
	}
	s := newIntegrationScope(di, r.stateFor(req.NamespacedName))
	err := r.runPhases(ctx, s)
	if (s.obs.feed == nil || s.obs.feed.disabled) && r.shared.feed != nil {
		// Suspended, unusable credentials, a duplicate, or the feed off.
		r.shared.feed.forget(s.key)
	}
	r.feedCovered(s)
	s.di.Status = computeStatus(&s.orig.Status, s.obs)
	if !r.shared.shards.owns(req.NamespacedName) {
		// The shard was lost meanwhile: its next owner writes the status.
		r.disown(req.NamespacedName)
		return ctrl.Result{}, nil
	}
	if perr := r.patchStatus(ctx, s); perr != nil {
		if s.obs.finished != nil {
			// The result is not lost: the next reconcile folds it in.
			r.shared.pool.restore(s.obs.finished)
		}
		if apierrors.IsConflict(perr) {
			// Read from a cache that had not seen our last write yet.
			return ctrl.Result{RequeueAfter: conflictRetry}, err
		}
		err = errors.Join(err, perr)
	}
	r.exportMetrics(s)
	return ctrl.Result{RequeueAfter: requeueAfter(&s.di.Status, s.obs)}, err
}

func (r *DirectoryIntegrationReconciler) stateFor(nn types.NamespacedName) *integrationState {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.state[nn]
	if st == nil {
		st = &integrationState{}
		r.state[nn] = st
	}
	return st
}

func (r *DirectoryIntegrationReconciler) forget(nn types.NamespacedName) {
	r.mu.Lock()
	delete(r.state, nn)
	r.mu.Unlock()
	r.shared.pool.forget(nn)
	r.shared.cache.forget(nn)
	if r.shared.feed != nil {
		r.shared.feed.forget(nn)
	}
	r.shared.metrics.forget(kindIntegration, nn.Namespace, nn.Name)
}

// conflictRetry is how soon a reconcile whose status write met a newer
// object runs again, from a cache that has caught up by then.
const conflictRetry = 100 * time.Millisecond

// statusWriteTimeout bounds every write to the API server, so a hung API
// server never pins a worker.
var statusWriteTimeout = 30 * time.Second

// patchStatus writes the status if it changed, and emits the events of
// its transitions. This controller is the only writer of an integration's
// status; the patch is conditional on the resourceVersion read, because the
// status is derived from the one before and a cache that has not seen the
// last write must not undo it.
func (r *DirectoryIntegrationReconciler) patchStatus(ctx context.Context, s *integrationScope) error {
	if equality.Semantic.DeepEqual(s.orig.Status, s.di.Status) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
	defer cancel()
	if err := r.Status().Patch(ctx, s.di, client.MergeFromWithOptions(s.orig, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	for _, e := range integrationEvents(s.di.Spec.DisplayName, &s.orig.Status, &s.di.Status) {
		emit(r.Recorder, s.di, e.Warning, e.Reason, e.Action, e.Note)
	}
	return nil
}

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
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// Options tune both reconcilers. Zero values take the defaults.
type Options struct {
	// MaxConcurrentReconciles is the number of workers per controller, so a
	// long cycle of one integration does not hold up the others. Default 4.
	MaxConcurrentReconciles int
	// CycleTimeout bounds one cycle; work done before it expires is kept
	// (the target holds it) and the next cycle continues. Default 30m.
	CycleTimeout time.Duration
	// MinCycleGap is the least time between two attempts for one
	// integration, whatever triggers them. Default 30s.
	MinCycleGap time.Duration
	// StartupSpread spreads cycles that fell due while the manager was
	// down over this window, per integration; 0 starts them at once.
	StartupSpread time.Duration
	// TargetRequestsPerSecond and TargetMaxInFlight bound each integration's
	// requests to its SCIM target (Cisco publishes no limit, and answers 429
	// when it is exceeded). Defaults 25 and 8.
	TargetRequestsPerSecond float64
	TargetMaxInFlight       int
	// FinalizerTimeout is how long a deleted Delete-policy ProvisionedGroup
	// waits for its integration to delete the target group before the
	// finalizer is released anyway, with a Warning. Default 10m.
	FinalizerTimeout time.Duration
	// Engine tunes the sync engines (Log and Now are set per integration).
	Engine provisioning.Options
}

func (o Options) withDefaults() Options {
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 4
	}
	if o.CycleTimeout <= 0 {
		o.CycleTimeout = 30 * time.Minute
	}
	if o.MinCycleGap <= 0 {
		o.MinCycleGap = 30 * time.Second
	}
	if o.StartupSpread < 0 {
		o.StartupSpread = 0
	}
	if o.TargetRequestsPerSecond <= 0 {
		o.TargetRequestsPerSecond = 25
	}
	if o.TargetMaxInFlight <= 0 {
		o.TargetMaxInFlight = 8
	}
	if o.FinalizerTimeout <= 0 {
		o.FinalizerTimeout = 10 * time.Minute
	}
	return o
}

// integrationRefIndex indexes ProvisionedGroups by their integration's name.
const integrationRefIndex = "spec.integrationRef.name"

// Setup registers the field indexes and both reconcilers with mgr. They
// share one client cache, so a ProvisionedGroup's Okta lookups and its
// integration's cycles use one client and one rate budget.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &identityv1alpha1.DirectoryIntegration{}, secretRefIndex, func(o client.Object) []string {
		return secretNames(o.(*identityv1alpha1.DirectoryIntegration))
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &identityv1alpha1.ProvisionedGroup{}, integrationRefIndex, func(o client.Object) []string {
		return []string{o.(*identityv1alpha1.ProvisionedGroup).Spec.IntegrationRef.Name}
	}); err != nil {
		return err
	}
	m := sharedMetrics()
	log := mgr.GetLogger().WithName("engine")
	cache := newClientCache(mgr.GetAPIReader(), m, log, opts)
	shared := &sharedState{cache: cache, metrics: m, hints: newGroupHints(), groupEvents: make(chan event.GenericEvent, 256)}
	recorder := mgr.GetEventRecorder("scimbridge")

	di := &DirectoryIntegrationReconciler{Client: mgr.GetClient(), Recorder: recorder, shared: shared, opts: opts,
		started: time.Now(), state: map[types.NamespacedName]*integrationState{}}
	if err := di.SetupWithManager(mgr); err != nil {
		return err
	}
	pg := &ProvisionedGroupReconciler{Client: mgr.GetClient(), Recorder: recorder, shared: shared, opts: opts}
	return pg.SetupWithManager(mgr)
}

// sharedState is what both reconcilers use.
type sharedState struct {
	cache   *clientCache
	metrics *metricsRecorder
	// hints carries what a cycle learned about Okta groups (renamed,
	// deleted) to the ProvisionedGroup controller, which owns those fields.
	hints *groupHints
	// groupEvents wakes the ProvisionedGroup controller for such hints.
	groupEvents chan event.GenericEvent
}

// DirectoryIntegrationReconciler verifies an integration's credentials,
// decides when a cycle is due and runs it: users and pushed groups, with the
// integration's ProvisionedGroups as input. It never writes spec and holds
// no finalizer: deleting an integration deprovisions nothing.
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

// Reconcile runs the integration's phases and writes its status once.
func (r *DirectoryIntegrationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
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
	s := &integrationScope{di: di, orig: di.DeepCopy(), key: req.NamespacedName, state: r.stateFor(req.NamespacedName)}
	res, err := r.reconcilePhases(ctx, s)
	if perr := r.patchStatus(context.WithoutCancel(ctx), s); perr != nil {
		err = errors.Join(err, perr)
	}
	r.exportMetrics(s)
	return res, err
}

// integrationScope carries one reconcile's objects between phases.
type integrationScope struct {
	di    *identityv1alpha1.DirectoryIntegration
	orig  *identityv1alpha1.DirectoryIntegration
	key   types.NamespacedName
	state *integrationState

	clients clients
	groups  []identityv1alpha1.ProvisionedGroup
	stalled map[types.NamespacedName]string
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
	r.shared.cache.forget(nn)
	r.shared.metrics.forget(kindIntegration, nn.Namespace, nn.Name)
}

// patchStatus writes the status if it changed, and emits the events of
// its transitions. A merge patch is enough: this controller is the only
// writer of an integration's status.
func (r *DirectoryIntegrationReconciler) patchStatus(ctx context.Context, s *integrationScope) error {
	if equality.Semantic.DeepEqual(s.orig.Status, s.di.Status) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	before := s.orig.Status.DeepCopy()
	if err := r.Status().Patch(ctx, s.di, client.MergeFrom(s.orig)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	for _, e := range integrationEvents(s.di.Spec.DisplayName, before, &s.di.Status) {
		r.event(s.di, e.Warning, e.Reason, e.Action, e.Note)
	}
	s.orig = s.di.DeepCopy()
	return nil
}

func (r *DirectoryIntegrationReconciler) event(obj client.Object, warning bool, reason, action, note string) {
	emit(r.Recorder, obj, warning, reason, action, note)
}

// emit records one event. Notes are built from names, counts and client
// messages that never carry credentials.
func emit(rec events.EventRecorder, obj client.Object, warning bool, reason, action, note string) {
	typ := corev1.EventTypeNormal
	if warning {
		typ = corev1.EventTypeWarning
	}
	rec.Eventf(obj, nil, typ, reason, action, "%s", truncate(note, 1024))
}

func (r *DirectoryIntegrationReconciler) exportMetrics(s *integrationScope) {
	m, st := r.shared.metrics, &s.di.Status
	m.setConditions(kindIntegration, s.di.Namespace, s.di.Name, st.Conditions)
	var held int32
	if st.HeldDeactivations != nil {
		held = st.HeldDeactivations.Count
	}
	m.setHeld(s.di.Namespace, s.di.Name, held)
	if st.Users != nil {
		m.setObjects(s.di.Namespace, s.di.Name, deref(st.Users), deref(st.ActiveUsers), deref(st.Groups), deref(st.TargetGroups))
	}
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

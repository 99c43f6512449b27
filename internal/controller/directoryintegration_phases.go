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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// phase is one step of a reconcile. It records what it found on the
// scope's observation and says whether the later phases run; an error ends
// the reconcile (the status is still written from what was recorded).
type phase func(ctx context.Context, s *integrationScope) (stop bool, err error)

// runPhases runs the phases in order until one stops.
func (r *DirectoryIntegrationReconciler) runPhases(ctx context.Context, s *integrationScope) error {
	for _, p := range []phase{
		r.clientsPhase, r.groupsPhase, r.collectPhase, r.suspendPhase, r.mappingPhase, r.credentialsPhase, r.duplicatesPhase,
		r.feedPhase, r.busyPhase, r.schedulePhase, r.verifyPhase, r.duplicatesPhase, r.submitPhase,
	} {
		if stop, err := p(ctx, s); stop || err != nil {
			return err
		}
	}
	return nil
}

// clientsPhase reads the referenced Secrets and gets the clients from the
// cache. No call leaves the cluster.
func (r *DirectoryIntegrationReconciler) clientsPhase(ctx context.Context, s *integrationScope) (bool, error) {
	cl, err := r.shared.cache.get(ctx, s.di)
	if err != nil {
		return true, err
	}
	s.clients = cl
	s.obs.redact = cl.redact
	s.obs.oktaCredential, s.obs.targetCredential = cl.oktaErr, cl.targetErr
	if s.state.verifiedKey == cl.key {
		s.obs.verification = s.state.verified
	}
	return false, nil
}

// groupsPhase lists the integration's ProvisionedGroups (from the cache,
// through the index) and finds the duplicates among them.
func (r *DirectoryIntegrationReconciler) groupsPhase(ctx context.Context, s *integrationScope) (bool, error) {
	var list identityv1alpha1.ProvisionedGroupList
	if err := r.List(ctx, &list, client.InNamespace(s.di.Namespace), client.MatchingFields{integrationRefIndex: s.di.Name}); err != nil {
		return true, err
	}
	s.groups = list.Items
	s.stalledGroups = duplicateGroups(list.Items)
	return false, nil
}

// collectPhase takes the integration's finished cycle from the pool, if
// any: its result is folded into the status and its groups' push status
// is written.
func (r *DirectoryIntegrationReconciler) collectPhase(ctx context.Context, s *integrationScope) (bool, error) {
	job := r.shared.pool.take(s.key)
	if job == nil {
		if _, busy := r.shared.pool.view(s.key); !busy && cycleShown(&s.di.Status) {
			s.obs.interrupted = true
		}
		return false, nil
	}
	s.obs.finished = job
	log := logf.FromContext(ctx).WithValues("mode", job.cfg.Mode, "trigger", job.trigger)
	if job.cancelled != "" {
		log.Info("cycle cancelled", "reason", job.cancelled)
		return false, nil
	}
	if job.targets != nil {
		r.collectTargeted(ctx, s, job)
		return false, nil
	}
	ok := cycleOK(job)
	if !job.recorded {
		job.recorded = true
		job.nextSync = r.attempted(s, ok, job.finished, job.clientsKey)
		mode := string(job.cfg.Mode)
		if job.result != nil {
			mode = string(job.result.Mode)
		}
		r.shared.metrics.observeCycle(s.di.Namespace, s.di.Name, mode, ok, job.finished.Sub(job.started))
		logCycle(log, job, s.obs.redact)
	}
	s.obs.nextSync = job.nextSync
	if res := job.result; res != nil && (res.TargetAuthErr != nil || res.SourceAuthErr != nil) {
		// The cycle's 401 or 403 is the newer verdict on the credentials.
		s.state.verified, s.obs.verification = nil, nil
	}
	if job.err == nil && job.result != nil {
		s.state.groupsKey = groupsKey(job.cfg.Groups)
		r.reportGroups(ctx, s, job.cfg, job.result, job.finished)
	}
	return false, nil
}

// cycleOK reports whether a cycle completed with working credentials; a
// failure schedules the next attempt after the backoff.
func cycleOK(j *cycleJob) bool {
	return j.err == nil && j.result != nil && j.result.TargetAuthErr == nil && j.result.SourceAuthErr == nil
}

// cycleShown reports whether the status shows a cycle queued or running.
func cycleShown(st *identityv1alpha1.DirectoryIntegrationStatus) bool {
	c := meta.FindStatusCondition(st.Conditions, identityv1alpha1.ConditionReconciling)
	return c != nil && (c.Reason == identityv1alpha1.ReasonCycleRunning || c.Reason == identityv1alpha1.ReasonCycleQueued)
}

// suspendPhase ends the reconcile of a suspended integration: no call to
// Okta or the target, and any queued or running cycle is cancelled.
func (r *DirectoryIntegrationReconciler) suspendPhase(_ context.Context, s *integrationScope) (bool, error) {
	if !s.di.Spec.Suspend {
		return false, nil
	}
	r.shared.pool.cancel(s.key, "spec.suspend is true")
	s.obs.suspended, s.obs.processed, s.obs.clearNextSync = true, true, true
	return true, nil
}

// mappingPhase stops before any external call when an attribute mapping
// expression or the scope does not compile: the schema checks their shape,
// only CEL can check them. Compiled again only when they change.
func (r *DirectoryIntegrationReconciler) mappingPhase(_ context.Context, s *integrationScope) (bool, error) {
	st := s.state
	cfg := provisioning.Config{Profile: buildProfile(s.di), Mapping: mappingConfig(s.di.Spec.AttributeMapping), Scope: s.di.Spec.Scope}
	if key := provisioning.MappingKey(cfg); st.mappingKey != key {
		st.mappingKey, st.mappingErr = key, ""
		if err := provisioning.CompileMapping(cfg); err != nil {
			st.mappingErr = truncate(err.Error(), maxMappingMessage)
		}
	}
	if st.mappingErr == "" {
		return false, nil
	}
	r.shared.pool.cancel(s.key, "the attribute mapping does not compile")
	s.obs.invalidMapping = st.mappingErr
	s.obs.processed, s.obs.clearNextSync = true, true
	return true, nil
}

// maxMappingMessage bounds the compile error shown in conditions.
const maxMappingMessage = 1024

// credentialsPhase stops before any external call when a Secret is
// missing or unusable, or a client setting is invalid. The Secret watch
// brings the integration back when a Secret changes.
func (r *DirectoryIntegrationReconciler) credentialsPhase(_ context.Context, s *integrationScope) (bool, error) {
	if s.obs.oktaCredential == nil && s.obs.targetCredential == nil {
		return false, nil
	}
	r.shared.pool.cancel(s.key, "a Secret or client setting cannot be used")
	s.obs.processed, s.obs.clearNextSync = true, true
	return true, nil
}

// duplicatesPhase stalls an integration whose target and token an older
// integration already uses. Only integrations whose target accepted the
// token take part, so a broken integration never blocks a valid one, and
// the answer never tells more than the target itself would.
func (r *DirectoryIntegrationReconciler) duplicatesPhase(ctx context.Context, s *integrationScope) (bool, error) {
	twin, ok := r.shared.cache.olderTwin(s.key)
	if !ok {
		if !s.decision.Run || time.Since(r.started) >= startupTwinWait {
			return false, nil
		}
		// Right after a restart an older twin may not have been checked
		// yet: wait for it briefly rather than race it.
		pending, err := r.olderTwinPending(ctx, s)
		if pending {
			s.obs.wait = time.Second
		}
		return pending, err
	}
	r.shared.pool.cancel(s.key, "another integration provisions the same target")
	s.obs.duplicateOf = duplicateMessage(s.key, twin)
	s.obs.processed = true
	s.obs.nextSync = s.obs.now.Add(s.obs.interval)
	return true, nil
}

// startupTwinWait is how long after a start an integration waits for older
// integrations of the same target to be checked.
const startupTwinWait = time.Minute

func (r *DirectoryIntegrationReconciler) olderTwinPending(ctx context.Context, s *integrationScope) (bool, error) {
	var all identityv1alpha1.DirectoryIntegrationList
	if err := r.List(ctx, &all); err != nil {
		return false, err
	}
	for i := range all.Items {
		o := &all.Items[i]
		nn := types.NamespacedName{Namespace: o.Namespace, Name: o.Name}
		// Integrations of shards another replica holds never reach this
		// replica's cache, so waiting for them would be in vain.
		if nn != s.key && !o.Spec.Suspend && r.shared.shards.owns(nn) && normalizeURL(o.Spec.Target.URL) == normalizeURL(s.di.Spec.Target.URL) &&
			olderThan(o.CreationTimestamp, nn, s.di.CreationTimestamp, s.key) && r.shared.cache.twinPending(s.key, nn) {
			return true, nil
		}
	}
	return false, nil
}

// duplicateMessage names the twin only when it is in the same namespace:
// one tenant's status must not disclose another's objects.
func duplicateMessage(me, twin types.NamespacedName) string {
	const why = " already provisions this target with the same token; two integrations writing one target would undo each other's changes, so this one makes no changes"
	if twin.Namespace == me.Namespace {
		return "DirectoryIntegration " + twin.Name + why
	}
	return "a DirectoryIntegration in another namespace" + why
}

// busyPhase ends the reconcile while the integration's cycle is queued or
// running; a cycle for an older generation or older clients is cancelled
// (a suspension or deletion cancels it in its own phase).
func (r *DirectoryIntegrationReconciler) busyPhase(_ context.Context, s *integrationScope) (bool, error) {
	v, ok := r.shared.pool.view(s.key)
	if !ok {
		return false, nil
	}
	if v.generation != s.di.Generation || v.clientsKey != s.clients.key {
		r.shared.pool.cancel(s.key, "the spec or a Secret changed while the cycle waited or ran")
	}
	if v.targeted {
		// A targeted cycle is no work towards the spec: it does not show
		// as Reconciling, and a queued one gives way to a due scheduled
		// cycle (which reads after its changes).
		return v.state != jobQueued, nil
	}
	s.obs.job = &v
	return true, nil
}

// schedulePhase decides whether a cycle runs now.
func (r *DirectoryIntegrationReconciler) schedulePhase(ctx context.Context, s *integrationScope) (bool, error) {
	if awaitingResolution(s.groups, s.stalledGroups, s.obs.now) {
		// A group created with (or just after) the integration is looked up
		// in a moment; a cycle now would read an incomplete scope. The
		// credentials are checked meanwhile, once, so bad ones show at once.
		s.obs.waitingForGroups = true
		if s.state.verifiedKey != s.clients.key {
			_, err := r.verifyPhase(ctx, s)
			return true, err
		}
		return true, nil
	}
	st := s.projected()
	d := r.schedule(s, &st)
	s.decision = d
	if d.Run {
		return false, nil
	}
	s.obs.wait = d.RequeueAfter
	if st.NextSyncTime == nil {
		s.obs.nextSync = s.obs.now.Add(d.RequeueAfter)
	}
	return true, nil
}

// submitPhase hands the cycle to the pool. It shows as queued (or running)
// from this status write on; its result is folded in when it ends.
func (r *DirectoryIntegrationReconciler) submitPhase(_ context.Context, s *integrationScope) (bool, error) {
	di, d, st := s.di, s.decision, s.projected()
	ann := di.GetAnnotations()
	approval := ann[identityv1alpha1.ApproveDeactivationsAnnotation]
	if approval == st.LastApprovedPlanID {
		approval = ""
	}
	cfg := buildConfig(di, &st, s.groups, s.stalledGroups, d.Mode, approval)
	cfg.RetryDeferred = d.Trigger == triggerRequested || d.Trigger == triggerFullSync
	job := &cycleJob{
		key: s.key, engine: s.clients.engine, cfg: cfg, long: longCycle(&st, d.Mode), trigger: d.Trigger,
		generation: di.Generation, clientsKey: s.clients.key, approval: approval,
		requested: ann[identityv1alpha1.ReconcileRequestedAtAnnotation], fullSync: ann[identityv1alpha1.FullSyncRequestedAtAnnotation],
	}
	s.state.clientsKey = s.clients.key
	if r.shared.pool.submit(job) {
		if v, ok := r.shared.pool.view(s.key); ok {
			s.obs.job = &v
		}
	}
	return true, nil
}

// longCycle says whether a cycle may run for minutes: a full cycle of an
// integration never synced, or of one with many users.
func longCycle(st *identityv1alpha1.DirectoryIntegrationStatus, mode provisioning.Mode) bool {
	u := st.Users
	return mode == provisioning.ModeFull && (u == nil || u.Managed >= longCycleUsers)
}

// longCycleUsers is the size from which a full cycle counts as long.
const longCycleUsers = 1000

// attempted notes a verification or a finished cycle and returns when the
// next cycle is due: the interval with jitter after a success, the backoff
// after a failure.
func (r *DirectoryIntegrationReconciler) attempted(s *integrationScope, ok bool, end time.Time, clientsKey string) time.Time {
	st := s.state
	if ok {
		st.failures = 0
	} else {
		st.failures++
	}
	st.lastAttempt, st.clientsKey = end, clientsKey
	return nextSync(end, ok, st.failures, syncInterval(s.di), r.opts.MinCycleGap)
}

func newCycleID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

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
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// feedPhase subscribes the integration to its org's change feed (or
// unsubscribes it) and records the feed's state for the status. It never
// stops the reconcile.
func (r *DirectoryIntegrationReconciler) feedPhase(ctx context.Context, s *integrationScope) (bool, error) {
	feed := r.shared.feed
	switch {
	case feed == nil:
		s.obs.feed = &feedView{disabled: true, message: "the manager runs without the change feed (--change-feed=false)"}
		return false, nil
	case s.di.Spec.Okta.ChangeFeed == identityv1alpha1.ChangeFeedDisabled:
		s.obs.feed = &feedView{disabled: true, message: "spec.okta.changeFeed is Disabled"}
		return false, nil
	}
	if st := s.projected(); !conditionTrue(st.Conditions, identityv1alpha1.ConditionOktaVerified) ||
		!conditionTrue(st.Conditions, identityv1alpha1.ConditionTargetVerified) {
		// No targeted cycle may write with credentials an end refused (or
		// not yet accepted).
		s.obs.feed = &feedView{disabled: true, inactive: true, message: "the feed waits until both ends accepted their credentials"}
		return false, nil
	}
	r.shared.pool.checkBase(s.key, s.di.Generation, s.clients.key)
	reg := feedRegistration{orgURL: s.di.Spec.Okta.OrgURL, client: s.clients.okta, engine: s.clients.engine, scope: scopeOf(s)}
	if prev := s.orig.Status.ChangeFeed; prev != nil {
		reg.cursor, _ = time.Parse(time.RFC3339Nano, prev.Cursor)
	}
	if h := s.di.Spec.Okta.EventHook; h != nil && r.opts.Hooks.Enabled() {
		v, err := readSecretKey(ctx, r.shared.cache.reader, s.di.Namespace, h.SecretRef)
		switch {
		case err == nil:
			reg.hook = &hookAuth{header: h.HeaderName, secret: v.data, org: okta.OrgKey(s.di.Spec.Okta.OrgURL)}
		case errors.As(err, new(*credentialError)):
			// Hooks are refused until the Secret is fixed; the feed polls on.
			logf.FromContext(ctx).Info("event hooks are refused: " + err.Error())
		default:
			return true, err
		}
	}
	v := feed.register(s.key, reg)
	s.obs.feed = &v
	return false, nil
}

// scopeOf is what the feed needs to map events to the integration.
func scopeOf(s *integrationScope) feedScope {
	sc := feedScope{groups: map[string]bool{}, people: map[string]bool{}}
	for i := range s.groups {
		if id := s.groups[i].Status.OktaGroupID; id != "" {
			sc.groups[id] = true
		}
	}
	for _, p := range s.di.Spec.Assignments.People {
		sc.people[strings.ToLower(p)] = true
	}
	return sc
}

// collectTargeted records a finished targeted cycle: metrics, the log
// line and the fallback mark when it failed. It never schedules the next cycle:
// scheduled cycles keep their own rhythm.
func (r *DirectoryIntegrationReconciler) collectTargeted(ctx context.Context, s *integrationScope, job *cycleJob) {
	if errors.Is(job.err, provisioning.ErrNoState) {
		// Nothing ran: a full cycle covers the change, soon.
		r.feedBehind(s.key, "a targeted cycle had no views to build on")
		return
	}
	ok := cycleOK(job)
	if !job.recorded {
		job.recorded = true
		r.shared.metrics.observeCycle(s.di.Namespace, s.di.Name, string(provisioning.ModeTargeted), ok, job.finished.Sub(job.started))
		if ok {
			r.shared.metrics.feed.observeLatency(s.di.Namespace, s.di.Name, job.published, job.finished)
		}
		logCycle(logf.FromContext(ctx).WithValues("mode", provisioning.ModeTargeted, "trigger", job.trigger), job, s.obs.redact)
	}
	if res := job.result; res != nil && (res.TargetAuthErr != nil || res.SourceAuthErr != nil) {
		s.state.verified, s.obs.verification = nil, nil
	}
	switch {
	case job.err != nil:
		// What it was to write may not be written: a full cycle reads it all.
		r.feedBehind(s.key, "a targeted cycle failed")
	case job.result != nil && !job.result.SourceComplete:
		r.feedBehind(s.key, "a targeted cycle read Okta incompletely")
	}
	// The groups' push status follows the scheduled cycles: a targeted
	// cycle reads few of them and attempts no retry of a failed push, so
	// its report would tell less than the last scheduled one.
}

func (r *DirectoryIntegrationReconciler) feedBehind(key types.NamespacedName, why string) {
	if r.shared.feed != nil {
		r.shared.feed.fallBehind(key, why)
	}
}

// feedCovered clears the feed's fallback once a scheduled cycle submitted
// after the mark read Okta completely: it read everything the mark was
// for (targeted cycles never advance its watermark). Until then the
// schedule keeps asking for a full cycle, with the failure backoff.
func (r *DirectoryIntegrationReconciler) feedCovered(s *integrationScope) {
	feed := r.shared.feed
	if feed == nil || s.obs.feed == nil {
		return
	}
	if s.obs.feed.behind != "" && s.decision.Run && s.obs.job != nil && !s.obs.job.targeted {
		feed.covering(s.key, s.obs.feed.behindSeq)
	}
	if j := s.obs.finished; j != nil && j.targets == nil && j.err == nil && j.result != nil && j.result.SourceComplete {
		feed.covered(s.key)
	}
}

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
	"sync"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// verifyPhase checks both ends like "Test API Credentials", each under its
// own deadline and at the same time, so a slow Okta never fails a healthy
// target. A failure ends the attempt; the next one waits out the backoff.
func (r *DirectoryIntegrationReconciler) verifyPhase(ctx context.Context, s *integrationScope) (bool, error) {
	v := r.verifyEnds(ctx, s)
	s.obs.verification = &v
	s.state.verified, s.state.verifiedKey = &v, s.clients.key
	if v.okta.ok() && v.target.ok() {
		r.shared.cache.markVerified(s.key, s.clients.key)
		return false, nil
	}
	ann := s.di.GetAnnotations()
	s.obs.handledRequest = ann[identityv1alpha1.ReconcileRequestedAtAnnotation]
	s.obs.handledFullSync = ann[identityv1alpha1.FullSyncRequestedAtAnnotation]
	s.obs.processed = true
	s.obs.nextSync = r.attempted(s, false, s.obs.now, s.clients.key)
	return true, nil
}

func (r *DirectoryIntegrationReconciler) verifyEnds(ctx context.Context, s *integrationScope) verification {
	var v verification
	var wg sync.WaitGroup
	wg.Go(func() { v.okta = r.verifyOkta(ctx, s) })
	target := s.clients.scim
	wg.Go(func() {
		tctx, cancel := context.WithTimeout(ctx, r.opts.VerifyTimeout)
		defer cancel()
		v.target = targetCheck(target.Verify(tctx), s.obs.redact)
	})
	wg.Wait()
	return v
}

// verifyOkta checks Okta; an OAuth app that demands DPoP gets a client with
// DPoP proofs, checked again within the same deadline.
func (r *DirectoryIntegrationReconciler) verifyOkta(ctx context.Context, s *integrationScope) endCheck {
	octx, cancel := context.WithTimeout(ctx, r.opts.VerifyTimeout)
	defer cancel()
	res := s.clients.okta.Verify(octx)
	if res.Reason == check.DPoPRequired {
		if cl, ok := r.shared.cache.switchToDPoP(s.key); ok {
			logf.FromContext(ctx).Info("the Okta service app requires DPoP; using DPoP proofs")
			s.clients = cl
			res = cl.okta.Verify(octx)
		}
	}
	return oktaCheck(res, s.obs.redact)
}

func oktaCheck(res okta.VerifyResult, redact func(string) string) endCheck {
	if res.Reason == check.OK {
		return endCheck{identityv1alpha1.ReasonVerified, "Okta accepted the credentials"}
	}
	return endCheck{verifyReason(res.Reason), redact(res.Message)}
}

func targetCheck(res scim.VerifyResult, redact func(string) string) endCheck {
	if res.Reason == check.OK {
		return endCheck{identityv1alpha1.ReasonVerified, "the SCIM endpoint accepted the token"}
	}
	return endCheck{verifyReason(res.Reason), redact(res.Message)}
}

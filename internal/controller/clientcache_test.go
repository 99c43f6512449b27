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
	"testing"

	"github.com/go-logr/logr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/check"
	"github.com/scimbridge/scimbridge/internal/okta"
)

// A CA bundle the SCIM client rejects blames the Secret (a person fixes its
// data); other construction errors blame the spec.
func TestBuildSCIMClassifiesByTypedError(t *testing.T) {
	c := &clientCache{}
	for _, tc := range []struct {
		name, url string
		in        targetInputs
		want      string
	}{
		{"CA bundle without PEM", "https://x/scim", targetInputs{token: []byte("t"), caBundle: []byte("not pem")}, identityv1alpha1.ReasonInvalidSecret},
		{"bad URL beside a bad bundle", "ftp://x/scim", targetInputs{token: []byte("t"), caBundle: []byte("not pem")}, identityv1alpha1.ReasonInvalidConfig},
		{"bad URL", "ftp://x/scim", targetInputs{token: []byte("t")}, identityv1alpha1.ReasonInvalidConfig},
	} {
		di := &identityv1alpha1.DirectoryIntegration{}
		di.Spec.Target.URL = tc.url
		cl, ce := c.buildSCIM(di, tc.in, nil)
		if cl != nil || ce == nil || ce.Reason != tc.want {
			t.Errorf("%s: client %v, error %+v, want reason %s", tc.name, cl, ce, tc.want)
		}
	}
}

// Every outcome either client reports has its condition reason; anything
// else is unreachable, as before the clients shared one vocabulary.
func TestVerifyReason(t *testing.T) {
	for r, want := range map[check.Reason]string{
		check.OK:              identityv1alpha1.ReasonVerified,
		check.Unauthorized:    identityv1alpha1.ReasonUnauthorized,
		check.Forbidden:       identityv1alpha1.ReasonForbidden,
		check.DPoPRequired:    identityv1alpha1.ReasonDPoPRequired,
		check.TLSError:        identityv1alpha1.ReasonTLSError,
		check.NotSCIMEndpoint: identityv1alpha1.ReasonNotSCIMEndpoint,
		check.Unreachable:     identityv1alpha1.ReasonUnreachable,
		check.Error:           identityv1alpha1.ReasonUnreachable,
	} {
		if got := verifyReason(r); got != want {
			t.Errorf("verifyReason(%s) = %s, want %s", r, got, want)
		}
	}
}

// Integrations that read one org draw on one budget: the cache hands every
// Okta client the manager's registry, so no client paces alone.
func TestBuildOktaSharesTheOrgLimiter(t *testing.T) {
	c := newClientCache(nil, nil, logr.Discard(), Options{}.withDefaults())
	in := oktaInputs{orgURL: "https://example.okta.com", auth: func(bool) (okta.Auth, error) { return okta.SSWS("t"), nil }}
	a, errA := c.buildOkta(&identityv1alpha1.DirectoryIntegration{}, in, false)
	in.orgURL = "https://EXAMPLE.okta.com/"
	b, errB := c.buildOkta(&identityv1alpha1.DirectoryIntegration{}, in, false)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.Limiter() != b.Limiter() {
		t.Error("two clients of one org got two limiters")
	}
	in.orgURL = "https://other.okta.com"
	if o, _ := c.buildOkta(&identityv1alpha1.DirectoryIntegration{}, in, false); o.Limiter() == a.Limiter() {
		t.Error("two orgs share a limiter")
	}
}

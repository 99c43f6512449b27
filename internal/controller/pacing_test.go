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

	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/scim"
)

func TestPacerConfigAndRetention(t *testing.T) {
	d := paceDefaults{mode: identityv1alpha1.PacingAdaptive, ceiling: 200, fixed: 25, inFlight: 8}
	di := &identityv1alpha1.DirectoryIntegration{}
	di.Spec.Target.URL = "https://api.sse.cisco.com/identity/v2/scim"
	if c := pacerConfig(di, d); c.Mode != scim.PacingAdaptive || c.RPS != 200 || c.MaxInFlight != 8 {
		t.Errorf("defaults: %+v", c)
	}
	di.Spec.Target.RateLimit = &identityv1alpha1.TargetRateLimit{Mode: identityv1alpha1.PacingFixed}
	if c := pacerConfig(di, d); c.Mode != scim.PacingFixed || c.RPS != 25 || c.Burst != 25 {
		t.Errorf("Fixed: %+v", c)
	}
	di.Spec.Target.RateLimit = &identityv1alpha1.TargetRateLimit{MaxRequestsPerSecond: ptr.To[int32](40)}
	if c := pacerConfig(di, d); c.Mode != scim.PacingAdaptive || c.RPS != 40 {
		t.Errorf("a ceiling of 40: %+v", c)
	}

	// The pacer outlives a rebuilt client (a rotated token) while the URL
	// stays, and is replaced for another URL.
	e := &clientEntry{}
	e.pace(di, d)
	first := e.pacer
	e.pace(di, d)
	if e.pacer != first {
		t.Error("a reconcile replaced the pacer")
	}
	di.Spec.Target.URL += "/"
	if e.pace(di, d); e.pacer != first {
		t.Error("the same URL with a trailing slash replaced the pacer")
	}
	di.Spec.Target.URL = "https://scim.example.com/v2"
	if e.pace(di, d); e.pacer == first {
		t.Error("another target kept the learned pacing")
	}
}

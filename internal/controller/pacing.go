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
	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// paceDefaults are the manager's pacing flags.
type paceDefaults struct {
	mode identityv1alpha1.PacingMode
	// ceiling bounds Adaptive pacing; fixed is the Fixed rate.
	ceiling, fixed float64
	inFlight       int
}

// pacerConfig is an integration's pacing: its spec's rateLimit over the
// manager's defaults.
func pacerConfig(di *identityv1alpha1.DirectoryIntegration, d paceDefaults) scim.PacerConfig {
	rl := di.Spec.Target.RateLimit
	mode := d.mode
	if rl != nil && rl.Mode != "" {
		mode = rl.Mode
	}
	rps := d.ceiling
	if mode == identityv1alpha1.PacingFixed {
		rps = d.fixed
	}
	if rl != nil && rl.MaxRequestsPerSecond != nil {
		rps = float64(*rl.MaxRequestsPerSecond)
	}
	cfg := scim.PacerConfig{Mode: scim.PacingAdaptive, RPS: rps, MaxInFlight: d.inFlight}
	if mode == identityv1alpha1.PacingFixed {
		cfg.Mode, cfg.Burst = scim.PacingFixed, max(1, int(rps))
	}
	return cfg
}

// pace keeps the entry's pacer in step with the spec: a new one for a new
// target URL, otherwise the same one reconfigured, which keeps what
// Adaptive pacing learned.
func (e *clientEntry) pace(di *identityv1alpha1.DirectoryIntegration, d paceDefaults) {
	cfg := pacerConfig(di, d)
	url := normalizeURL(di.Spec.Target.URL)
	if e.pacer == nil || e.pacerURL != url {
		e.pacer, e.pacerURL = scim.NewPacer(cfg), url
		return
	}
	e.pacer.Configure(cfg)
}

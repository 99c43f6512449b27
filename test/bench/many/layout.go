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

package main

import (
	"cmp"
	"fmt"
	"os"
	"time"

	"github.com/scimbridge/scimbridge/test/bench/benchenv"
)

// settings are the knobs read from the environment.
type settings struct {
	Integrations, Orgs, UsersPerIntegration int
	// OktaRateLimit is each emulator's limit per bucket per minute.
	OktaRateLimit int
	// Manager flags the bench passes through.
	TargetRPS float64
	Cycles    int
	Timeout   int // seconds to wait for all integrations
	// SyncInterval is every integration's spec.syncInterval; SteadySeconds
	// how long the bench watches incremental cycles after all are in sync.
	SyncInterval  time.Duration
	SteadySeconds int
	// MinCycleGap is passed as --min-cycle-gap unless empty.
	MinCycleGap string
	Out         string
}

func readSettings() (settings, error) {
	s := settings{
		Integrations:        benchenv.Int("BENCH_INTEGRATIONS", 50),
		Orgs:                benchenv.Int("BENCH_ORGS", 10),
		UsersPerIntegration: benchenv.Int("BENCH_USERS_PER_INTEGRATION", 2000),
		OktaRateLimit:       benchenv.Int("BENCH_OKTA_RATE_LIMIT", 600),
		TargetRPS:           benchenv.Float("BENCH_TARGET_RPS", 500),
		Cycles:              benchenv.Int("BENCH_MAX_CONCURRENT_CYCLES", 8),
		Timeout:             benchenv.Int("BENCH_TIMEOUT_SECONDS", 1800),
		SteadySeconds:       benchenv.Int("BENCH_STEADY_SECONDS", 150),
		MinCycleGap:         os.Getenv("BENCH_MIN_CYCLE_GAP"),
		Out:                 os.Getenv("BENCH_OUT"),
	}
	interval, err := time.ParseDuration(cmp.Or(os.Getenv("BENCH_SYNC_INTERVAL"), "1m"))
	if err != nil || interval < time.Minute {
		return s, fmt.Errorf("BENCH_SYNC_INTERVAL must be a duration of at least 1m (the API's minimum)")
	}
	s.SyncInterval = interval
	if s.Out == "" {
		s.Out = "bench/results-many.json"
	}
	if s.Integrations < 1 || s.Orgs < 1 || s.UsersPerIntegration < 2 || s.OktaRateLimit < 2 || s.Cycles < 1 {
		return s, fmt.Errorf("BENCH_INTEGRATIONS, BENCH_ORGS, BENCH_MAX_CONCURRENT_CYCLES must be ≥ 1, " +
			"BENCH_USERS_PER_INTEGRATION and BENCH_OKTA_RATE_LIMIT ≥ 2")
	}
	s.Orgs = min(s.Orgs, s.Integrations)
	return s, nil
}

// orgPlan is one Okta org: its users and the integrations that read it.
type orgPlan struct {
	Index int
	Users int
	// Integrations are indexes into the integration plans.
	Integrations []int
}

// integrationPlan is one DirectoryIntegration: its org, and the org users
// (by index) in its Okta group.
type integrationPlan struct {
	Index   int
	Org     int
	Members []int
}

// layout spreads integrations over orgs round-robin. An org read by one
// integration has exactly its users; an org read by p ≥ 2 integrations has
// U = ⌈p·n/2⌉ users and integration j's group is the window of n users
// starting at ⌊j·U/p⌋ (wrapping), so a user belongs to at most two
// integrations' groups (almost every one to two) — the overlap of a company
// provisioning its staff to several tenants.
func layout(integrations, orgs, n int) ([]orgPlan, []integrationPlan) {
	op := make([]orgPlan, orgs)
	ip := make([]integrationPlan, integrations)
	for k := range ip {
		o := k % orgs
		ip[k] = integrationPlan{Index: k, Org: o}
		op[o].Index = o
		op[o].Integrations = append(op[o].Integrations, k)
	}
	for o := range op {
		p := len(op[o].Integrations)
		op[o].Users = n
		if p >= 2 {
			op[o].Users = max(n, (p*n+1)/2)
		}
		for j, k := range op[o].Integrations {
			start := j * op[o].Users / p
			members := make([]int, n)
			for i := range members {
				members[i] = (start + i) % op[o].Users
			}
			ip[k].Members = members
		}
	}
	return op, ip
}

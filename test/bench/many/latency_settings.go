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
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/test/bench/benchenv"
)

// latencySettings are the knobs of the latency phase (BENCH_MODE=latency).
type latencySettings struct {
	// Users are the integration's users (its one pushed group).
	Users int
	// Changes per mode; Gap between two changes.
	Changes int
	Gap     time.Duration
	// Drain is how long the bench waits after a mode's last change
	// before it counts what has not arrived as lost.
	Drain time.Duration
	// SyncInterval is the integration's spec.syncInterval: long, so that
	// what arrives came through the change feed.
	SyncInterval time.Duration
	// Modes are the runs, in order: syslog, hooks, lossy.
	Modes     []string
	OktaLimit int
	TargetRPS float64
	Timeout   time.Duration
	Out       string
}

const (
	modeSyslog = "syslog"
	modeHooks  = "hooks"
	modeLossy  = "lossy"
)

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func readLatencySettings() (latencySettings, error) {
	s := latencySettings{
		Users:     benchenv.Int("BENCH_USERS", 20000),
		Changes:   benchenv.Int("BENCH_CHANGES", 200),
		OktaLimit: benchenv.Int("BENCH_OKTA_RATE_LIMIT", 600),
		TargetRPS: benchenv.Float("BENCH_TARGET_RPS", 500),
		Modes:     splitList(cmp.Or(os.Getenv("BENCH_LATENCY_MODES"), "syslog,hooks,lossy")),
		Out:       cmp.Or(os.Getenv("BENCH_OUT"), "bench/results-latency.json"),
	}
	var err error
	for _, d := range []struct {
		p    *time.Duration
		name string
		def  time.Duration
	}{{&s.Gap, "BENCH_CHANGE_GAP", time.Second}, {&s.Drain, "BENCH_DRAIN", 3 * time.Minute},
		{&s.SyncInterval, "BENCH_SYNC_INTERVAL", time.Hour}, {&s.Timeout, "BENCH_TIMEOUT", 30 * time.Minute}} {
		if *d.p, err = envDuration(d.name, d.def); err != nil {
			return s, err
		}
	}
	if s.Users < 10 || s.Changes < 4 || s.SyncInterval < time.Minute || len(s.Modes) == 0 {
		return s, fmt.Errorf("BENCH_USERS must be ≥ 10, BENCH_CHANGES ≥ 4, BENCH_SYNC_INTERVAL ≥ 1m, BENCH_LATENCY_MODES not empty")
	}
	if s.Users < (len(s.Modes)+1)*s.Changes {
		return s, fmt.Errorf("BENCH_USERS must be at least BENCH_CHANGES × (modes + 1): every change touches a user of its own")
	}
	for _, m := range s.Modes {
		if m != modeSyslog && m != modeHooks && m != modeLossy {
			return s, fmt.Errorf("BENCH_LATENCY_MODES: unknown mode %q (syslog, hooks, lossy)", m)
		}
	}
	return s, nil
}

func splitList(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

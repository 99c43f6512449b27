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
	"time"

	"github.com/scimbridge/scimbridge/internal/provisioning"
)

func TestDecide(t *testing.T) {
	base := scheduleInput{
		Now: t0, SyncInterval: 10 * time.Minute, FullResyncInterval: 24 * time.Hour, MinGap: 30 * time.Second,
		NextSync: t0.Add(5 * time.Minute), LastFullSync: t0.Add(-time.Hour), LastAttempt: t0.Add(-5 * time.Minute),
	}
	tests := []struct {
		name    string
		mutate  func(*scheduleInput)
		run     bool
		trigger string
		mode    provisioning.Mode
		requeue time.Duration
	}{
		{"idle waits for the next sync", nil, false, triggerDue, provisioning.ModeIncremental, 5 * time.Minute},
		{"due runs incremental", func(in *scheduleInput) { in.NextSync = t0 }, true, triggerDue, provisioning.ModeIncremental, 0},
		{"full resync elapsed", func(in *scheduleInput) { in.NextSync = t0; in.LastFullSync = t0.Add(-25 * time.Hour) }, true, triggerDue, provisioning.ModeFull, 0},
		{"never fully synced", func(in *scheduleInput) { in.NextSync = t0; in.LastFullSync = time.Time{} }, true, triggerDue, provisioning.ModeFull, 0},
		{"generation change runs full at once", func(in *scheduleInput) { in.GenerationChanged = true }, true, triggerGeneration, provisioning.ModeFull, 0},
		{"trigger annotation", func(in *scheduleInput) { in.Requested = true }, true, triggerRequested, provisioning.ModeIncremental, 0},
		{"full-sync annotation runs full at once", func(in *scheduleInput) { in.FullRequested = true }, true, triggerFullSync, provisioning.ModeFull, 0},
		{"approval", func(in *scheduleInput) { in.ApprovalPending = true }, true, triggerApproval, provisioning.ModeIncremental, 0},
		{"rotated Secret runs full", func(in *scheduleInput) { in.ClientsChanged = true }, true, triggerClients, provisioning.ModeFull, 0},
		{"groups changed", func(in *scheduleInput) { in.GroupsChanged = true }, true, triggerGroups, provisioning.ModeIncremental, 0},
		{"minimum gap delays a trigger", func(in *scheduleInput) { in.Requested = true; in.LastAttempt = t0.Add(-10 * time.Second) },
			false, triggerRequested, provisioning.ModeIncremental, 20 * time.Second},
		{"failure backoff delays automatic triggers", func(in *scheduleInput) {
			in.GroupsChanged = true
			in.Failures = 3
			in.LastAttempt = t0.Add(-40 * time.Second)
		}, false, triggerGroups, provisioning.ModeIncremental, 80 * time.Second},
		{"first cycle", func(in *scheduleInput) {
			in.NeverSynced = true
			in.NextSync = time.Time{}
			in.LastAttempt = time.Time{}
		},
			true, triggerFirst, provisioning.ModeIncremental, 0},
		{"overdue after restart waits for its spread", func(in *scheduleInput) {
			in.NextSync = t0.Add(-time.Hour)
			in.LastAttempt = time.Time{}
			in.StartupNotBefore = t0.Add(7 * time.Second)
		}, false, triggerDue, provisioning.ModeIncremental, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			if tt.mutate != nil {
				tt.mutate(&in)
			}
			d := decide(in)
			if d.Run != tt.run || d.Trigger != tt.trigger || d.Mode != tt.mode || d.RequeueAfter != tt.requeue {
				t.Errorf("decide() = %+v, want run=%t trigger=%s mode=%s requeue=%s", d, tt.run, tt.trigger, tt.mode, tt.requeue)
			}
		})
	}
}

func TestBackoffAndNextSync(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {10, 10 * time.Minute}} {
		if got := backoff(tt.failures, 30*time.Second, 10*time.Minute); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.failures, got, tt.want)
		}
	}
	for range 50 {
		n := nextSync(t0, true, 0, 10*time.Minute, 30*time.Second)
		if n.Before(t0.Add(10*time.Minute)) || !n.Before(t0.Add(11*time.Minute)) {
			t.Fatalf("nextSync = %s, want within [10m, 11m) of the end", n.Sub(t0))
		}
	}
	if n := nextSync(t0, false, 2, 10*time.Minute, 30*time.Second); n != t0.Add(time.Minute) {
		t.Errorf("nextSync after 2 failures = %s, want 1m", n.Sub(t0))
	}
	if a, b := startupSpread("ns/a", time.Minute), startupSpread("ns/a", time.Minute); a != b || a >= time.Minute {
		t.Errorf("startupSpread not stable or out of range: %s %s", a, b)
	}
}

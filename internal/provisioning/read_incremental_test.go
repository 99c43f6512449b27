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

package provisioning

import (
	"slices"
	"testing"
	"time"
)

func TestStartIncremental(t *testing.T) {
	d := mkDesired()
	d.Complete, d.Errors, d.ReadsOK, d.ReadsFailed = false, []string{"last cycle"}, 3, 1
	for _, key := range []string{"ns/a", "ns/deleted", "ns/blocked", "ns/unresolved", "ns/idle"} {
		d.Groups[key] = &desiredGroup{Config: GroupConfig{Key: key, OktaID: "old"}}
	}
	d.Groups["ns/deleted"].Deleted = true
	cfg := &Config{Groups: []GroupConfig{
		{Key: "ns/a", OktaID: "g1", Assign: true, TargetID: "tg1"},
		{Key: "ns/deleted", OktaID: "g2", Assign: true},
		{Key: "ns/blocked", OktaID: "g3", Assign: true, Blocked: "a duplicate"},
		{Key: "ns/unresolved", Push: true},
		{Key: "ns/idle", OktaID: "g5"},
		// Configured after the last full cycle: that cycle's read is missing.
		{Key: "ns/new", OktaID: "g6", Assign: true},
	}}

	listed := startIncremental(cfg, d)
	var keys []string
	for _, dg := range listed {
		keys = append(keys, dg.Config.Key)
	}
	if !slices.Equal(keys, []string{"ns/a"}) {
		t.Errorf("listed %v, want [ns/a]", keys)
	}
	if got := d.Groups["ns/a"].Config; got.OktaID != "g1" || got.TargetID != "tg1" {
		t.Errorf("ns/a keeps the old configuration: %+v", got)
	}
	// The blocked assigned group makes the new read incomplete; the last
	// cycle's errors and counts are gone.
	if d.Complete || len(d.Errors) != 1 || d.ReadsOK != 0 || d.ReadsFailed != 0 || d.fresh == nil {
		t.Errorf("view not reset for the cycle: complete %v errors %q reads %d/%d", d.Complete, d.Errors, d.ReadsOK, d.ReadsFailed)
	}
}

func TestNextWatermark(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	mark := func(at time.Time, ok bool) func() (time.Time, bool) {
		return func() (time.Time, bool) { return at, ok }
	}
	tests := []struct {
		name          string
		users, groups func() (time.Time, bool)
		want          time.Time
		ok            bool
	}{
		{name: "no groups listed: the users' mark", users: mark(t0, true), want: t0, ok: true},
		{name: "the groups' mark is earlier", users: mark(t0, true), groups: mark(t0.Add(-time.Minute), true), want: t0.Add(-time.Minute), ok: true},
		{name: "the users' mark is earlier", users: mark(t0.Add(-time.Minute), true), groups: mark(t0, true), want: t0.Add(-time.Minute), ok: true},
		{name: "no users' mark", users: mark(t0, false), groups: mark(t0, true)},
		{name: "no groups' mark", users: mark(t0, true), groups: mark(t0, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nextWatermark(tt.users, tt.groups)
			if !got.Equal(tt.want) || ok != tt.ok {
				t.Fatalf("nextWatermark = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

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
	"bytes"
	"strings"
	"testing"
)

// Every planned change, across the modes and the incremental yardstick,
// touches a user of its own: members inside the group, new members outside.
func TestPlanChanges(t *testing.T) {
	for _, tc := range []struct{ modes, n, members int }{{3, 200, 20000}, {3, 20, 2000}, {1, 4, 10}, {3, 8, 32}} {
		seen := map[int]bool{}
		kinds := map[string]int{}
		for m := range tc.modes + 1 {
			for _, c := range planChanges(m, tc.n, tc.members) {
				if seen[c.User] {
					t.Fatalf("%+v: user %d changed twice", tc, c.User)
				}
				seen[c.User] = true
				kinds[c.Kind]++
				inGroup := c.User < tc.members
				if (c.Kind == kindAdd) == inGroup {
					t.Fatalf("%+v: %s on user %d (group of %d)", tc, c.Kind, c.User, tc.members)
				}
				if c.Kind == kindAdd && m < tc.modes && c.User >= tc.members+extrasNeeded(tc.modes, tc.n) {
					t.Fatalf("%+v: new member %d beyond the seeded users", tc, c.User)
				}
			}
		}
		for _, k := range changeKinds {
			if kinds[k] < tc.n/4 {
				t.Fatalf("%+v: %d changes of kind %s", tc, kinds[k], k)
			}
		}
	}
}

func TestLatencyTable(t *testing.T) {
	var b bytes.Buffer
	writeLatencyTable(&b, &latencyResult{Users: 2000, ChangesPerMode: 20, Gap: "1s", LogsLimit: 120, LogsPeakPerMinute: 12,
		Modes: []modeResult{{Mode: modeSyslog, Changes: 20, Arrived: 20, P95: 12}, {Mode: modeHooks, Changes: 20, Arrived: 19, Lost: 1, P95: 2}}})
	out := b.String()
	for _, want := range []string{"syslog", "(≤ 60 s yes)", "(≤ 10 s no)", "1/20", "goal ≤ 10%: yes"} {
		if !strings.Contains(out, want) {
			t.Fatalf("table lacks %q:\n%s", want, out)
		}
	}
}

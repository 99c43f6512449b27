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

	"github.com/scimbridge/scimbridge/internal/scim"
)

func TestRateAfterFirstMinute(t *testing.T) {
	perSecond := make([]int64, 80)
	for i := range perSecond {
		perSecond[i] = 40
	}
	perSecond[70] = 20
	perSecond = append(perSecond, 0, 0)
	if r := rateAfter(perSecond, 60); r == nil || *r != 39 {
		t.Fatalf("rate = %v, want (19×40+20)/20 = 39", r)
	}
	if r := rateAfter(perSecond[:65], 60); r != nil {
		t.Fatalf("5 seconds after the first minute gave %v, want none", *r)
	}
}

func TestPacedMeasuresAndTable(t *testing.T) {
	w := workerResult{WallSeconds: 110, Throttled: 10, TargetRequests: map[string]int64{"users.create": 3990, "users.list": 10},
		Pacing: &scim.PaceStats{RPS: 39.5, Cuts: 4}, WritesPerSecond: make([]int64, 100)}
	for i := range w.WritesPerSecond {
		w.WritesPerSecond[i] = 39
	}
	st := pacedMeasures(w, 40, 4000)
	if st.LimitSeconds != 100 || st.WallRatio != 1.1 || st.ThrottledShare != 0.0025 || st.FinalRPS != 39.5 || st.Cuts != 4 {
		t.Fatalf("measures = %+v", st)
	}
	if st.WriteRate == nil || *st.WriteRate != 39 || *st.WriteShare != 0.975 {
		t.Fatalf("write rate = %v share %v", st.WriteRate, st.WriteShare)
	}
	var buf bytes.Buffer
	rows := []phaseReport{{Phase: "paced-retry-after", WallSeconds: 110, Paced: &st}}
	if err := writePacedTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	writePacedMarkdown(&buf, rows)
	for _, want := range []string{"paced-retry-after", "39.0/s", "98%", "0.25%", "| 1.100 |"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("tables lack %q:\n%s", want, buf.String())
		}
	}
}

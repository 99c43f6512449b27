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
	"math"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// targetStatus is status.target after a cycle: the pacing the engine
// reported, and the Bulk state of the cycle, or the last known one when
// the cycle wrote nothing and did not need to know.
func targetStatus(res *provisioning.Result, prev *identityv1alpha1.TargetStatus, redact func(string) string) *identityv1alpha1.TargetStatus {
	out := &identityv1alpha1.TargetStatus{}
	if prev != nil {
		out.Bulk = prev.Bulk.DeepCopy()
	}
	if p := res.Pacing; p != nil {
		out.Pacing = &identityv1alpha1.TargetPacing{
			Mode:                 identityv1alpha1.PacingMode(p.Mode),
			RequestsPerSecond:    formatRate(p.RPS),
			MaxRequestsPerSecond: clamp32(int(math.Round(p.Ceiling))),
			MaxInFlight:          clamp32(p.InFlight),
			ThrottledRequests:    res.Throttled,
		}
		if !p.LastThrottled.IsZero() {
			t := metav1.NewTime(p.LastThrottled.Truncate(time.Second))
			out.Pacing.LastThrottledTime = &t
		}
	}
	if b := res.Bulk; b.State != "" {
		out.Bulk = &identityv1alpha1.TargetBulk{
			State:          identityv1alpha1.TargetBulkState(b.State),
			MaxOperations:  clamp32(b.MaxOperations),
			MaxPayloadSize: clamp32(b.MaxPayloadSize),
			Requests:       clamp32(b.Requests),
			Message:        truncate(redact(b.Message), maxMessageLen),
		}
	}
	if out.Pacing == nil && out.Bulk == nil {
		return nil
	}
	return out
}

// formatRate renders requests per second for status; 0 means no limit.
func formatRate(rps float64) string {
	if rps <= 0 || math.IsInf(rps, 1) {
		return "unlimited"
	}
	return strconv.FormatFloat(rps, 'f', 1, 64)
}

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
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// status.target comes from the cycle's result: the pacing as reported, the
// Bulk state of a cycle that wrote, and the last Bulk state kept by one
// that did not need to know.
func TestTargetStatus(t *testing.T) {
	throttledAt := t0.Add(-90 * time.Second)
	res := result(func(r *provisioning.Result) {
		r.Pacing = &scim.PaceStats{Mode: scim.PacingAdaptive, RPS: 38.46, Ceiling: 200, InFlight: 3, LastThrottled: throttledAt}
		r.Throttled = 7
		r.Bulk = provisioning.BulkReport{State: provisioning.BulkRejected, MaxOperations: 1000, MaxPayloadSize: 1 << 20,
			Message: "the target advertises Bulk but refused a Bulk request (scim bulk: POST /Bulk: 501 Not Implemented; token s3cret)"}
	})
	o := obsWith(func(o *observation) {
		o.finished = finished(res, nil)
		o.redact = func(s string) string { return strings.ReplaceAll(s, "s3cret", "[redacted]") }
	})
	st := computeStatus(ptr.To(verified()), o)
	got := st.Target.Pacing
	if got == nil || got.Mode != identityv1alpha1.PacingAdaptive || got.RequestsPerSecond != "38.5" || got.MaxRequestsPerSecond != 200 ||
		got.MaxInFlight != 3 || got.ThrottledRequests != 7 || !got.LastThrottledTime.Equal(ptr.To(metav1.NewTime(throttledAt.Truncate(time.Second)))) {
		t.Fatalf("pacing = %+v", got)
	}
	b := st.Target.Bulk
	if b == nil || b.State != identityv1alpha1.TargetBulkRejected || b.MaxOperations != 1000 || strings.Contains(b.Message, "s3cret") ||
		!strings.Contains(b.Message, "501") {
		t.Fatalf("bulk = %+v", b)
	}

	// A cycle that wrote nothing keeps the Bulk state; Fixed pacing shows its rate.
	quiet := result(func(r *provisioning.Result) {
		r.Pacing = &scim.PaceStats{Mode: scim.PacingFixed, RPS: 25, Ceiling: 25, InFlight: 8}
	})
	st = computeStatus(&st, obsWith(func(o *observation) { o.finished = finished(quiet, nil) }))
	if p := st.Target.Pacing; p.Mode != identityv1alpha1.PacingFixed || p.RequestsPerSecond != "25.0" || p.ThrottledRequests != 0 || p.LastThrottledTime != nil {
		t.Errorf("fixed pacing = %+v", p)
	}
	if st.Target.Bulk == nil || st.Target.Bulk.State != identityv1alpha1.TargetBulkRejected {
		t.Errorf("the last Bulk state was dropped: %+v", st.Target.Bulk)
	}
}

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
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// counters is a snapshot of what the bench counts per mode.
type counters struct {
	okta, logs     int64
	target         int
	targetedCycles int64
	hooks          oktaserver.HookStats
	at             time.Time
}

func (e *latencyEnv) snapshot(ctx context.Context) (counters, error) {
	c := counters{target: e.targets[0].server.TotalRequests(), hooks: e.org.server.HookStats(), at: time.Now()}
	for k, v := range e.org.server.Counts() {
		c.okta += v
		if strings.Contains(k.Endpoint, oktaserver.BucketLogs) {
			c.logs += v
		}
	}
	di, err := e.integration(ctx)
	if err != nil {
		return c, err
	}
	if di.Status.ChangeFeed != nil {
		c.targetedCycles = di.Status.ChangeFeed.TargetedCycles
	}
	return c, nil
}

// measure waits for the initial sync, runs every mode, then measures one
// scheduled incremental cycle as today's yardstick.
func (e *latencyEnv) measure(ctx context.Context, s latencySettings) (*latencyResult, error) {
	res := &latencyResult{Users: s.Users, ChangesPerMode: s.Changes, Gap: s.Gap.String(), SyncInterval: s.SyncInterval.String(),
		LogsLimit: latencyLogsLimit, LoadAvgStart: loadAvg()}
	step("applying the DirectoryIntegration (event hook secret set) and its ProvisionedGroup")
	if err := e.apply(ctx, s); err != nil {
		return nil, err
	}
	step("waiting until it is in sync with %d users and its change feed polls", s.Users)
	initial, err := e.waitFeed(ctx, s)
	if err != nil {
		return nil, err
	}
	res.InitialSyncSeconds = initial.Seconds()
	for m, mode := range s.Modes {
		step("mode %s: %d changes, %v apart; load average %s", mode, s.Changes, s.Gap, loadAvg())
		r, err := e.runMode(ctx, s, m, mode)
		if err != nil {
			return nil, err
		}
		step("mode %s: p50 %s, p95 %s, max %s, %d lost", mode, secs(r.P50), secs(r.P95), secs(r.Max), r.Lost)
		res.Modes = append(res.Modes, r)
	}
	e.org.server.StopEventHooks()
	step("one scheduled incremental cycle after a suspension and a removal (today's path)")
	if res.Incremental, err = e.incrementalCost(ctx, s); err != nil {
		return nil, err
	}
	res.LogsPeakPerMinute = e.org.server.PeakRate(oktaserver.BucketLogs)
	res.LoadAvgEnd = loadAvg()
	return res, nil
}

func (e *latencyEnv) setHooks(mode string) error {
	e.org.server.StopEventHooks()
	if mode == modeSyslog {
		return nil
	}
	o := oktaserver.HookOptions{URL: e.hook.url(), Secret: e.hookSecret, OrgURL: e.org.server.URL(), CAPEM: e.hook.caPEM}
	if mode == modeLossy {
		o.LossPercent, o.Reorder = 50, true
	}
	return e.org.server.RegisterEventHook(o)
}

// runMode makes the mode's changes s.Gap apart and times each.
func (e *latencyEnv) runMode(ctx context.Context, s latencySettings, m int, mode string) (modeResult, error) {
	r := modeResult{Mode: mode, Changes: s.Changes}
	if err := e.setHooks(mode); err != nil {
		return r, err
	}
	// The feed settles on the mode (a poll or two) before the changes.
	if err := sleep(ctx, 5*time.Second); err != nil {
		return r, err
	}
	before, err := e.snapshot(ctx)
	if err != nil {
		return r, err
	}
	w := startWatch()
	for i, c := range planChanges(m, s.Changes, s.Users) {
		at := time.Now()
		arrived, err := e.org.apply(c, m*s.Changes+i, e.targets[0].server)
		if err != nil {
			return r, fmt.Errorf("change %d (%s): %w", i, c.Kind, err)
		}
		w.add(at, arrived)
		if err := sleep(ctx, s.Gap); err != nil {
			return r, err
		}
	}
	took, lost := w.finish(ctx, s.Drain)
	after, err := e.snapshot(ctx)
	if err != nil {
		return r, err
	}
	r.fill(took, lost, before, after)
	return r, nil
}

func (r *modeResult) fill(took []time.Duration, lost int, before, after counters) {
	secsOf := make([]float64, len(took))
	for i, d := range took {
		secsOf[i] = d.Seconds()
	}
	slices.Sort(secsOf)
	r.Lost, r.Arrived = lost, len(took)
	if len(secsOf) > 0 {
		r.P50, r.P95, r.Max = percentile(secsOf, 0.5), percentile(secsOf, 0.95), secsOf[len(secsOf)-1]
	}
	n := float64(r.Changes)
	r.Seconds = after.at.Sub(before.at).Seconds()
	r.OktaRequests, r.LogRequests = after.okta-before.okta, after.logs-before.logs
	r.OktaPerChange = float64(r.OktaRequests) / n
	r.OktaReadsPerChange = float64(r.OktaRequests-r.LogRequests) / n
	r.LogsPerMinute = float64(r.LogRequests) / (r.Seconds / 60)
	r.TargetRequests = after.target - before.target
	r.TargetPerChange = float64(r.TargetRequests) / n
	r.TargetedCycles = after.targetedCycles - before.targetedCycles
	r.HooksDelivered = after.hooks.Delivered - before.hooks.Delivered
	r.HooksDropped = after.hooks.Dropped - before.hooks.Dropped
	r.LoadAvg = loadAvg()
}

// incrementalCost makes two changes the feed also sees, asks for a cycle
// at once (a queued scheduled cycle takes the feed's targets in) and
// counts the Okta requests, System Log polls apart, until it is recorded.
func (e *latencyEnv) incrementalCost(ctx context.Context, s latencySettings) (incrementalResult, error) {
	var r incrementalResult
	di, err := e.integration(ctx)
	if err != nil {
		return r, err
	}
	last := di.Status.LastSyncTime
	before, err := e.snapshot(ctx)
	if err != nil {
		return r, err
	}
	// As one more mode's first changes: users no mode touched.
	plan := planChanges(len(s.Modes), s.Changes, s.Users)
	for _, c := range []changeSpec{plan[0], plan[2]} {
		if _, err := e.org.apply(c, 0, e.targets[0].server); err != nil {
			return r, err
		}
	}
	patch := client.MergeFrom(di.DeepCopy())
	di.Annotations = map[string]string{identityv1alpha1.ReconcileRequestedAtAnnotation: time.Now().Format(time.RFC3339Nano)}
	if err := e.cp.Client.Patch(ctx, di, patch); err != nil {
		return r, err
	}
	if err := e.waitSynced(ctx, last); err != nil {
		return r, err
	}
	after, err := e.snapshot(ctx)
	if err != nil {
		return r, err
	}
	r.OktaRequests = after.okta - before.okta - (after.logs - before.logs)
	r.PerChange = float64(r.OktaRequests) / 2
	r.TargetRequests = after.target - before.target
	return r, nil
}

// waitSynced waits until status.lastSyncTime moves past last.
func (e *latencyEnv) waitSynced(ctx context.Context, last *metav1.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for {
		di, err := e.integration(ctx)
		if err == nil && di.Status.LastSyncTime != nil && (last == nil || di.Status.LastSyncTime.After(last.Time)) {
			return nil
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the scheduled cycle: %w", err)
		}
	}
}

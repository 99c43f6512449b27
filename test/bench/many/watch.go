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
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// done reports whether an integration is Ready and Synced with all n
// users in scope in sync (usersSummary "n/n").
func done(di *identityv1alpha1.DirectoryIntegration, n int32) bool {
	for _, t := range []string{identityv1alpha1.ConditionReady, identityv1alpha1.ConditionSynced} {
		if !meta.IsStatusConditionTrue(di.Status.Conditions, t) {
			return false
		}
	}
	u := di.Status.Users
	return u != nil && u.InScope == n && u.Synced == n
}

// waitAll lists the integrations every 500 ms and returns, per name, the
// time from start until it was first seen done.
func waitAll(ctx context.Context, c client.Client, count int, n int32, start time.Time) (map[string]time.Duration, error) {
	ready := map[string]time.Duration{}
	last := time.Now()
	for len(ready) < count {
		var list identityv1alpha1.DirectoryIntegrationList
		if err := c.List(ctx, &list, client.InNamespace(namespace)); err == nil {
			for i := range list.Items {
				di := &list.Items[i]
				if _, seen := ready[di.Name]; !seen && done(di, n) {
					ready[di.Name] = time.Since(start)
				}
			}
			if time.Since(last) > 15*time.Second {
				last = time.Now()
				fmt.Printf("    %3.0fs: %d/%d integrations in sync; %s\n", time.Since(start).Seconds(), len(ready), count, pending(list.Items, ready))
			}
		}
		select {
		case <-ctx.Done():
			return ready, fmt.Errorf("%d of %d integrations in sync: %w", len(ready), count, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
	return ready, nil
}

// pending describes one integration not yet done, for progress lines.
func pending(items []identityv1alpha1.DirectoryIntegration, ready map[string]time.Duration) string {
	for i := range items {
		di := &items[i]
		if _, ok := ready[di.Name]; ok {
			continue
		}
		c := meta.FindStatusCondition(di.Status.Conditions, identityv1alpha1.ConditionReady)
		if c == nil {
			return di.Name + ": no Ready yet"
		}
		return fmt.Sprintf("%s: Ready=%s %s, users %s", di.Name, c.Status, c.Reason, di.Status.UsersSummary)
	}
	return ""
}

// rssSampler samples a process's VmRSS until stopped; VmHWM at the end is
// the kernel's own peak.
type rssSampler struct {
	pid  int
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak uint64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{})}
	s.wg.Go(func() {
		for {
			if v, err := procStatus(pid, "VmRSS"); err == nil {
				s.mu.Lock()
				s.peak = max(s.peak, v)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	})
	return s
}

// finish stops sampling and returns the peak: VmHWM when readable (fromHWM
// true), else the largest sample.
func (s *rssSampler) finish() (peak uint64, fromHWM bool) {
	close(s.stop)
	s.wg.Wait()
	if v, err := procStatus(s.pid, "VmHWM"); err == nil {
		return v, true
	}
	return s.peak, false
}

// procStatus reads a kB field of /proc/<pid>/status, in bytes.
func procStatus(pid int, field string) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return statusField(string(data), field)
}

func statusField(status, field string) (uint64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// cpuSeconds is the process's user + system time from /proc/<pid>/stat.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	_, rest, _ := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // USER_HZ is 100 on Linux
}

// queueWait scrapes the manager's queue-wait histogram, by cycle mode.
func queueWait(ctx context.Context, metricsAddr string) (map[string]histogram, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+metricsAddr+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseHistograms(io.LimitReader(resp.Body, 64<<20), "scimbridge_cycle_queue_wait_seconds", "mode")
}

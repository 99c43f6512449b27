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
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// The engine runs in a child process of its own ("bench -worker") so its
// heap and RSS are not mixed with the harness's model, the replay or the
// servers. The harness talks to it with one JSON object per line.

// workerInit is the first message: where to connect and how.
type workerInit struct {
	OktaURL, OktaToken, SCIMURL, SCIMToken string
	Tuning                                 tuning
	// ProfileDir, when set, receives cpu-<phase>.pprof and
	// allocs-<phase>.pprof for every cycle.
	ProfileDir string
	// MemoryLimitMiB, when set, is the container memory limit the engine
	// process behaves as if it ran under.
	MemoryLimitMiB int
}

// tuning is shared by the engine and the replay so both run with the same
// concurrency and client settings.
type tuning struct {
	WriteConcurrency int     `json:"write_concurrency"`
	ReadConcurrency  int     `json:"read_concurrency"`
	SCIMConcurrency  int     `json:"scim_max_concurrency"`
	SCIMRPS          float64 `json:"scim_rps"` // negative: client limiter off
	OktaConcurrency  int     `json:"okta_concurrency"`
	// SCIMAdaptive paces the SCIM client adaptively with SCIMRPS as the
	// ceiling, as the manager does by default.
	SCIMAdaptive bool `json:"scim_adaptive,omitempty"`
}

func (t tuning) scimOptions(acct *httpx.Accounting) scim.Options {
	o := scim.Options{RPS: t.SCIMRPS, MaxConcurrency: t.SCIMConcurrency, Accounting: acct}
	if t.SCIMAdaptive {
		o.Pacer = scim.NewPacer(scim.PacerConfig{Mode: scim.PacingAdaptive, RPS: t.SCIMRPS, MaxInFlight: t.SCIMConcurrency})
	}
	return o
}

// oktaOptions gives the bench's Okta clients a limiter registry of their
// own, with the defaults but the bench's concurrency: the engine and the
// replay must not share budgets.
func (t tuning) oktaOptions(acct *httpx.Accounting) okta.Options {
	return okta.Options{Accounting: acct, Limiters: okta.NewLimiters(okta.LimiterOptions{Concurrency: t.OktaConcurrency})}
}

// workerRequest asks for one cycle.
type workerRequest struct {
	Phase  string
	Config provisioning.Config
}

// groupOut is what the controller would store in a ProvisionedGroup's status.
type groupOut struct {
	TargetID      string `json:"target_id"`
	PushedMembers int    `json:"pushed_members"`
	RemovalsHeld  int    `json:"removals_held,omitempty"`
	Err           string `json:"err,omitempty"`
}

// workerResult is one cycle as measured inside the engine process.
type workerResult struct {
	Err            string               `json:"err,omitempty"`
	Mode           string               `json:"mode"`
	WallSeconds    float64              `json:"wall_seconds"`
	CPUSeconds     float64              `json:"cpu_seconds"`
	Counts         provisioning.Counts  `json:"counts"`
	Held           int                  `json:"held"`
	SourceComplete bool                 `json:"source_complete"`
	Failures       []string             `json:"failures,omitempty"`
	OktaRequests   map[string]int64     `json:"okta_requests"`
	TargetRequests map[string]int64     `json:"target_requests"`
	TargetWrites   int64                `json:"target_writes"`
	PeakHeap       uint64               `json:"peak_heap_bytes"`
	PeakRSS        uint64               `json:"peak_rss_bytes"`
	RSSResetOK     bool                 `json:"rss_reset_ok"`
	Groups         map[string]groupOut  `json:"groups"`
	Engine         *provisioning.Result `json:"-"`
	// WritesPerSecond counts the target writes answered 2xx in each second
	// of the cycle; Throttled the 429 and 503 answers.
	WritesPerSecond []int64                 `json:"writes_per_second,omitempty"`
	Throttled       int64                   `json:"throttled"`
	Pacing          *scim.PaceStats         `json:"pacing,omitempty"`
	Bulk            provisioning.BulkReport `json:"bulk"`
}

// timeline counts successful target writes per second of a cycle, from
// the client's observer.
type timeline struct {
	mu      sync.Mutex
	start   time.Time
	buckets []int64
}

func (tl *timeline) reset() {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.start, tl.buckets = time.Now(), nil
}

func (tl *timeline) observe(k httpx.RequestKey, _ time.Duration) {
	if k.Method == http.MethodGet || !strings.HasPrefix(k.Outcome, "2") {
		return
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	i := int(time.Since(tl.start) / time.Second)
	for len(tl.buckets) <= i {
		tl.buckets = append(tl.buckets, 0)
	}
	tl.buckets[i]++
}

func (tl *timeline) take() []int64 {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return slices.Clone(tl.buckets)
}

// runWorker is the engine process's main loop.
func runWorker(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(bufio.NewReader(in))
	enc := json.NewEncoder(out)
	var init workerInit
	if err := dec.Decode(&init); err != nil {
		return fmt.Errorf("worker init: %w", err)
	}
	if init.MemoryLimitMiB > 0 {
		// As the manager sets it in a container with this limit
		// (--memory-limit-ratio, default 0.9).
		debug.SetMemoryLimit(int64(0.9 * float64(init.MemoryLimitMiB) * (1 << 20)))
	}
	oktaAcct, scimAcct := &httpx.Accounting{}, &httpx.Accounting{}
	oc, err := okta.New(init.OktaURL, okta.SSWS(init.OktaToken), init.Tuning.oktaOptions(oktaAcct))
	if err != nil {
		return err
	}
	tl := &timeline{}
	so := init.Tuning.scimOptions(scimAcct)
	so.Observer = tl.observe
	sc, err := scim.New(init.SCIMURL, init.SCIMToken, so)
	if err != nil {
		return err
	}
	eng := provisioning.New(provisioning.OktaSource{Client: oc}, sc, provisioning.Options{
		WriteConcurrency: init.Tuning.WriteConcurrency, ReadConcurrency: init.Tuning.ReadConcurrency,
	})
	if err := enc.Encode(map[string]bool{"ready": true}); err != nil {
		return err
	}
	for {
		var req workerRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		stopProfile := startProfile(init.ProfileDir, req.Phase)
		tl.reset()
		res := measureCycle(eng, req.Config, oktaAcct, scimAcct, newHeapPeakProfiler(init.ProfileDir, req.Phase))
		res.WritesPerSecond = tl.take()
		stopProfile()
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
}

// cycleTimeout bounds one engine cycle; a 100k initial sync takes minutes.
const cycleTimeout = 30 * time.Minute

// measureCycle runs one cycle with memory sampling and request accounting.
func measureCycle(eng *provisioning.Engine, cfg provisioning.Config, oktaAcct, scimAcct *httpx.Accounting, peaks *heapPeakProfiler) workerResult {
	// Start each phase from a clean slate: garbage of the previous phase
	// and pages the runtime kept must not count as this phase's peak.
	runtime.GC()
	debug.FreeOSMemory()
	resetOK := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	oktaBefore, scimBefore := oktaAcct.Snapshot(), scimAcct.Snapshot()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peakHeap, peakRSS uint64
	wg.Go(func() { peakHeap, peakRSS = sampleMemory(stop, peaks) })

	ctx, cancel := context.WithTimeout(context.Background(), cycleTimeout)
	cpuBefore := cpuTime()
	start := time.Now()
	r, err := eng.Run(ctx, cfg)
	wall := time.Since(start)
	cpu := cpuTime() - cpuBefore
	cancel()
	close(stop)
	wg.Wait()

	res := workerResult{WallSeconds: wall.Seconds(), CPUSeconds: cpu.Seconds(), PeakHeap: peakHeap, RSSResetOK: resetOK, Engine: r}
	if hwm := procStatusBytes("VmHWM"); resetOK && hwm > 0 {
		res.PeakRSS = hwm
	} else {
		res.PeakRSS = peakRSS
	}
	if err != nil {
		res.Err = err.Error()
	}
	res.OktaRequests = kindDelta(oktaBefore, oktaAcct.Snapshot())
	targetDelta := keyDelta(scimBefore, scimAcct.Snapshot())
	res.TargetRequests = map[string]int64{}
	for k, n := range targetDelta {
		res.TargetRequests[k.Kind] += n
		if k.Method != http.MethodGet {
			res.TargetWrites += n
		}
	}
	if r != nil {
		res.Mode = string(r.Mode)
		res.Counts = r.Counts
		res.Throttled, res.Pacing, res.Bulk = r.Throttled, r.Pacing, r.Bulk
		res.SourceComplete = r.SourceComplete
		if r.Held != nil {
			res.Held = len(r.Held.Changes)
		}
		for _, f := range r.Failures {
			if len(res.Failures) < 10 {
				res.Failures = append(res.Failures, fmt.Sprintf("%s %s %s: %v", f.Action, f.Kind, f.Name, f.Err))
			}
		}
		res.Groups = map[string]groupOut{}
		for k, g := range r.Groups {
			o := groupOut{TargetID: g.TargetID, PushedMembers: g.PushedMembers, RemovalsHeld: g.RemovalsHeld}
			if g.Err != nil {
				o.Err = g.Err.Error()
			}
			res.Groups[k] = o
		}
	}
	return res
}

// sampleMemory records the peak of live heap objects and of RSS until stop
// closes. 5 ms is fine enough for cycles lasting seconds.
func sampleMemory(stop <-chan struct{}, peaks *heapPeakProfiler) (peakHeap, peakRSS uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	n := 0
	for {
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			peakHeap = max(peakHeap, s[0].Value.Uint64())
			peaks.observe(peakHeap)
		}
		// RSS only as a fallback when VmHWM cannot be reset; read it less often.
		if n%10 == 0 {
			peakRSS = max(peakRSS, procStatusBytes("VmRSS"))
		}
		n++
		select {
		case <-stop:
			metrics.Read(s)
			peakHeap = max(peakHeap, s[0].Value.Uint64())
			return peakHeap, max(peakRSS, procStatusBytes("VmRSS"))
		case <-t.C:
		}
	}
}

// cpuTime is the process's user plus system CPU time: unlike wall time it
// hardly depends on what else the shared machine is doing.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatusBytes reads a "kB" field of /proc/self/status.
func procStatusBytes(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	return parseStatusField(string(data), field)
}

func parseStatusField(status, field string) uint64 {
	for line := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0
		}
		n, _ := strconv.ParseUint(f[0], 10, 64)
		return n * 1024
	}
	return 0
}

// keyDelta subtracts two accounting snapshots.
func keyDelta(before, after map[httpx.RequestKey]int64) map[httpx.RequestKey]int64 {
	out := map[httpx.RequestKey]int64{}
	for k, n := range after {
		if d := n - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// kindDelta is keyDelta summed by request kind.
func kindDelta(before, after map[httpx.RequestKey]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range keyDelta(before, after) {
		out[k.Kind] += n
	}
	return out
}

// startProfile starts a CPU profile of one cycle and returns the function
// that stops it and writes the allocation profile and, after a collection,
// the live heap (what the engine keeps between cycles) next to it.
func startProfile(dir, phase string) func() {
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, "cpu-"+phase+".pprof"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench worker: profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		_ = writeProfile(filepath.Join(dir, "allocs-"+phase+".pprof"), "allocs")
		runtime.GC()
		_ = writeProfile(filepath.Join(dir, "heap-"+phase+".pprof"), "heap")
	}
}

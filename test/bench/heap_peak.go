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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
)

// heapPeakProfiler writes heap-peak-<phase>.pprof whenever the live heap
// reaches a new peak: the heap profile at the end of a phase shows what
// survives the cycle, not what made its peak. A new file is written only
// after a collection since the last one (the profile's in-use figures are
// as of the last collection) and once the peak grew by a tenth.
type heapPeakProfiler struct {
	path     string
	written  uint64
	gcCycles uint64
	sample   []metrics.Sample
}

func newHeapPeakProfiler(dir, phase string) *heapPeakProfiler {
	if dir == "" {
		return nil
	}
	return &heapPeakProfiler{
		path:   filepath.Join(dir, "heap-peak-"+phase+".pprof"),
		sample: []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}},
	}
}

func (p *heapPeakProfiler) observe(heap uint64) {
	if p == nil || heap < p.written+p.written/10 {
		return
	}
	metrics.Read(p.sample)
	cycles := p.sample[0].Value.Uint64()
	if cycles == p.gcCycles {
		return
	}
	if err := writeProfile(p.path, "heap"); err != nil {
		fmt.Fprintln(os.Stderr, "bench worker: heap profile:", err)
		p.written = ^uint64(0) >> 1 // no further attempts
		return
	}
	p.written, p.gcCycles = heap, cycles
}

// writeProfile writes the runtime profile named kind to path.
func writeProfile(path, kind string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = pprof.Lookup(kind).WriteTo(f, 0)
	return errors.Join(err, f.Close())
}

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

// Package memlimit sets the Go runtime's soft memory limit from the
// container's cgroup memory limit, so the collector works harder as the
// process nears its limit instead of letting the heap double and the
// kernel kill it.
package memlimit

import (
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The cgroup v2 and v1 files that hold the container's memory limit.
var limitFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// unlimitedV1 is the smallest value cgroup v1 reports for "no limit"
// (it reports the largest page-aligned int64).
const unlimitedV1 = 1 << 62

// FromCgroup sets the runtime's memory limit to ratio of the container's
// and returns it. It leaves the runtime alone, returning 0, when GOMEMLIMIT
// is set (the operator chose), ratio is not in (0, 1], or there is no limit.
func FromCgroup(ratio float64) (int64, error) {
	if os.Getenv("GOMEMLIMIT") != "" || ratio <= 0 || ratio > 1 {
		return 0, nil
	}
	limit, err := containerLimit(limitFiles)
	if err != nil || limit == 0 {
		return 0, err
	}
	l := int64(float64(limit) * ratio)
	debug.SetMemoryLimit(l)
	return l, nil
}

// containerLimit reads the first limit file that exists; 0 means none.
func containerLimit(files []string) (int64, error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return parseLimit(string(b))
	}
	return 0, nil
}

func parseLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n <= 0 || n >= unlimitedV1 {
		return 0, nil
	}
	return n, nil
}

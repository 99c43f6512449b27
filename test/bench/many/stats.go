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
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// histogram is a Prometheus histogram's cumulative buckets, summed over series.
type histogram struct {
	Bounds []float64 // upper bounds, ascending, +Inf last
	Counts []float64 // cumulative counts per bound
}

// parseHistograms reads the _bucket series of the named histogram in a
// Prometheus text exposition and sums them by the value of label (every
// series under "" when label is empty).
func parseHistograms(r io.Reader, name, label string) (map[string]histogram, error) {
	byKey := map[string]map[float64]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prefix := name + "_bucket{"
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		labels, value, ok := strings.Cut(line[len(prefix):], "} ")
		if !ok {
			continue
		}
		bound, err1 := strconv.ParseFloat(labelValue(labels, "le"), 64)
		count, err2 := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		key := ""
		if label != "" {
			key = labelValue(labels, label)
		}
		if byKey[key] == nil {
			byKey[key] = map[float64]float64{}
		}
		byKey[key][bound] += count
	}
	out := map[string]histogram{}
	for key, byBound := range byKey {
		var h histogram
		for b := range byBound {
			h.Bounds = append(h.Bounds, b)
		}
		slices.Sort(h.Bounds)
		for _, b := range h.Bounds {
			h.Counts = append(h.Counts, byBound[b])
		}
		out[key] = h
	}
	return out, sc.Err()
}

func labelValue(labels, key string) string {
	for part := range strings.SplitSeq(labels, ",") {
		if v, ok := strings.CutPrefix(part, key+"="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// total is the number of observations.
func (h histogram) total() float64 {
	if len(h.Counts) == 0 {
		return 0
	}
	return h.Counts[len(h.Counts)-1]
}

// quantile interpolates linearly within the bucket that holds rank q, as
// PromQL's histogram_quantile does; a rank in the +Inf bucket reports the
// highest finite bound. NaN without observations.
func (h histogram) quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return math.NaN()
	}
	rank := q * n
	lower, below := 0.0, 0.0
	for i, b := range h.Bounds {
		if h.Counts[i] >= rank {
			if math.IsInf(b, 1) {
				return lower
			}
			in := h.Counts[i] - below
			if in == 0 {
				return b
			}
			return lower + (b-lower)*(rank-below)/in
		}
		lower, below = b, h.Counts[i]
	}
	return lower
}

// orgBudget is the manager's per-bucket share of an org's limit, computed
// as internal/okta's OrgLimiter does.
func orgBudget(limit int, share float64) int { return max(1, int(float64(limit)*share)) }

// percentile of sorted values, nearest rank.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

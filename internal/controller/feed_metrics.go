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
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// feedMetrics are the change feed's collectors. The hook counter has no
// integration label: a forged request names whatever path it likes.
type feedMetrics struct {
	lag     *prometheus.GaugeVec
	events  *prometheus.CounterVec
	hooks   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newFeedMetrics() feedMetrics {
	integration := []string{"namespace", "integration"}
	return feedMetrics{
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_change_feed_lag_seconds",
			Help: "Age of the oldest System Log event the feed may not have read yet: the time since its last complete poll.",
		}, integration),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_change_feed_events_total",
			Help: "System Log events that concerned the integration, by what became of them (targeted, covered: a scheduled cycle reads after them, ignored: nothing the engine knows).",
		}, append(integration, "result")),
		hooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_event_hooks_total",
			Help: "Okta Event Hook requests by result (accepted, verified, duplicate, ignored, unauthorized, rejected, throttled).",
		}, []string{"result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimbridge_change_to_target_seconds",
			Help:    "Time from a change's publication in Okta's System Log to the end of the targeted cycle that wrote it.",
			Buckets: []float64{1, 2, 5, 10, 20, 30, 60, 120, 300, 600},
		}, integration),
	}
}

func (m feedMetrics) register(r prometheus.Registerer) {
	r.MustRegister(m.lag, m.events, m.hooks, m.latency)
}

// observeLatency records each event's time to the target.
func (m feedMetrics) observeLatency(ns, name string, published []time.Time, end time.Time) {
	for _, p := range published {
		m.latency.WithLabelValues(ns, name).Observe(max(0, end.Sub(p).Seconds()))
	}
}

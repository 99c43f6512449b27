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

package sharding

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

type metrics struct {
	held         prometheus.Gauge
	replicas     prometheus.Gauge
	acquisitions prometheus.Counter
	losses       *prometheus.CounterVec
}

var (
	metricsOnce sync.Once
	registered  *metrics
)

// sharedMetrics registers the collectors once per process on
// controller-runtime's registry (the manager's metrics endpoint).
func sharedMetrics() *metrics {
	metricsOnce.Do(func() {
		registered = &metrics{
			held: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "scimbridge_shards_held",
				Help: "Shard leases this replica holds now.",
			}),
			replicas: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "scimbridge_shard_replicas",
				Help: "Live replicas this replica counts (itself included); each aims to hold shards/replicas, rounded up.",
			}),
			acquisitions: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "scimbridge_shard_acquisitions_total",
				Help: "Shard leases this replica acquired.",
			}),
			losses: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "scimbridge_shard_losses_total",
				Help: "Shard tenures that ended, by reason: expired (not renewed before the renew deadline), taken, released (balance), shutdown.",
			}, []string{"reason"}),
		}
		crmetrics.Registry.MustRegister(registered.held, registered.replicas, registered.acquisitions, registered.losses)
	})
	return registered
}

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
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/scimbridge/scimbridge/internal/httpx"
)

// tooManyRequests is the outcome the clients record for a 429.
var tooManyRequests = strconv.Itoa(http.StatusTooManyRequests)

const (
	apiOkta = "okta"
	apiSCIM = "scim"
)

// metricsRecorder owns the operator's Prometheus collectors. Labels carry
// names, kinds, methods and status codes only: never URLs, queries or tokens.
type metricsRecorder struct {
	cycleDuration  *prometheus.HistogramVec
	lastSuccess    *prometheus.GaugeVec
	objects        *prometheus.GaugeVec
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	throttled      *prometheus.CounterVec
	held           *prometheus.GaugeVec
	conditions     *prometheus.GaugeVec
}

var (
	metricsOnce     sync.Once
	defaultRecorder *metricsRecorder
)

// sharedMetrics returns the recorder registered on controller-runtime's
// registry (served on the manager's metrics endpoint). Registration happens
// once per process, as tests start several managers.
func sharedMetrics() *metricsRecorder {
	metricsOnce.Do(func() {
		defaultRecorder = newMetricsRecorder()
		defaultRecorder.register(metrics.Registry)
	})
	return defaultRecorder
}

func newMetricsRecorder() *metricsRecorder {
	integration := []string{"namespace", "integration"}
	return &metricsRecorder{
		cycleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimbridge_cycle_duration_seconds",
			Help:    "Duration of provisioning cycles by mode and result.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600},
		}, append(integration, "mode", "result")),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_last_successful_sync_timestamp_seconds",
			Help: "Unix time of the last cycle that completed.",
		}, integration),
		objects: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_target_objects",
			Help: "Objects in the target by kind and state (users: managed, active; groups: pushed, total).",
		}, append(integration, "kind", "state")),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_requests_total",
			Help: "HTTP requests to Okta and the SCIM target by API, operation, method and status code.",
		}, append(integration, "api", "operation", "method", "code")),
		requestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimbridge_request_duration_seconds",
			Help:    "Duration of HTTP requests to Okta and the SCIM target.",
			Buckets: prometheus.DefBuckets,
		}, []string{"api", "method"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_throttled_requests_total",
			Help: "Requests answered 429 (rate limited); the clients waited and retried.",
		}, append(integration, "api")),
		held: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_held_deactivations",
			Help: "Changes held for approval by the safety thresholds.",
		}, integration),
		conditions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_condition",
			Help: "Conditions of scimbridge objects: 1 for the current status of each type.",
		}, []string{"kind", "namespace", "name", "type", "status"}),
	}
}

func (m *metricsRecorder) register(r prometheus.Registerer) {
	r.MustRegister(m.cycleDuration, m.lastSuccess, m.objects, m.requests, m.requestLatency, m.throttled, m.held, m.conditions)
}

// observer returns the clients' per-request hook for one integration.
func (m *metricsRecorder) observer(ns, name, api string) func(httpx.RequestKey, time.Duration) {
	return func(k httpx.RequestKey, d time.Duration) {
		m.requests.WithLabelValues(ns, name, api, k.Kind, k.Method, k.Outcome).Inc()
		m.requestLatency.WithLabelValues(api, k.Method).Observe(d.Seconds())
		if k.Outcome == tooManyRequests {
			m.throttled.WithLabelValues(ns, name, api).Inc()
		}
	}
}

func (m *metricsRecorder) observeCycle(ns, name, mode string, ok bool, d time.Duration, finished time.Time) {
	result := "success"
	if !ok {
		result = "failure"
	}
	m.cycleDuration.WithLabelValues(ns, name, mode, result).Observe(d.Seconds())
	if ok {
		m.lastSuccess.WithLabelValues(ns, name).Set(float64(finished.Unix()))
	}
}

func (m *metricsRecorder) setObjects(ns, name string, managed, active, pushed, total int32) {
	m.objects.WithLabelValues(ns, name, "user", "managed").Set(float64(managed))
	m.objects.WithLabelValues(ns, name, "user", "active").Set(float64(active))
	m.objects.WithLabelValues(ns, name, "group", "pushed").Set(float64(pushed))
	m.objects.WithLabelValues(ns, name, "group", "total").Set(float64(total))
}

func (m *metricsRecorder) setHeld(ns, name string, n int32) {
	m.held.WithLabelValues(ns, name).Set(float64(n))
}

// setConditions exports each condition as one series per status, 1 for
// the current one (the kube-state-metrics convention).
func (m *metricsRecorder) setConditions(kind, ns, name string, conds []metav1.Condition) {
	for _, c := range conds {
		for _, s := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
			v := 0.0
			if c.Status == s {
				v = 1
			}
			m.conditions.WithLabelValues(kind, ns, name, c.Type, strings.ToLower(string(s))).Set(v)
		}
	}
}

// forget deletes an object's series when it is deleted.
func (m *metricsRecorder) forget(kind, ns, name string) {
	m.conditions.DeletePartialMatch(prometheus.Labels{"kind": kind, "namespace": ns, "name": name})
	if kind != kindIntegration {
		return
	}
	l := prometheus.Labels{"namespace": ns, "integration": name}
	m.cycleDuration.DeletePartialMatch(l)
	m.lastSuccess.DeletePartialMatch(l)
	m.objects.DeletePartialMatch(l)
	m.requests.DeletePartialMatch(l)
	m.throttled.DeletePartialMatch(l)
	m.held.DeletePartialMatch(l)
}

const (
	kindIntegration = "DirectoryIntegration"
	kindGroup       = "ProvisionedGroup"
)

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/provisioning"
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
	queueWait      *prometheus.HistogramVec
	lastSuccess    *prometheus.GaugeVec
	syncInterval   *prometheus.GaugeVec
	suspended      *prometheus.GaugeVec
	objects        *prometheus.GaugeVec
	outOfSync      *prometheus.GaugeVec
	groupCap       *prometheus.GaugeVec
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	throttled      *prometheus.CounterVec
	held           *prometheus.GaugeVec
	conditions     *prometheus.GaugeVec
	targetRate     *prometheus.GaugeVec
	feed           feedMetrics

	// exported remembers the condition types exported per object, so a
	// condition that goes away (Stalled clears) loses its series.
	mu       sync.Mutex
	exported map[string][]string
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
		feed: newFeedMetrics(),
		cycleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimbridge_cycle_duration_seconds",
			Help:    "Duration of provisioning cycles by mode and result.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600},
		}, append(integration, "mode", "result")),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimbridge_cycle_queue_wait_seconds",
			Help:    "Time a due cycle waited in the cycle pool's queue before a worker started it, by mode.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800},
		}, []string{"mode"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_last_successful_sync_timestamp_seconds",
			Help: "Unix time of the last cycle that left the target in sync (Synced True); 0 until the first one.",
		}, integration),
		syncInterval: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_sync_interval_seconds",
			Help: "The integration's spec.syncInterval, for alerts on integrations not synced for several intervals.",
		}, integration),
		suspended: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_integration_suspended",
			Help: "1 while the integration's spec.suspend is true: alerts on sync age skip paused integrations.",
		}, integration),
		objects: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_target_objects",
			Help: "Objects by kind and state as the last cycle verified (users: in_scope, synced, managed, active; groups: wanted, pushed, total).",
		}, append(integration, "kind", "state")),
		outOfSync: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_out_of_sync_objects",
			Help: "Objects whose change failed in the last cycle (failed) or waits out a retry backoff (deferred).",
		}, append(integration, "kind", "state")),
		groupCap: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_group_cap",
			Help: "The target's cap on groups (0: none).",
		}, integration),
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
			Name: "scimbridge_held_changes",
			Help: "Changes held for approval by the safety rules, by kind (deactivation, rename, member_removal).",
		}, append(integration, "kind")),
		conditions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_condition",
			Help: "Conditions of scimbridge objects: 1 for the current status of each type.",
		}, []string{"kind", "namespace", "name", "type", "status"}),
		targetRate: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_target_rate_requests_per_second",
			Help: "Requests per second the integration sends to its target after the last cycle: the rate adaptive pacing learned, or the fixed one.",
		}, integration),
		exported: map[string][]string{},
	}
}

func (m *metricsRecorder) register(r prometheus.Registerer) {
	r.MustRegister(m.cycleDuration, m.queueWait, m.lastSuccess, m.syncInterval, m.suspended, m.objects, m.outOfSync, m.groupCap, m.requests,
		m.requestLatency, m.throttled, m.held, m.conditions, m.targetRate)
	m.feed.register(r)
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

func (m *metricsRecorder) observeCycle(ns, name, mode string, ok bool, d time.Duration) {
	result := "success"
	if !ok {
		result = "failure"
	}
	m.cycleDuration.WithLabelValues(ns, name, mode, result).Observe(d.Seconds())
}

// observeQueueWait records how long a cycle waited for a pool worker.
func (m *metricsRecorder) observeQueueWait(mode provisioning.Mode, d time.Duration) {
	m.queueWait.WithLabelValues(string(mode)).Observe(d.Seconds())
}

// setIntegration exports an integration's status: the last in-sync time
// (0 until there is one, so "never synced" can alert), the interval, the
// verified counts, the failing and deferred objects, the cap and the held
// changes by kind.
func (m *metricsRecorder) setIntegration(ns, name string, interval time.Duration, suspended bool, st *identityv1alpha1.DirectoryIntegrationStatus) {
	var last float64
	if st.LastSuccessfulSyncTime != nil {
		last = float64(st.LastSuccessfulSyncTime.Unix())
	}
	m.lastSuccess.WithLabelValues(ns, name).Set(last)
	m.syncInterval.WithLabelValues(ns, name).Set(interval.Seconds())
	paused := 0.0
	if suspended {
		paused = 1
	}
	m.suspended.WithLabelValues(ns, name).Set(paused)
	gauge := func(v *prometheus.GaugeVec, value int32, labels ...string) {
		v.WithLabelValues(append([]string{ns, name}, labels...)...).Set(float64(value))
	}
	u, g := st.Users, st.Groups
	if u == nil {
		u = &identityv1alpha1.UserCounts{}
	}
	if g == nil {
		g = &identityv1alpha1.GroupCounts{}
	}
	for state, v := range map[string]int32{"in_scope": u.InScope, "synced": u.Synced, "managed": u.Managed, "active": u.Active} {
		gauge(m.objects, v, "user", state)
	}
	for state, v := range map[string]int32{"wanted": g.Wanted, "pushed": g.Pushed, "total": g.InTarget} {
		gauge(m.objects, v, "group", state)
	}
	gauge(m.outOfSync, u.Failed, "user", "failed")
	gauge(m.outOfSync, u.Deferred, "user", "deferred")
	gauge(m.groupCap, g.Cap)
	var h identityv1alpha1.HeldDeactivations
	if st.HeldDeactivations != nil {
		h = *st.HeldDeactivations
	}
	gauge(m.held, h.Deactivations, "deactivation")
	gauge(m.held, h.Renames, "rename")
	gauge(m.held, h.MemberRemovals, "member_removal")
	if t := st.Target; t != nil && t.Pacing != nil {
		if rps, err := strconv.ParseFloat(t.Pacing.RequestsPerSecond, 64); err == nil {
			m.targetRate.WithLabelValues(ns, name).Set(rps)
		}
	}
}

// setConditions exports each condition as one series per status, 1 for
// the current one (the kube-state-metrics convention), and removes the
// series of conditions the object no longer has.
func (m *metricsRecorder) setConditions(kind, ns, name string, conds []metav1.Condition) {
	key := kind + "/" + ns + "/" + name
	var types []string
	for _, c := range conds {
		types = append(types, c.Type)
		for _, s := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
			v := 0.0
			if c.Status == s {
				v = 1
			}
			m.conditions.WithLabelValues(kind, ns, name, c.Type, strings.ToLower(string(s))).Set(v)
		}
	}
	m.mu.Lock()
	gone := slices.DeleteFunc(m.exported[key], func(t string) bool { return slices.Contains(types, t) })
	m.exported[key] = types
	m.mu.Unlock()
	for _, t := range gone {
		m.conditions.DeletePartialMatch(prometheus.Labels{"kind": kind, "namespace": ns, "name": name, "type": t})
	}
}

// forget deletes an object's series when it is deleted.
func (m *metricsRecorder) forget(kind, ns, name string) {
	m.conditions.DeletePartialMatch(prometheus.Labels{"kind": kind, "namespace": ns, "name": name})
	m.mu.Lock()
	delete(m.exported, kind+"/"+ns+"/"+name)
	m.mu.Unlock()
	if kind != kindIntegration {
		return
	}
	l := prometheus.Labels{"namespace": ns, "integration": name}
	for _, v := range []interface{ DeletePartialMatch(prometheus.Labels) int }{
		m.cycleDuration, m.lastSuccess, m.syncInterval, m.suspended, m.objects, m.outOfSync, m.groupCap, m.requests, m.throttled, m.held,
		m.targetRate,
		m.feed.lag, m.feed.events, m.feed.latency,
	} {
		v.DeletePartialMatch(l)
	}
}

// exportMetrics exports the integration's status after a reconcile.
func (r *DirectoryIntegrationReconciler) exportMetrics(s *integrationScope) {
	m, st := r.shared.metrics, &s.di.Status
	m.setConditions(kindIntegration, s.di.Namespace, s.di.Name, st.Conditions)
	m.setIntegration(s.di.Namespace, s.di.Name, syncInterval(s.di), s.di.Spec.Suspend, st)
}

const (
	kindIntegration = "DirectoryIntegration"
	kindGroup       = "ProvisionedGroup"
)

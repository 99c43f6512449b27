// Package prometheus tests the alerts in config/prometheus/alerts and the
// Grafana dashboard in config/grafana with promtool, built from the Go module
// proxy by `make promtool` (see hack/tools/promtool).
package prometheus

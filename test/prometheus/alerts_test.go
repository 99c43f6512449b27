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

package prometheus

import (
	"os"
	"reflect"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"
)

type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestAlertRulesPassPromtool(t *testing.T) {
	t.Log(runPromtool(t, "check", "rules", rulesFile))
	t.Log(runPromtool(t, "test", "rules", testsFile))
}

// Every alert is well formed, uses exported metrics only, and has a promtool
// case in which it fires.
func TestEveryAlertIsCompleteAndTested(t *testing.T) {
	var rules ruleFile
	readYAML(t, rulesFile, &rules)
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	readYAML(t, testsFile, &tests)
	fired := map[string]bool{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fired[a.Alertname] = true
			}
		}
	}

	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			if r.Alert == "" {
				t.Errorf("group %s: a rule without alert name (recording rules belong elsewhere)", g.Name)
				continue
			}
			if !slices.Contains([]string{"warning", "critical"}, r.Labels["severity"]) {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, r.Labels["severity"])
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: needs a summary and a description", r.Alert)
			}
			if bad := unknownMetrics(r.Expr); len(bad) > 0 {
				t.Errorf("%s: unknown metrics %v", r.Alert, bad)
			}
			if !fired[r.Alert] {
				t.Errorf("%s: no promtool case in %s expects it to fire", r.Alert, testsFile)
			}
		}
	}
	if n < 6 {
		t.Errorf("%d alerts, want at least the six of the issue", n)
	}
}

// The PrometheusRule that kustomize installs carries exactly the rule file.
func TestPrometheusRuleIsGeneratedFromTheRuleFile(t *testing.T) {
	var file, cr struct {
		Spec any `json:"spec"`
	}
	readYAML(t, rulesFile, &file.Spec)
	readYAML(t, "../../config/prometheus/alerts/prometheus_rule.yaml", &cr)
	if !reflect.DeepEqual(file.Spec, cr.Spec) {
		t.Error("config/prometheus/alerts/prometheus_rule.yaml differs from scimbridge.rules.yaml: run `make manifests`")
	}
}

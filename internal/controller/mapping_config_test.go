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
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// The samples' expressions compile as the controller compiles them (the
// API suite applies the same files to a real API server).
func TestSampleMappingsCompile(t *testing.T) {
	files, err := filepath.Glob("../../config/samples/identity_v1alpha1_directoryintegration*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var di identityv1alpha1.DirectoryIntegration
		if err := yaml.UnmarshalStrict(data, &di); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cfg := provisioning.Config{Profile: buildProfile(&di), Mapping: mappingConfig(di.Spec.AttributeMapping), Scope: di.Spec.Scope}
		if err := provisioning.CompileMapping(cfg); err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
		}
	}
}

func TestMappingConfig(t *testing.T) {
	di := &identityv1alpha1.DirectoryIntegration{}
	di.Spec.AttributeMapping = identityv1alpha1.AttributeMapping{
		Constants: map[string]string{"domain": "example.com"},
		Expressions: []identityv1alpha1.AttributeExpression{
			{Target: "emails", Expression: "[user.profile.email]"},
			{Target: "title", Expression: "user.profile.title", ApplyOn: identityv1alpha1.MappingApplyCreate},
		},
	}
	di.Spec.Scope = "true"
	cfg := buildConfig(di, &identityv1alpha1.DirectoryIntegrationStatus{}, nil, nil, provisioning.ModeFull, "")
	m := cfg.Mapping
	if m.UserName != "login" || m.DisplayName != "displayName" || cfg.Scope != "true" || m.Constants["domain"] != "example.com" {
		t.Fatalf("config %+v", cfg)
	}
	if m.Expressions[0].ApplyOn != provisioning.ApplyAlways || m.Expressions[1].ApplyOn != provisioning.ApplyCreate {
		t.Fatalf("applyOn %+v", m.Expressions)
	}
	if !sendsEmails(di) {
		t.Fatal("an emails expression must let the client send emails")
	}
	di.Spec.AttributeMapping.Expressions = di.Spec.AttributeMapping.Expressions[1:]
	if sendsEmails(di) {
		t.Fatal("without sendEmails or an emails expression, emails are not sent")
	}
}

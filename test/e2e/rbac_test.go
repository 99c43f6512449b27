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

package e2e

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/scimbridge/scimbridge/test/localenv"
)

// The manager runs as a user bound only to the generated roles, so every
// other spec proves the RBAC is sufficient; this one proves it is narrow.
var _ = Describe("the generated RBAC", func() {
	It("is least privilege: no wildcards, Secrets read-only, no spec writes of integrations", func() {
		role := &rbacv1.ClusterRole{}
		Expect(localenv.ReadRBAC("role.yaml", role)).To(Succeed())
		Expect(role.Rules).NotTo(BeEmpty())
		for _, rule := range role.Rules {
			Expect(rule.Verbs).NotTo(ContainElement("*"))
			Expect(rule.Resources).NotTo(ContainElement("*"))
			Expect(rule.APIGroups).NotTo(ContainElement("*"))
			if slices.Contains(rule.Resources, "secrets") {
				Expect(rule.Verbs).To(ConsistOf("get", "list", "watch"))
			}
			if slices.Contains(rule.Resources, "directoryintegrations") {
				Expect(rule.Verbs).To(ConsistOf("get", "list", "watch"))
			}
		}
	})
})

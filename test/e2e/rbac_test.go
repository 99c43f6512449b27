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

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

package v1alpha1_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

type column struct{ Name, Type, JSONPath string }

func installedCRD(name string) *apiextensionsv1.CustomResourceDefinition {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, crd)).To(Succeed())
	Expect(crd.Spec.Versions).To(HaveLen(1))
	return crd
}

func columnsOf(crd *apiextensionsv1.CustomResourceDefinition) []column {
	var cols []column
	for _, c := range crd.Spec.Versions[0].AdditionalPrinterColumns {
		cols = append(cols, column{c.Name, c.Type, c.JSONPath})
	}
	return cols
}

// unboundedArrays returns the paths of arrays without maxItems below s.
func unboundedArrays(path string, s *apiextensionsv1.JSONSchemaProps) []string {
	if s == nil {
		return nil
	}
	var out []string
	if s.Type == "array" {
		if s.MaxItems == nil {
			out = append(out, path)
		}
		if s.Items != nil {
			out = append(out, unboundedArrays(path+"[]", s.Items.Schema)...)
		}
	}
	for name, prop := range s.Properties {
		out = append(out, unboundedArrays(path+"."+name, &prop)...)
	}
	return out
}

var _ = Describe("CRD shape", func() {
	It("declares the DirectoryIntegration's names and printer columns", func() {
		crd := installedCRD("directoryintegrations.identity.scimbridge.io")
		Expect(crd.Spec.Scope).To(Equal(apiextensionsv1.NamespaceScoped))
		Expect(crd.Spec.Names.ShortNames).To(ConsistOf("di"))
		Expect(crd.Spec.Names.Categories).To(ConsistOf("scimbridge"))
		Expect(crd.Spec.Versions[0].Subresources.Status).NotTo(BeNil())
		Expect(columnsOf(crd)).To(Equal([]column{
			{"Ready", "string", `.status.conditions[?(@.type=="Ready")].status`},
			{"Status", "string", `.status.conditions[?(@.type=="Ready")].reason`},
			{"Users", "string", ".status.usersSummary"},
			{"Groups", "string", ".status.groupsSummary"},
			{"Last Sync", "date", ".status.lastSyncTime"},
			{"Age", "date", ".metadata.creationTimestamp"},
			{"Target Rate", "string", ".status.target.pacing.requestsPerSecond"},
			{"Bulk", "string", ".status.target.bulk.state"},
		}))
	})

	It("declares the ProvisionedGroup's names and printer columns", func() {
		crd := installedCRD("provisionedgroups.identity.scimbridge.io")
		Expect(crd.Spec.Scope).To(Equal(apiextensionsv1.NamespaceScoped))
		Expect(crd.Spec.Names.ShortNames).To(ConsistOf("pg"))
		Expect(crd.Spec.Names.Categories).To(ConsistOf("scimbridge"))
		Expect(crd.Spec.Versions[0].Subresources.Status).NotTo(BeNil())
		Expect(columnsOf(crd)).To(Equal([]column{
			{"Integration", "string", ".spec.integrationRef.name"},
			{"Okta Group", "string", ".status.oktaGroupName"},
			{"Okta Members", "integer", ".status.members"},
			{"Pushed", "integer", ".status.pushedMembers"},
			{"Ready", "string", `.status.conditions[?(@.type=="Ready")].status`},
			{"Status", "string", `.status.conditions[?(@.type=="Ready")].reason`},
			{"Age", "date", ".metadata.creationTimestamp"},
		}))
	})

	It("bounds every list in status so the objects stay small", func() {
		for _, name := range []string{"directoryintegrations.identity.scimbridge.io", "provisionedgroups.identity.scimbridge.io"} {
			crd := installedCRD(name)
			status := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
			Expect(status.Properties).NotTo(BeEmpty())
			Expect(unboundedArrays("status", &status)).To(BeEmpty(), name)
		}
	})

	It("keys conditions by type for server-side apply", func() {
		for _, name := range []string{"directoryintegrations.identity.scimbridge.io", "provisionedgroups.identity.scimbridge.io"} {
			crd := installedCRD(name)
			conds := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties["conditions"]
			Expect(conds.XListType).To(HaveValue(Equal("map")), name)
			Expect(conds.XListMapKeys).To(Equal([]string{"type"}), name)
		}
	})
})

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
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/scimbridge/scimbridge/test/testenv"
)

const validationNamespace = "api-validation"

var nameSeq atomic.Int64

// uniqueName keeps specs independent inside one namespace.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, nameSeq.Add(1))
}

// loadSample reads a sample from config/samples as an unstructured object, so
// that specs can also build shapes the Go types cannot express.
func loadSample(file string) *unstructured.Unstructured {
	root, err := testenv.RepoRoot()
	Expect(err).NotTo(HaveOccurred())
	data, err := os.ReadFile(filepath.Join(root, "config", "samples", file))
	Expect(err).NotTo(HaveOccurred())
	obj := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal(data, &obj.Object)).To(Succeed())
	obj.SetNamespace(validationNamespace)
	return obj
}

const (
	integrationSample = "identity_v1alpha1_directoryintegration.yaml"
	groupSample       = "identity_v1alpha1_provisionedgroup.yaml"
	ciscoMapping      = "identity_v1alpha1_directoryintegration_cisco_mapping.yaml"
	genericMapping    = "identity_v1alpha1_directoryintegration_generic_mapping.yaml"
)

// sampleFiles lists every object in config/samples, those kustomize
// applies and those applied by name.
func sampleFiles() []string {
	root, err := testenv.RepoRoot()
	Expect(err).NotTo(HaveOccurred())
	files, err := filepath.Glob(filepath.Join(root, "config", "samples", "*.yaml"))
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" {
			out = append(out, base)
		}
	}
	Expect(out).To(ContainElements(integrationSample, groupSample, ciscoMapping, genericMapping))
	return out
}

func ensureNamespace() {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: validationNamespace}}
	if err := k8sClient.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
}

func set(obj map[string]any, value any, path ...string) {
	Expect(unstructured.SetNestedField(obj, value, path...)).To(Succeed())
}

func remove(obj map[string]any, path ...string) {
	unstructured.RemoveNestedField(obj, path...)
}

var _ = Describe("API validation", func() {
	BeforeEach(ensureNamespace)

	Context("samples", func() {
		for _, file := range sampleFiles() {
			It("accepts "+file+" with strict field validation", func() {
				obj := loadSample(file)
				obj.SetName(uniqueName(obj.GetName()))
				Expect(k8sClient.Create(ctx, obj, client.FieldValidation("Strict"))).To(Succeed())
			})
		}
	})

	DescribeTable("rejects invalid objects",
		func(file string, mutate func(map[string]any), wantMessages ...string) {
			obj := loadSample(file)
			obj.SetName(uniqueName("invalid"))
			mutate(obj.Object)
			err := k8sClient.Create(ctx, obj)
			Expect(err).To(HaveOccurred(), "the API server accepted an invalid object")
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got %v", err)
			for _, msg := range wantMessages {
				Expect(err.Error()).To(ContainSubstring(msg))
			}
		},
		Entry("okta with both an API token and OAuth", integrationSample, func(o map[string]any) {
			set(o, map[string]any{"clientID": "0oa1", "privateKeySecretRef": map[string]any{"name": "k", "key": "pem"}}, "spec", "okta", "oauth")
		}, "exactly one of apiTokenSecretRef or oauth must be set"),
		Entry("okta with neither an API token nor OAuth", integrationSample, func(o map[string]any) {
			remove(o, "spec", "okta", "apiTokenSecretRef")
		}, "exactly one of apiTokenSecretRef or oauth must be set"),
		Entry("orgURL that is not a URL", integrationSample, func(o map[string]any) {
			set(o, "example.okta.com", "spec", "okta", "orgURL")
		}, "orgURL must be an absolute URL with a host"),
		Entry("orgURL over http to a non-loopback host", integrationSample, func(o map[string]any) {
			set(o, "http://example.okta.com", "spec", "okta", "orgURL")
		}, "orgURL must use https (http is allowed only for loopback hosts)"),
		Entry("target url over http to a non-loopback host", integrationSample, func(o map[string]any) {
			set(o, "http://10.0.0.8/scim", "spec", "target", "url")
		}, "url must use https (http is allowed only for loopback hosts)"),
		Entry("target url with a query", integrationSample, func(o map[string]any) {
			set(o, "https://api.sse.cisco.com/identity/v2/scim?x=1", "spec", "target", "url")
		}, "url must not have a query"),
		Entry("orgURL with a path", integrationSample, func(o map[string]any) {
			set(o, "https://example.okta.com/admin", "spec", "okta", "orgURL")
		}, "orgURL must not have a path"),
		Entry("orgURL with a fragment", integrationSample, func(o map[string]any) {
			set(o, "https://example.okta.com#x", "spec", "okta", "orgURL")
		}, "orgURL must not have a fragment"),
		Entry("orgURL with credentials", integrationSample, func(o map[string]any) {
			set(o, "https://admin:pw@example.okta.com", "spec", "okta", "orgURL")
		}, "orgURL must not carry credentials"),
		Entry("target url with credentials", integrationSample, func(o map[string]any) {
			set(o, "https://user:token@api.sse.cisco.com/identity/v2/scim", "spec", "target", "url")
		}, "url must not carry credentials"),
		Entry("target url with a fragment", integrationSample, func(o map[string]any) {
			set(o, "https://api.sse.cisco.com/identity/v2/scim#frag", "spec", "target", "url")
		}, "url must not have a fragment"),
		Entry("negative deactivationFloor", integrationSample, func(o map[string]any) {
			set(o, int64(-1), "spec", "safety", "deactivationFloor")
		}, "spec.safety.deactivationFloor", "greater than or equal to 0"),
		Entry("empty target token Secret name", integrationSample, func(o map[string]any) {
			set(o, "", "spec", "target", "tokenSecretRef", "name")
		}, "spec.target.tokenSecretRef.name", "at least 1 chars long"),
		Entry("target token ref without a key", integrationSample, func(o map[string]any) {
			remove(o, "spec", "target", "tokenSecretRef", "key")
		}, "spec.target.tokenSecretRef.key: Required value"),
		Entry("Secret name that is not a DNS name", integrationSample, func(o map[string]any) {
			set(o, "Okta_Token", "spec", "okta", "apiTokenSecretRef", "name")
		}, "spec.okta.apiTokenSecretRef.name", "should match"),
		Entry("unknown target profile", integrationSample, func(o map[string]any) {
			set(o, "AzureAD", "spec", "target", "profile")
		}, `spec.target.profile: Unsupported value: "AzureAD"`),
		Entry("missing displayName", integrationSample, func(o map[string]any) {
			remove(o, "spec", "displayName")
		}, "spec.displayName: Required value"),
		Entry("syncInterval under a minute", integrationSample, func(o map[string]any) {
			set(o, "30s", "spec", "syncInterval")
		}, "syncInterval must be at least 1m"),
		Entry("syncInterval that is not a duration", integrationSample, func(o map[string]any) {
			set(o, "ten minutes", "spec", "syncInterval")
		}, "spec.syncInterval", "should match"),
		Entry("fullResyncInterval under ten minutes", integrationSample, func(o map[string]any) {
			set(o, "5m", "spec", "fullResyncInterval")
			set(o, "1m", "spec", "syncInterval")
		}, "fullResyncInterval must be at least 10m"),
		Entry("fullResyncInterval shorter than syncInterval", integrationSample, func(o map[string]any) {
			set(o, "2h", "spec", "syncInterval")
			set(o, "1h", "spec", "fullResyncInterval")
		}, "fullResyncInterval must not be shorter than syncInterval"),
		Entry("maxDeactivationPercent over 100", integrationSample, func(o map[string]any) {
			set(o, int64(101), "spec", "safety", "maxDeactivationPercent")
		}, "spec.safety.maxDeactivationPercent", "less than or equal to 100"),
		Entry("negative maxDeactivations", integrationSample, func(o map[string]any) {
			set(o, int64(-1), "spec", "safety", "maxDeactivations")
		}, "spec.safety.maxDeactivations", "greater than or equal to 0"),
		Entry("maxGroups of zero", integrationSample, func(o map[string]any) {
			set(o, int64(0), "spec", "target", "maxGroups")
		}, "spec.target.maxGroups", "greater than or equal to 1"),
		Entry("a rate limit of zero", integrationSample, func(o map[string]any) {
			set(o, int64(0), "spec", "target", "rateLimit", "maxRequestsPerSecond")
		}, "spec.target.rateLimit.maxRequestsPerSecond", "greater than or equal to 1"),
		Entry("an unknown pacing mode", integrationSample, func(o map[string]any) {
			set(o, "Burst", "spec", "target", "rateLimit", "mode")
		}, `spec.target.rateLimit.mode: Unsupported value: "Burst"`),
		Entry("an unknown Bulk mode", integrationSample, func(o map[string]any) {
			set(o, "Always", "spec", "target", "bulk")
		}, `spec.target.bulk: Unsupported value: "Always"`),
		Entry("OAuth scope that is not an Okta scope", integrationSample, func(o map[string]any) {
			remove(o, "spec", "okta", "apiTokenSecretRef")
			set(o, map[string]any{
				"clientID":            "0oa1",
				"privateKeySecretRef": map[string]any{"name": "okta-key", "key": "key.pem"},
				"scopes":              []any{"openid"},
			}, "spec", "okta", "oauth")
		}, "spec.okta.oauth.scopes[0]", "should match"),
		Entry("userName mapping that is not an attribute name", integrationSample, func(o map[string]any) {
			set(o, "profile.login", "spec", "attributeMapping", "userName")
		}, "spec.attributeMapping.userName", "should match"),
		Entry("mapping of an unknown attribute", integrationSample, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "nickName", "expression": "user.profile.nickName"}}, "spec", "attributeMapping", "expressions")
		}, "target must be a supported attribute or an extension attribute"),
		Entry("mapping with an empty expression", integrationSample, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "title", "expression": ""}}, "spec", "attributeMapping", "expressions")
		}, "spec.attributeMapping.expressions[0].expression", "at least 1 chars long"),
		Entry("mapping of one attribute twice", integrationSample, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "title", "expression": "'a'"}, map[string]any{"target": "title", "expression": "'b'"}},
				"spec", "attributeMapping", "expressions")
		}, "Duplicate value"),
		Entry("mapping with an unknown applyOn", integrationSample, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "title", "expression": "'a'", "applyOn": "Sometimes"}}, "spec", "attributeMapping", "expressions")
		}, `Unsupported value: "Sometimes"`),
		Entry("mapping expression over 2048 characters", integrationSample, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "title", "expression": "'" + strings.Repeat("a", 2048) + "'"}}, "spec", "attributeMapping", "expressions")
		}, "spec.attributeMapping.expressions[0].expression", "may not be more than 2048"),
		Entry("Cisco's authName on a Generic target", genericMapping, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "authName", "expression": "user.profile.login"}}, "spec", "attributeMapping", "expressions")
		}, "nativeObjectId and authName are attributes of the CiscoSecureAccess profile"),
		Entry("an extension attribute on a Cisco target", ciscoMapping, func(o map[string]any) {
			set(o, []any{map[string]any{"target": "urn:example:ext:2.0:User:badge", "expression": "user.id"}}, "spec", "attributeMapping", "expressions")
		}, "extension attributes (urn:...) need the Generic profile"),
		Entry("a constant that is not an identifier", integrationSample, func(o map[string]any) {
			set(o, map[string]any{"my-domain": "example.com"}, "spec", "attributeMapping", "constants")
		}, "constant names must be identifiers"),
		Entry("an empty scope", integrationSample, func(o map[string]any) {
			set(o, "", "spec", "scope")
		}, "spec.scope", "at least 1 chars long"),
		Entry("group neither assigned nor pushed", groupSample, func(o map[string]any) {
			set(o, false, "spec", "assignMembers")
			set(o, false, "spec", "push")
		}, "at least one of assignMembers or push must be true"),
		Entry("group with both a name and an id", groupSample, func(o map[string]any) {
			set(o, "00g1emaKYZTWRYYRRTSK", "spec", "oktaGroup", "id")
		}, "exactly one of name or id must be set"),
		Entry("group with neither a name nor an id", groupSample, func(o map[string]any) {
			set(o, map[string]any{}, "spec", "oktaGroup")
		}, "exactly one of name or id must be set"),
		Entry("malformed Okta group id", groupSample, func(o map[string]any) {
			remove(o, "spec", "oktaGroup", "name")
			set(o, "not an id", "spec", "oktaGroup", "id")
		}, "spec.oktaGroup.id", "should match"),
		Entry("unknown deletionPolicy", groupSample, func(o map[string]any) {
			set(o, "Orphan", "spec", "deletionPolicy")
		}, `spec.deletionPolicy: Unsupported value: "Orphan"`),
		Entry("empty integrationRef", groupSample, func(o map[string]any) {
			set(o, "", "spec", "integrationRef", "name")
		}, "spec.integrationRef.name", "at least 1 chars long"),
	)

	DescribeTable("rejects direct assignments that would change the Okta path they are put into",
		func(person string) {
			obj := loadSample(integrationSample)
			obj.SetName(uniqueName("people"))
			set(obj.Object, []any{"jane.doe@example.com", person}, "spec", "assignments", "people")
			err := k8sClient.Create(ctx, obj)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%q: want Invalid, got %v", person, err)
			Expect(err.Error()).To(ContainSubstring("each entry must be an Okta user id"))
		},
		Entry("Okta's alias for the caller", "me"),
		Entry("a dot segment", ".."),
		Entry("a path", "../groups"),
		Entry("an escaped dot segment", "%2e%2e"),
		Entry("a query and a fragment", "a?b#c"),
		Entry("a login with a slash", "jane/doe@example.com"),
		Entry("a login with a space", "jane doe@example.com"),
		Entry("a malformed id", "00u123"),
	)

	It("accepts Okta user ids and email-style logins as direct assignments", func() {
		obj := loadSample(integrationSample)
		obj.SetName(uniqueName("people-ok"))
		set(obj.Object, []any{"00u1emaKYZTWRYYRRTSK", "jane.doe+vpn@example.com", "ob-rien@sub.example.co.uk"},
			"spec", "assignments", "people")
		Expect(k8sClient.Create(ctx, obj, client.FieldValidation("Strict"))).To(Succeed())
	})

	DescribeTable("accepts plain http only for loopback hosts",
		func(url string) {
			obj := loadSample(integrationSample)
			obj.SetName(uniqueName("loopback"))
			set(obj.Object, url, "spec", "okta", "orgURL")
			set(obj.Object, url+"/scim/v2", "spec", "target", "url")
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		},
		Entry("IPv4 loopback", "http://127.0.0.1:18080"),
		Entry("localhost", "http://localhost:18080"),
		Entry("IPv6 loopback", "http://[::1]:18080"),
	)

	It("keeps integrationRef immutable", func() {
		obj := loadSample(groupSample)
		obj.SetName(uniqueName("immutable"))
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		set(obj.Object, "another-integration", "spec", "integrationRef", "name")
		err := k8sClient.Update(ctx, obj)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		Expect(err.Error()).To(ContainSubstring("integrationRef is immutable"))
	})
})

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
	"slices"
	"testing"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

func TestSecretNamesAndKeys(t *testing.T) {
	di := &identityv1alpha1.DirectoryIntegration{Spec: identityv1alpha1.DirectoryIntegrationSpec{
		Okta: identityv1alpha1.OktaSource{OAuth: &identityv1alpha1.OktaOAuth{PrivateKeySecretRef: identityv1alpha1.SecretKeySelector{Name: "key"}}},
		Target: identityv1alpha1.SCIMTarget{TokenSecretRef: identityv1alpha1.SecretKeySelector{Name: "scim"},
			CABundleSecretRef: &identityv1alpha1.SecretKeySelector{Name: "key"}},
	}}
	if got := secretNames(di); !slices.Equal(got, []string{"key", "scim"}) {
		t.Errorf("secretNames = %v", got)
	}
	if hashKey("a", "bc") == hashKey("ab", "c") {
		t.Error("hashKey must separate its parts")
	}
	if normalizeURL("HTTPS://Api.Example.com/scim/ ") != normalizeURL("https://api.example.com/scim") {
		t.Error("normalizeURL must ignore case and a trailing slash")
	}
}

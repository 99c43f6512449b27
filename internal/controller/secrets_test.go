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

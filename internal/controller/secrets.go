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
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
)

// secretRefIndex indexes DirectoryIntegrations by the names of the Secrets
// they reference, so a Secret event finds its integrations without a scan.
const secretRefIndex = "spec.secretRefs" //nolint:gosec // an index name, not a credential

// secretNames returns the Secrets an integration references, sorted and unique.
func secretNames(di *identityv1alpha1.DirectoryIntegration) []string {
	var names []string
	if r := di.Spec.Okta.APITokenSecretRef; r != nil {
		names = append(names, r.Name)
	}
	if o := di.Spec.Okta.OAuth; o != nil {
		names = append(names, o.PrivateKeySecretRef.Name)
	}
	names = append(names, di.Spec.Target.TokenSecretRef.Name)
	if r := di.Spec.Target.CABundleSecretRef; r != nil {
		names = append(names, r.Name)
	}
	if h := di.Spec.Okta.EventHook; h != nil {
		names = append(names, h.SecretRef.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// credentialError is a problem with a referenced Secret that only a human
// can fix. Its message names the Secret and key, never the value.
type credentialError struct {
	Reason  string
	Message string
}

func (e *credentialError) Error() string { return e.Message }

// secretValue is one key of a Secret, with the resourceVersion it was read at.
type secretValue struct {
	data            []byte
	resourceVersion string
}

// readSecretKey reads one key of a Secret in ns. It uses a direct API read
// (the manager caches no Secret data). A missing Secret, missing key or empty
// value is a *credentialError; any other error is transient.
func readSecretKey(ctx context.Context, r client.Reader, ns string, sel identityv1alpha1.SecretKeySelector) (secretValue, error) {
	var s corev1.Secret
	// client-go logs response bodies at high verbosity through the context's
	// logger; a Secret's body must never reach a log.
	ctx = logr.NewContext(ctx, logr.Discard())
	if err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: sel.Name}, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return secretValue{}, &credentialError{Reason: identityv1alpha1.ReasonSecretNotFound,
				Message: fmt.Sprintf("Secret %q not found in namespace %q", sel.Name, ns)}
		}
		return secretValue{}, fmt.Errorf("reading Secret %q: %w", sel.Name, err)
	}
	v, ok := s.Data[sel.Key]
	if !ok {
		return secretValue{}, &credentialError{Reason: identityv1alpha1.ReasonInvalidSecret,
			Message: fmt.Sprintf("Secret %q has no key %q", sel.Name, sel.Key)}
	}
	if len(bytes.TrimSpace(v)) == 0 {
		return secretValue{}, &credentialError{Reason: identityv1alpha1.ReasonInvalidSecret,
			Message: fmt.Sprintf("key %q of Secret %q is empty", sel.Key, sel.Name)}
	}
	return secretValue{data: v, resourceVersion: s.ResourceVersion}, nil
}

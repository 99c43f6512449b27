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

package localenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/testenv"
)

// SecureAccessGroup is the seed's example group.
const SecureAccessGroup = "OKTA - Secure Access Users"

// DemoOrg is the small Okta org of the seed's example.
type DemoOrg struct {
	// Users maps login to Okta id.
	Users map[string]string
	// Groups maps name to Okta id.
	Groups map[string]string
}

type demoUser struct {
	first, last, status string
	groups              []string
}

var demoUsers = []demoUser{
	{"Amelia", "Hart", "ACTIVE", []string{SecureAccessGroup, "Engineering"}},
	{"Benjamin", "Cho", "ACTIVE", []string{SecureAccessGroup, "Engineering"}},
	{"Carmen", "Diaz", "ACTIVE", []string{SecureAccessGroup, "Sales"}},
	{"David", "Okafor", "ACTIVE", []string{SecureAccessGroup}},
	{"Elena", "Petrova", "ACTIVE", []string{SecureAccessGroup, "Engineering"}},
	{"Farid", "Haddad", "SUSPENDED", []string{SecureAccessGroup}},
	{"Grace", "Kim", "ACTIVE", []string{SecureAccessGroup, "Sales"}},
	{"Hiro", "Tanaka", "ACTIVE", []string{SecureAccessGroup}},
	{"Isabel", "Rossi", "ACTIVE", []string{SecureAccessGroup, "Engineering"}},
	{"Jonas", "Berg", "ACTIVE", []string{"Engineering"}},
	{"Keiko", "Sato", "STAGED", []string{SecureAccessGroup}},
	{"Liam", "Walsh", "ACTIVE", []string{"Contractors"}},
}

// Login returns the demo login of a first and last name.
func Login(first, last string) string {
	return strings.ToLower(first + "." + last + "@example.com")
}

// SeedDemoOrg fills the emulator with the demo org.
func SeedDemoOrg(o *oktaserver.Server) (*DemoOrg, error) {
	org := &DemoOrg{Users: map[string]string{}, Groups: map[string]string{}}
	for _, name := range []string{SecureAccessGroup, "Engineering", "Sales", "Contractors"} {
		id, err := o.AddGroup(oktaserver.GroupSpec{Name: name})
		if err != nil {
			return nil, err
		}
		org.Groups[name] = id
	}
	for _, u := range demoUsers {
		login := Login(u.first, u.last)
		id, err := o.AddUser(oktaserver.UserSpec{Login: login, Email: login, FirstName: u.first, LastName: u.last, Status: u.status,
			Profile: map[string]any{"displayName": u.first + " " + u.last}})
		if err != nil {
			return nil, err
		}
		org.Users[login] = id
		for _, g := range u.groups {
			if err := o.AddMember(org.Groups[g], id); err != nil {
				return nil, err
			}
		}
	}
	return org, nil
}

// ExpectedSecureAccessUsers are the demo users the sample provisions: the
// active members of the Secure Access group.
func ExpectedSecureAccessUsers() []string {
	var out []string
	for _, u := range demoUsers {
		if u.status == "ACTIVE" && slices.Contains(u.groups, SecureAccessGroup) {
			out = append(out, Login(u.first, u.last))
		}
	}
	return out
}

// Samples are the objects of config/samples.
type Samples struct {
	Integration *identityv1alpha1.DirectoryIntegration
	Group       *identityv1alpha1.ProvisionedGroup
}

// LoadSamples reads config/samples.
func LoadSamples() (*Samples, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return nil, err
	}
	s := &Samples{Integration: &identityv1alpha1.DirectoryIntegration{}, Group: &identityv1alpha1.ProvisionedGroup{}}
	for file, into := range map[string]client.Object{
		"identity_v1alpha1_directoryintegration.yaml": s.Integration,
		"identity_v1alpha1_provisionedgroup.yaml":     s.Group,
	} {
		data, err := os.ReadFile(filepath.Join(root, "config", "samples", file))
		if err != nil {
			return nil, err
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	return s, nil
}

// ApplySamples creates the Secrets the samples refer to and the samples
// themselves in namespace, pointed at the fakes. tune may adjust the samples
// before they are created.
func ApplySamples(ctx context.Context, c client.Client, namespace string, f *Fakes, tune func(*Samples)) (*Samples, error) {
	s, err := LoadSamples()
	if err != nil {
		return nil, err
	}
	di := s.Integration
	di.Namespace = namespace
	di.Spec.Okta.OrgURL = f.OktaURL
	di.Spec.Target.URL = f.SCIMURL
	s.Group.Namespace = namespace
	if tune != nil {
		tune(s)
	}
	secrets := []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: di.Spec.Okta.APITokenSecretRef.Name, Namespace: namespace},
			StringData: map[string]string{di.Spec.Okta.APITokenSecretRef.Key: f.OktaToken}},
		{ObjectMeta: metav1.ObjectMeta{Name: di.Spec.Target.TokenSecretRef.Name, Namespace: namespace},
			StringData: map[string]string{di.Spec.Target.TokenSecretRef.Key: f.SCIMToken}},
	}
	for _, sec := range secrets {
		if err := create(ctx, c, sec); err != nil {
			return nil, err
		}
	}
	if err := c.Create(ctx, di); err != nil {
		return nil, err
	}
	if err := c.Create(ctx, s.Group); err != nil {
		return nil, err
	}
	return s, nil
}

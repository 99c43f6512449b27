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

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/scimbridge/scimbridge/test/testenv"
)

// ManagerUser is the name of the user the manager runs as.
const ManagerUser = "scimbridge-manager"

// InstallManagerRBAC creates the roles generated in config/rbac (the manager's
// ClusterRole, the leader-election Role in leaderNamespace and the metrics
// auth ClusterRole) and binds them to user: exactly what a deployment grants.
func InstallManagerRBAC(ctx context.Context, c client.Client, user, leaderNamespace string) error {
	role := &rbacv1.ClusterRole{}
	if err := ReadRBAC("role.yaml", role); err != nil {
		return err
	}
	if err := bindClusterRole(ctx, c, role, user); err != nil {
		return err
	}
	return installSupportRBAC(ctx, c, user, leaderNamespace)
}

// InstallNamespacedManagerRBAC grants user what the Helm chart grants in
// namespaced mode: the rules of the manager's ClusterRole as a Role and
// RoleBinding in each of namespaces, and nothing cluster-wide but the
// leader-election Role in leaderNamespace and the metrics auth ClusterRole.
func InstallNamespacedManagerRBAC(ctx context.Context, c client.Client, user, leaderNamespace string, namespaces []string) error {
	manager := &rbacv1.ClusterRole{}
	if err := ReadRBAC("role.yaml", manager); err != nil {
		return err
	}
	for _, ns := range namespaces {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: manager.Name, Namespace: ns}, Rules: manager.Rules}
		if err := bindRole(ctx, c, role, user); err != nil {
			return err
		}
	}
	return installSupportRBAC(ctx, c, user, leaderNamespace)
}

// installSupportRBAC binds the metrics auth ClusterRole and the
// leader-election Role in leaderNamespace to user.
func installSupportRBAC(ctx context.Context, c client.Client, user, leaderNamespace string) error {
	metrics := &rbacv1.ClusterRole{}
	if err := ReadRBAC("metrics_auth_role.yaml", metrics); err != nil {
		return err
	}
	if err := bindClusterRole(ctx, c, metrics, user); err != nil {
		return err
	}
	leader := &rbacv1.Role{}
	if err := ReadRBAC("leader_election_role.yaml", leader); err != nil {
		return err
	}
	leader.Namespace = leaderNamespace
	return bindRole(ctx, c, leader, user)
}

func userSubject(user string) []rbacv1.Subject {
	return []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}
}

// bindClusterRole creates role (unless it exists) and a binding of it to user.
func bindClusterRole(ctx context.Context, c client.Client, role *rbacv1.ClusterRole, user string) error {
	if err := create(ctx, c, role); err != nil {
		return err
	}
	return create(ctx, c, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name + "-" + user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   userSubject(user),
	})
}

// bindRole creates role (unless it exists) and a binding of it to user in its namespace.
func bindRole(ctx context.Context, c client.Client, role *rbacv1.Role, user string) error {
	if err := create(ctx, c, role); err != nil {
		return err
	}
	return create(ctx, c, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name + "-" + user, Namespace: role.Namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   userSubject(user),
	})
}

func readYAML(path string, into client.Object) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func create(ctx context.Context, c client.Client, obj client.Object) error {
	if err := c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %T %s: %w", obj, obj.GetName(), err)
	}
	return nil
}

// ReadRBAC reads one of the manifests in config/rbac.
func ReadRBAC(file string, into client.Object) error {
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	return readYAML(filepath.Join(root, "config", "rbac", file), into)
}

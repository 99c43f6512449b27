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

	"github.com/scimbridge/scimbridge/test/controlplane"
)

// ManagerUser is the name of the user the manager runs as.
const ManagerUser = "scimbridge-manager"

// InstallManagerRBAC creates the roles generated in config/rbac (the manager's
// ClusterRole, the leader-election Role in leaderNamespace and the metrics
// auth ClusterRole) and binds them to user: exactly what a deployment grants.
func InstallManagerRBAC(ctx context.Context, c client.Client, user, leaderNamespace string) error {
	subject := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}

	for _, file := range []string{"role.yaml", "metrics_auth_role.yaml"} {
		role := &rbacv1.ClusterRole{}
		if err := ReadRBAC(file, role); err != nil {
			return err
		}
		if err := create(ctx, c, role); err != nil {
			return err
		}
		binding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: role.Name + "-" + user},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects:   subject,
		}
		if err := create(ctx, c, binding); err != nil {
			return err
		}
	}

	role := &rbacv1.Role{}
	if err := ReadRBAC("leader_election_role.yaml", role); err != nil {
		return err
	}
	role.Namespace = leaderNamespace
	if err := create(ctx, c, role); err != nil {
		return err
	}
	return create(ctx, c, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name + "-" + user, Namespace: leaderNamespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   subject,
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
	root, err := controlplane.RepoRoot()
	if err != nil {
		return err
	}
	return readYAML(filepath.Join(root, "config", "rbac", file), into)
}

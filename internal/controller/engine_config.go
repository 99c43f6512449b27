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
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/provisioning"
)

// groupFinalizer holds a Delete-policy ProvisionedGroup until the
// integration's cycle has deleted its target group.
const groupFinalizer = "identity.scimbridge.io/delete-target-group"

// Defaults the API server fills in; repeated here for objects built in Go
// without defaulting (unit tests, old objects).
const (
	defaultSyncInterval       = 10 * time.Minute
	defaultFullResyncInterval = 24 * time.Hour
	defaultMaxDeactivations   = 50
	defaultMaxDeactivationPct = 10
	defaultDeactivationFloor  = 2
)

func groupKey(pg *identityv1alpha1.ProvisionedGroup) string {
	return pg.Namespace + "/" + pg.Name
}

func syncInterval(di *identityv1alpha1.DirectoryIntegration) time.Duration {
	if d := di.Spec.SyncInterval; d != nil && d.Duration > 0 {
		return d.Duration
	}
	return defaultSyncInterval
}

func fullResyncInterval(di *identityv1alpha1.DirectoryIntegration) time.Duration {
	if d := di.Spec.FullResyncInterval; d != nil && d.Duration > 0 {
		return d.Duration
	}
	return defaultFullResyncInterval
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func int32Or(p *int32, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

func stringOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// deletingWithTarget reports whether a ProvisionedGroup is being deleted and
// its target group must go first (Delete policy, finalizer still held).
func deletingWithTarget(pg *identityv1alpha1.ProvisionedGroup) bool {
	return !pg.DeletionTimestamp.IsZero() && pg.Spec.DeletionPolicy == identityv1alpha1.DeletionPolicyDelete &&
		pg.Spec.Push && controllerutil.ContainsFinalizer(pg, groupFinalizer)
}

// buildConfig maps an integration and its ProvisionedGroups to the engine's
// Config. A stalled duplicate is not read or pushed, so the older group
// keeps working; when it assigns members it is passed as blocked, so its
// members are not deactivated because it dropped out. An unresolved assign
// group is passed without an OktaID: the engine then knows its scope is
// incomplete and deactivates nobody on that basis.
func buildConfig(di *identityv1alpha1.DirectoryIntegration, st *identityv1alpha1.DirectoryIntegrationStatus, pgs []identityv1alpha1.ProvisionedGroup,
	stalled map[types.NamespacedName]string, mode provisioning.Mode, approval string) provisioning.Config {
	s := di.Spec
	cfg := provisioning.Config{
		Profile:                buildProfile(di),
		MaxGroups:              int32Or(s.Target.MaxGroups, 0),
		CreateUsers:            boolOr(s.Provisioning.CreateUsers, true),
		UpdateUsers:            boolOr(s.Provisioning.UpdateUserAttributes, true),
		DeactivateUsers:        boolOr(s.Provisioning.DeactivateUsers, true),
		People:                 slices.Clone(s.Assignments.People),
		MaxDeactivations:       int32Or(s.Safety.MaxDeactivations, defaultMaxDeactivations),
		MaxDeactivationPercent: int32Or(s.Safety.MaxDeactivationPercent, defaultMaxDeactivationPct),
		DeactivationFloor:      int32Or(s.Safety.DeactivationFloor, defaultDeactivationFloor),
		LastApprovedPlanID:     st.LastApprovedPlanID,
		DryRun:                 s.DryRun,
		Mode:                   mode,
		ApprovedPlanID:         approval,
		Bulk:                   s.Target.Bulk != identityv1alpha1.BulkDisabled,
		Mapping:                mappingConfig(s.AttributeMapping),
		Scope:                  s.Scope,
	}
	for i := range pgs {
		pg := &pgs[i]
		g, ok := groupConfig(pg)
		if why, dup := stalled[types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}]; dup {
			if !ok || !g.Assign {
				continue
			}
			g.Blocked, g.Push = "it is stalled as a duplicate: "+why, false
		}
		if ok {
			cfg.Groups = append(cfg.Groups, g)
		}
	}
	slices.SortFunc(cfg.Groups, func(a, b provisioning.GroupConfig) int { return cmp.Compare(a.Key, b.Key) })
	return cfg
}

// buildProfile is the target profile, CiscoSecureAccess by default.
func buildProfile(di *identityv1alpha1.DirectoryIntegration) provisioning.Profile {
	return provisioning.Profile(stringOr(string(di.Spec.Target.Profile), string(identityv1alpha1.TargetProfileCiscoSecureAccess)))
}

// mappingConfig maps spec.attributeMapping, shorthands and expressions.
func mappingConfig(m identityv1alpha1.AttributeMapping) provisioning.Mapping {
	out := provisioning.Mapping{
		UserName:       stringOr(m.UserName, "login"),
		DisplayName:    stringOr(m.DisplayName, "displayName"),
		NativeObjectID: m.NativeObjectID,
		SendEmails:     m.SendEmails,
		Constants:      maps.Clone(m.Constants),
	}
	for _, x := range m.Expressions {
		out.Expressions = append(out.Expressions, provisioning.AttributeExpression{
			Target: x.Target, Expression: x.Expression, ApplyOn: provisioning.ApplyOn(stringOr(string(x.ApplyOn), string(provisioning.ApplyAlways))),
		})
	}
	return out
}

// sendsEmails reports whether the target client may send emails: the
// shorthand asks for it, or an expression maps them.
func sendsEmails(di *identityv1alpha1.DirectoryIntegration) bool {
	m := di.Spec.AttributeMapping
	return m.SendEmails || slices.ContainsFunc(m.Expressions, func(x identityv1alpha1.AttributeExpression) bool { return x.Target == "emails" })
}

// groupConfig maps one ProvisionedGroup, or reports that the cycle has
// nothing to do with it.
func groupConfig(pg *identityv1alpha1.ProvisionedGroup) (provisioning.GroupConfig, bool) {
	deleting := !pg.DeletionTimestamp.IsZero()
	g := provisioning.GroupConfig{
		Key:        groupKey(pg),
		OktaID:     pg.Status.OktaGroupID,
		OktaName:   pg.Status.OktaGroupName,
		Assign:     pg.Spec.AssignMembers && !deleting,
		Push:       pg.Spec.Push,
		TargetName: pg.Spec.TargetDisplayName,
		TargetID:   pg.Status.TargetGroupID,
	}
	if pg.Status.PushedMembers != nil {
		g.BaselineMembers = int(*pg.Status.PushedMembers)
	}
	switch {
	case pg.Status.ConfirmedMembers != nil:
		g.ConfirmedMembers = int(*pg.Status.ConfirmedMembers)
	case pg.Status.Members != nil:
		g.ConfirmedMembers = int(*pg.Status.Members)
	}
	switch {
	case deleting:
		// A leaving group's members leave the scope; only a Delete-policy
		// push group still needs the cycle, to delete its target group.
		if !deletingWithTarget(pg) || (g.OktaID == "" && g.TargetID == "") {
			return g, false
		}
		g.Deleting = true
		return g, true
	case g.OktaID == "":
		// Unresolved: only an assign group matters (its scope is unknown).
		return g, pg.Spec.AssignMembers
	}
	return g, true
}

// duplicateGroups finds ProvisionedGroups of one integration that repeat an
// older one's Okta group, or (for pushed groups) its target group name. The
// older one keeps working; each younger one gets a message saying why it stalls.
func duplicateGroups(pgs []identityv1alpha1.ProvisionedGroup) map[types.NamespacedName]string {
	order := make([]*identityv1alpha1.ProvisionedGroup, len(pgs))
	for i := range pgs {
		order[i] = &pgs[i]
	}
	slices.SortFunc(order, func(a, b *identityv1alpha1.ProvisionedGroup) int {
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			if a.CreationTimestamp.Before(&b.CreationTimestamp) {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	owners := map[string]string{}
	out := map[types.NamespacedName]string{}
	for _, pg := range order {
		var msg string
		keys := groupIdentityKeys(pg)
		for _, k := range keys {
			if owner, ok := owners[k.key]; ok {
				msg = fmt.Sprintf("ProvisionedGroup %q already %s; delete one of them", owner, k.what)
				break
			}
		}
		if msg != "" {
			out[types.NamespacedName{Namespace: pg.Namespace, Name: pg.Name}] = msg
			continue
		}
		for _, k := range keys {
			owners[k.key] = pg.Name
		}
	}
	return out
}

type identityKey struct{ key, what string }

func groupIdentityKeys(pg *identityv1alpha1.ProvisionedGroup) []identityKey {
	var keys []identityKey
	id := cmp.Or(pg.Status.OktaGroupID, pg.Spec.OktaGroup.ID)
	name := cmp.Or(pg.Spec.OktaGroup.Name, pg.Status.OktaGroupName)
	if id != "" {
		keys = append(keys, identityKey{"okta-id:" + id, fmt.Sprintf("provisions Okta group %s", id)})
	}
	if name != "" {
		keys = append(keys, identityKey{"okta-name:" + name, fmt.Sprintf("provisions Okta group %q", name)})
	}
	if pg.Spec.Push {
		if target := cmp.Or(pg.Spec.TargetDisplayName, name); target != "" {
			keys = append(keys, identityKey{"target:" + strings.ToLower(target), fmt.Sprintf("pushes target group %q", target)})
		}
	}
	return keys
}

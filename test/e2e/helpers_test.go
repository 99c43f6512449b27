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

package e2e

import (
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/scim"
	"github.com/scimbridge/scimbridge/test/localenv"
)

func condition(conds []metav1.Condition, t string) *metav1.Condition {
	return meta.FindStatusCondition(conds, t)
}

// getDI returns the integration's current state.
func getDI(key client.ObjectKey) *v1.DirectoryIntegration {
	di := &v1.DirectoryIntegration{}
	Expect(cp.Client.Get(ctx, key, di)).To(Succeed())
	return di
}

// trigger asks for a cycle now, the way an administrator would.
func trigger(key client.ObjectKey) {
	di := getDI(key)
	patch := client.MergeFrom(di.DeepCopy())
	if di.Annotations == nil {
		di.Annotations = map[string]string{}
	}
	di.Annotations[v1.ReconcileRequestedAtAnnotation] = strconv.FormatInt(time.Now().UnixNano(), 10)
	Expect(cp.Client.Patch(ctx, di, patch)).To(Succeed())
}

// targetClient reads the SCIM test server through its API.
func targetClient(f *localenv.Fakes) *scim.Client {
	c, err := scim.New(f.SCIMURL, f.SCIMToken, scim.Options{})
	Expect(err).NotTo(HaveOccurred())
	return c
}

func targetUsers(f *localenv.Fakes) []scim.User {
	var out []scim.User
	for u, err := range targetClient(f).ListUsers(ctx, scim.ListOptions{}) {
		Expect(err).NotTo(HaveOccurred())
		out = append(out, u)
	}
	return out
}

// activeUserNames returns the userNames of active target users.
func activeUserNames(f *localenv.Fakes) []string {
	var names []string
	for _, u := range targetUsers(f) {
		if u.IsActive() {
			names = append(names, u.UserName)
		}
	}
	slices.Sort(names)
	return names
}

// groupMemberNames returns the userNames of a target group's members.
func groupMemberNames(f *localenv.Fakes, displayName string) []string {
	c := targetClient(f)
	g, err := c.FindGroupByDisplayName(ctx, displayName)
	if err != nil {
		return nil
	}
	g, err = c.GetGroupWithMembers(ctx, g.ID)
	Expect(err).NotTo(HaveOccurred())
	byID := map[string]string{}
	for _, u := range targetUsers(f) {
		byID[u.ID] = u.UserName
	}
	var names []string
	for _, m := range g.Members {
		names = append(names, byID[m.Value])
	}
	slices.Sort(names)
	return names
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// eventReasons lists the reasons of events about an object (events.k8s.io).
func eventReasons(namespace, name string) []string {
	list := &corev1.EventList{}
	Expect(cp.Client.List(ctx, list, client.InNamespace(namespace))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}

// annotateDI sets an annotation the way an administrator (or Argo CD) would.
func annotateDI(key client.ObjectKey, name, value string) {
	di := getDI(key)
	patch := client.MergeFrom(di.DeepCopy())
	if di.Annotations == nil {
		di.Annotations = map[string]string{}
	}
	di.Annotations[name] = value
	Expect(cp.Client.Patch(ctx, di, patch)).To(Succeed())
}

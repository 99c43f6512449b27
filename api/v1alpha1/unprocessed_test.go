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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// No controller runs in this suite: the objects are exactly what a user
// sees before the manager has processed them.
var _ = Describe("objects the controller has not processed yet", func() {
	BeforeEach(ensureNamespace)

	for _, file := range []string{integrationSample, groupSample} {
		It("read as in progress for kstatus ("+file+")", func() {
			obj := loadSample(file)
			obj.SetName(uniqueName("unseen"))
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())

			got := &unstructured.Unstructured{}
			got.SetGroupVersionKind(obj.GroupVersionKind())
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), got)).To(Succeed())
			observed, found, err := unstructured.NestedInt64(got.Object, "status", "observedGeneration")
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(BeTrue(), "status.observedGeneration is defaulted")
			Expect(observed).To(BeZero())

			res, err := status.Compute(got)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Status).To(Equal(status.InProgressStatus), res.Message)
		})
	}
})

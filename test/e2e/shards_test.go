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
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/scimbridge/scimbridge/api/v1alpha1"

	"github.com/scimbridge/scimbridge/test/localenv"
)

const (
	shardReplicas     = 3
	shardCount        = 6
	shardIntegrations = 12
	shardLeasePrefix  = "scimbridge-shard-e2e"
	// shardLease is how long a dead replica's shards wait for a new owner.
	shardLease = 3 * time.Second
)

var shardArgs = []string{
	"--leader-elect=false",
	fmt.Sprintf("--shards=%d", shardCount),
	"--shard-lease-prefix=" + shardLeasePrefix,
	"--shard-lease-duration=" + shardLease.String(),
	"--shard-renew-deadline=2s",
	"--shard-retry-period=500ms",
}

// sharded is one integration of the spec with its own Okta org and target.
type sharded struct {
	fakes   *localenv.Fakes
	samples *localenv.Samples
}

var _ = Describe("shards across manager replicas", Serial, func() {
	It("has every integration written by one replica at a time, and moves a killed replica's integrations", func() {
		By("stopping the cluster-wide manager until the spec ends")
		Expect(mgr.Stop(15 * time.Second)).To(Succeed())
		DeferCleanup(func() { mgr = startManager("manager-after-shards") })

		By(fmt.Sprintf("starting %d replicas with %d shards", shardReplicas, shardCount))
		replicas := make([]*localenv.Manager, shardReplicas)
		for i := range replicas {
			replicas[i] = startShardReplica(fmt.Sprintf("shard-replica-%d", i))
		}
		Eventually(shardHolders).Should(HaveLen(shardReplicas), "every replica holds its share")
		Eventually(func() []int {
			var n []int
			for _, held := range shardHolders() {
				n = append(n, held)
			}
			return n
		}).Should(ConsistOf(2, 2, 2))

		By(fmt.Sprintf("applying %d integrations, each with its own Okta org and a slowed target", shardIntegrations))
		all := applySharded("shards", shardIntegrations, 150*time.Millisecond)
		want := sorted(localenv.ExpectedSecureAccessUsers())

		By("killing with SIGKILL a replica that is in the middle of an initial sync")
		var victim string
		Eventually(func() string {
			for _, s := range all {
				spans := s.fakes.Audit.Spans()
				if len(spans) > 0 && s.fakes.SCIM.UserCount() < len(want) {
					victim = spans[len(spans)-1].Replica
				}
			}
			return victim
		}, time.Minute, 10*time.Millisecond).ShouldNot(BeEmpty())
		killed := -1
		for i, m := range replicas {
			if logs, err := m.Logs(); err == nil && strings.Contains(logs, victim) {
				killed = i
			}
		}
		Expect(killed).NotTo(Equal(-1), "no replica logged the identity %s", victim)
		replicas[killed].Kill()
		killedAt := time.Now()
		midCycle := 0
		for _, s := range all {
			if spans := s.fakes.Audit.Spans(); len(spans) > 0 && spans[len(spans)-1].Replica == victim && s.fakes.SCIM.UserCount() < len(want) {
				midCycle++
			}
		}
		Expect(midCycle).To(BeNumerically(">=", 1))
		AddReportEntry("killed replica and its initial syncs cut short", fmt.Sprintf("%s: %d", victim, midCycle))

		By("waiting for the survivors to take the killed replica's shards")
		Eventually(shardHolders, 30*time.Second).Should(And(HaveLen(shardReplicas-1), Not(HaveKey(victim))))
		Eventually(func() int {
			n := 0
			for _, held := range shardHolders() {
				n += held
			}
			return n
		}).Should(Equal(shardCount))

		By("asking every integration for a cycle, and waiting for all to converge")
		asked := time.Now()
		for _, s := range all {
			trigger(client.ObjectKeyFromObject(s.samples.Integration))
		}
		for i, s := range all {
			Eventually(func(g Gomega) {
				di := getDI(client.ObjectKeyFromObject(s.samples.Integration))
				g.Expect(di.Status.LastSyncTime).NotTo(BeNil())
				g.Expect(di.Status.LastSyncTime.After(asked.Add(-time.Second))).To(BeTrue(), "integration %d: no cycle since it was asked for", i)
				g.Expect(condition(di.Status.Conditions, v1.ConditionReady)).To(HaveField("Status", BeEquivalentTo("True")))
			}, 2*time.Minute).Should(Succeed())
			Eventually(func() []string { return activeUserNames(s.fakes) }).Should(Equal(want))
		}

		By("checking the targets' request logs: one replica at a time, the killed one's integrations moved")
		moved := 0
		for i, s := range all {
			writers := checkOneWriterAtATime(i, s.fakes.Audit.Spans())
			switch {
			case slices.Contains(writers, victim):
				Expect(writers).To(HaveLen(2), "integration %d: the killed replica and one successor", i)
				moved++
				first := firstSpan(s.fakes.Audit.Spans(), writers[1-slices.Index(writers, victim)])
				Expect(first.Sub(killedAt)).To(BeNumerically(">=", shardLease-time.Second),
					"integration %d: taken over before the killed replica's lease could expire", i)
			default:
				Expect(writers).To(HaveLen(1), "integration %d: written by %v", i, writers)
			}
			byExternal := map[string]int{}
			for _, u := range targetUsers(s.fakes) {
				byExternal[u.ExternalID]++
				Expect(byExternal[u.ExternalID]).To(Equal(1), "integration %d: two target users share externalId %s", i, u.ExternalID)
			}
			Expect(s.fakes.Audit.Deactivations()).To(BeZero(), "integration %d: deactivations", i)
		}
		Expect(moved).To(BeNumerically(">=", 1), "the killed replica was writing to a target")
		AddReportEntry("integrations taken over from the killed replica", moved)

		By("deleting the integrations")
		deleteSharded(all)
	})

	It("cancels the cycles of shards a replica gives back when another joins", func() {
		By("stopping the cluster-wide manager until the spec ends")
		Expect(mgr.Stop(15 * time.Second)).To(Succeed())
		DeferCleanup(func() { mgr = startManager("manager-after-rebalance") })

		By("starting one replica, which takes every shard")
		first := startShardReplica("rebalance-first")
		Eventually(shardHolders).Should(HaveLen(1))
		var firstID string
		for id := range shardHolders() {
			firstID = id
		}
		By("applying 6 integrations with targets slow enough that a sync outlasts a shard move")
		// Slow enough that a sync outlasts the second replica's start and
		// the shard moves (several seconds), so some move mid-cycle.
		all := applySharded("rebalance", 6, 3*time.Second)
		want := sorted(localenv.ExpectedSecureAccessUsers())

		By("starting a second replica while the first is in the middle of initial syncs")
		Eventually(func() int {
			n := 0
			for _, s := range all {
				if len(s.fakes.Audit.Spans()) > 0 && s.fakes.SCIM.UserCount() < len(want) {
					n++
				}
			}
			return n
		}, time.Minute, 10*time.Millisecond).Should(BeNumerically(">=", 3))
		startShardReplica("rebalance-second")
		Eventually(func() []int {
			var n []int
			for _, held := range shardHolders() {
				n = append(n, held)
			}
			return n
		}, 30*time.Second).Should(ConsistOf(3, 3))

		By("waiting for every integration to converge")
		for _, s := range all {
			readyCtx, done := context.WithTimeout(ctx, 2*time.Minute)
			Expect(localenv.WaitIntegrationReady(readyCtx, cp.Client, s.samples.Integration)).To(Succeed())
			done()
			Eventually(func() []string { return activeUserNames(s.fakes) }).Should(Equal(want))
		}

		By("checking that the handed-over syncs stopped on the first replica before the second began")
		logs, err := first.Logs()
		Expect(err).NotTo(HaveOccurred())
		Expect(logs).To(ContainSubstring("released to balance shards over replicas"))
		cutShort := 0
		for i, s := range all {
			writers := checkOneWriterAtATime(i, s.fakes.Audit.Spans())
			// The first replica wrote, never finished a cycle, and the
			// second one finished it: the cycle was cancelled mid-way.
			finished := `"cycle finished".*"namespace":"` + s.samples.Integration.Namespace + `"`
			if len(writers) == 2 && writers[0] == firstID && !regexp.MustCompile(finished).MatchString(logs) {
				cutShort++
			}
			Expect(len(writers)).To(BeNumerically("<=", 2), "integration %d: written by %v", i, writers)
			Expect(s.fakes.Audit.Deactivations()).To(BeZero(), "integration %d: deactivations", i)
		}
		Expect(cutShort).To(BeNumerically(">=", 1), "a cycle in flight was cancelled and its integration moved")
		AddReportEntry("syncs handed over mid-cycle", cutShort)
		By("deleting the integrations")
		deleteSharded(all)
	})
})

// startShardReplica starts a sharded manager and waits until it is ready.
func startShardReplica(name string) *localenv.Manager {
	args := append(slices.Clone(managerArgs), shardArgs...)
	m, err := localenv.StartManager(binary, managerKubeconfig, localenv.LogPath(workDir, name), args...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			if logs, err := m.Logs(); err == nil {
				GinkgoWriter.Println(lastLines(logs, 60))
			}
		}
		Expect(m.Stop(15 * time.Second)).To(Succeed())
	})
	readyCtx, done := context.WithTimeout(ctx, time.Minute)
	defer done()
	Expect(m.WaitReady(readyCtx)).To(Succeed())
	return m
}

// applySharded applies n integrations in namespaces <prefix>-NN, each with
// its own Okta org and a target slowed by latency.
func applySharded(prefix string, n int, latency time.Duration) []sharded {
	all := make([]sharded, n)
	for i := range all {
		f, err := localenv.StartFakes(1000)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(f.Close)
		_, err = localenv.SeedDemoOrg(f.Okta)
		Expect(err).NotTo(HaveOccurred())
		f.SCIM.SetLatency(latency)
		ns := fmt.Sprintf("%s-%02d", prefix, i)
		Expect(cp.EnsureNamespace(ctx, ns)).To(Succeed())
		s, err := localenv.ApplySamples(ctx, cp.Client, ns, f, func(s *localenv.Samples) {
			s.Integration.Spec.Safety.MaxDeactivations = ptr.To[int32](0)
		})
		Expect(err).NotTo(HaveOccurred())
		all[i] = sharded{fakes: f, samples: s}
	}
	return all
}

// deleteSharded deletes the spec's objects while its replicas still run,
// so that the cluster-wide manager never sees them.
func deleteSharded(all []sharded) {
	By("deleting the integrations while the replicas still run")
	for _, s := range all {
		for _, obj := range []client.Object{s.samples.Group, s.samples.Integration} {
			Expect(client.IgnoreNotFound(cp.Client.Delete(ctx, obj))).To(Succeed())
		}
	}
	for _, s := range all {
		for _, obj := range []client.Object{s.samples.Group, s.samples.Integration} {
			Eventually(func() bool {
				return apierrors.IsNotFound(cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj))
			}).Should(BeTrue(), "%T %s/%s still exists", obj, obj.GetNamespace(), obj.GetName())
		}
	}
}

// shardHolders counts the shard leases each replica holds now, as the
// leases say.
func shardHolders() map[string]int {
	var list coordinationv1.LeaseList
	Expect(cp.Client.List(ctx, &list, client.InNamespace(localenv.LeaderNamespace),
		client.MatchingLabels{"shards.scimbridge.io/set": shardLeasePrefix, "shards.scimbridge.io/kind": "shard"})).To(Succeed())
	out := map[string]int{}
	for _, l := range list.Items {
		if l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
			out[*l.Spec.HolderIdentity]++
		}
	}
	return out
}

// checkOneWriterAtATime fails if two replicas had requests in flight at
// one target at once, and returns the replicas in the order they began.
func checkOneWriterAtATime(integration int, spans []localenv.Span) []string {
	var writers []string
	for i, a := range spans {
		if !slices.Contains(writers, a.Replica) {
			writers = append(writers, a.Replica)
		}
		for _, b := range spans[i+1:] {
			if a.Replica != b.Replica && a.Begin.Before(b.End) && b.Begin.Before(a.End) {
				Fail(fmt.Sprintf("integration %d: %s and %s had requests in flight at once (%s–%s, %s–%s)", integration,
					a.Replica, b.Replica, a.Begin.Format(time.StampMilli), a.End.Format(time.StampMilli),
					b.Begin.Format(time.StampMilli), b.End.Format(time.StampMilli)))
			}
		}
	}
	return writers
}

// firstSpan returns when the replica's first request reached the target.
func firstSpan(spans []localenv.Span, replica string) time.Time {
	for _, s := range spans {
		if s.Replica == replica {
			return s.Begin
		}
	}
	return time.Time{}
}

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

package sharding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Labels on every lease of a shard set, so one List reads them all.
const (
	labelSet   = "shards.scimbridge.io/set"
	labelKind  = "shards.scimbridge.io/kind"
	labelShard = "shards.scimbridge.io/shard"
	kindShard  = "shard"
	kindMember = "replica"
)

func (m *Manager) shardLeaseName(shard int) string { return m.cfg.Name + "-" + strconv.Itoa(shard) }

func (m *Manager) memberLeaseName() string { return m.cfg.Name + "-replica-" + m.cfg.Identity }

// leaseSet is one read of the set's leases.
type leaseSet struct {
	shards  map[int]*coordinationv1.Lease
	members []*coordinationv1.Lease
}

// list reads every lease of the set with one consistent read.
func (m *Manager) list(ctx context.Context) (leaseSet, error) {
	ctx, cancel := context.WithTimeout(ctx, m.callTimeout())
	defer cancel()
	var list coordinationv1.LeaseList
	if err := m.cfg.Reader.List(ctx, &list, client.InNamespace(m.cfg.Namespace), client.MatchingLabels{labelSet: m.cfg.Name}); err != nil {
		return leaseSet{}, err
	}
	set := leaseSet{shards: map[int]*coordinationv1.Lease{}}
	for i := range list.Items {
		l := &list.Items[i]
		switch l.Labels[labelKind] {
		case kindShard:
			if n, err := strconv.Atoi(l.Labels[labelShard]); err == nil && n >= 0 && n < m.cfg.Shards && l.Name == m.shardLeaseName(n) {
				set.shards[n] = l
			}
		case kindMember:
			set.members = append(set.members, l)
		}
	}
	return set, nil
}

// newLease is a lease of the set, held by this replica from now on.
func (m *Manager) newLease(name, kind string, shard int) *coordinationv1.Lease {
	labels := map[string]string{labelSet: m.cfg.Name, labelKind: kind, "app.kubernetes.io/managed-by": "scimbridge"}
	if kind == kindShard {
		labels[labelShard] = strconv.Itoa(shard)
	}
	l := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: m.cfg.Namespace, Labels: labels}}
	m.claim(l)
	return l
}

// claim makes l name this replica as holder, renewed now.
func (m *Manager) claim(l *coordinationv1.Lease) {
	now := metav1.NowMicro()
	if holder(l) != m.cfg.Identity {
		l.Spec.AcquireTime = &now
		if holder(l) != "" || l.Spec.LeaseTransitions != nil {
			n := int32(0)
			if l.Spec.LeaseTransitions != nil {
				n = *l.Spec.LeaseTransitions + 1
			}
			l.Spec.LeaseTransitions = &n
		}
	}
	id := m.cfg.Identity
	l.Spec.HolderIdentity = &id
	secs := int32(m.cfg.LeaseDuration / time.Second) //nolint:gosec // validated: a few seconds to minutes
	l.Spec.LeaseDurationSeconds = &secs
	l.Spec.RenewTime = &now
}

// write creates or updates l (conditional on the resourceVersion it was
// read with) and returns the stored object.
func (m *Manager) write(ctx context.Context, l *coordinationv1.Lease) error {
	ctx, cancel := context.WithTimeout(ctx, m.callTimeout())
	defer cancel()
	if l.ResourceVersion == "" {
		return m.cfg.Client.Create(ctx, l)
	}
	return m.cfg.Client.Update(ctx, l)
}

func holder(l *coordinationv1.Lease) string {
	if l == nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// leaseDuration is how long l lasts after a renewal seen by another
// replica: its own duration, or ours if that is longer (a replica with
// another setting never shortens the wait).
func (m *Manager) leaseDuration(l *coordinationv1.Lease) time.Duration {
	d := m.cfg.LeaseDuration
	if l.Spec.LeaseDurationSeconds != nil {
		d = max(d, time.Duration(*l.Spec.LeaseDurationSeconds)*time.Second)
	}
	return d
}

// observation is when this replica last saw a lease change. Expiry is
// judged only from it, on this replica's monotonic clock, never from the
// renewTime another replica wrote with its own clock: clock offsets
// between machines do not matter, only how fast the clocks run.
type observation struct {
	resourceVersion string
	at              time.Duration
	// freeSince is when it was first seen free (released, expired or
	// missing); -1 while held.
	freeSince time.Duration
}

// observe notes what changed since the last read.
func (m *Manager) observe(set leaseSet, now time.Duration) {
	seen := map[string]bool{}
	note := func(name string, l *coordinationv1.Lease) {
		seen[name] = true
		o, ok := m.seen[name]
		if !ok || l == nil || o.resourceVersion != l.ResourceVersion {
			o.at = now
			if l != nil {
				o.resourceVersion = l.ResourceVersion
			}
		}
		free := l == nil || holder(l) == "" || now-o.at >= m.leaseDuration(l)
		switch {
		case !free:
			o.freeSince = -1
		case !ok || o.freeSince < 0:
			o.freeSince = now
		}
		m.seen[name] = o
	}
	for shard := range m.cfg.Shards {
		note(m.shardLeaseName(shard), set.shards[shard])
	}
	for _, l := range set.members {
		note(l.Name, l)
	}
	for name := range m.seen {
		if !seen[name] {
			delete(m.seen, name)
		}
	}
}

// live reports whether l is held and renewed within its duration, as this
// replica observed it.
func (m *Manager) live(l *coordinationv1.Lease, now time.Duration) bool {
	if l == nil || holder(l) == "" {
		return false
	}
	o, ok := m.seen[l.Name]
	return ok && now-o.at < m.leaseDuration(l)
}

// noteWrite records a lease this replica just wrote, so that its own
// writes never make the lease look changed by someone else.
func (m *Manager) noteWrite(l *coordinationv1.Lease, now time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[l.Name] = observation{resourceVersion: l.ResourceVersion, at: now, freeSince: -1}
}

// NewIdentity returns a name for this replica that no other replica, and
// no earlier run of this one, uses: the pod name (the host name in a
// cluster) and a random suffix. A replica restarted with the same name
// must not inherit leases its previous run may still act on.
func NewIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "scimbridge"
	}
	host = strings.Trim(invalidName.ReplaceAllString(strings.ToLower(host), "-"), "-")
	if len(host) > 40 {
		host = strings.Trim(host[:40], "-")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

var invalidName = regexp.MustCompile("[^a-z0-9-]+")

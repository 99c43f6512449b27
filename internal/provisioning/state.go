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

package provisioning

import (
	"time"
)

// state is what the engine remembers between cycles. All of it can be lost:
// the next cycle is then a full one and reaches the same result.
type state struct {
	scopeHash string
	want      *desired
	have      *actual
	// watermark is the next "since" for incremental reads; zero forces a full cycle.
	watermark time.Time
	// held is the last held set, which an approval may name.
	held *HeldSet
	// confirmed caches candidates' own Okta records between full cycles.
	confirmed map[string]confirmation
	// retry holds the backoff of objects whose change failed.
	retry map[string]retryRecord
	// pushedAt is when each group's membership was last written or confirmed.
	pushedAt map[string]time.Time
	// unknownPeople spaces lookups of direct assignments Okta did not know.
	unknownPeople lookupBackoff
	// confirmedMembers is each assigned group's last trusted member count,
	// the baseline a suspicious read is judged against (it does not follow
	// a read that holds changes until they are approved).
	confirmedMembers map[string]int
	// lastApproved is the held set most recently released by approval.
	lastApproved string
}

type retryRecord struct {
	attempts int
	next     time.Time
}

func newState() *state {
	return &state{confirmed: map[string]confirmation{}, retry: map[string]retryRecord{}, pushedAt: map[string]time.Time{},
		unknownPeople: lookupBackoff{}, confirmedMembers: map[string]int{}}
}

// rescoped starts over after the configuration changed what is read or how
// users are mapped: the views and the watermark go (the next cycle is a
// full one), but what is kept per object stays valid: retry backoffs,
// unknown assignments, the held set and the last approval, baselines.
func (st *state) rescoped(hash string) *state {
	n := newState()
	n.scopeHash = hash
	if st != nil {
		n.retry, n.unknownPeople, n.held, n.lastApproved = st.retry, st.unknownPeople, st.held, st.lastApproved
		n.confirmedMembers, n.pushedAt = st.confirmedMembers, st.pushedAt
	}
	return n
}

// clone copies the target view so a dry run can simulate writes on it.
func (a *actual) clone() *actual {
	c := newActual(a.ids)
	for _, u := range a.Users {
		cp := *u
		c.putUser(&cp)
	}
	for _, g := range a.Groups {
		cp := *g // member sets are immutable: the copy shares them
		c.putGroup(&cp)
	}
	return c
}

// backoff returns the wait before retrying an object that failed attempts times.
func (o Options) backoff(attempts int) time.Duration {
	d := o.RetryBase
	for i := 1; i < attempts && d < o.RetryMax; i++ {
		d *= 2
	}
	return min(d, o.RetryMax)
}

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
	"iter"
	"math/bits"
	"slices"
)

// userRef is a user id's handle in the engine's views. Member lists hold
// refs instead of id strings: 4 bytes a member instead of a 16-byte header
// (plus a map entry on the target side), nothing for the collector to scan,
// and lists compared by merging sorted slices instead of hashing strings.
type userRef uint32

// idTable interns the user ids of one scope's views, Okta ids and target
// ids alike, so each id is kept once however many groups list it. It only
// grows; a full cycle starts a new one. It is not synchronised: callers
// serialise access as they do for the views that hold it.
type idTable struct {
	refs  map[string]userRef
	names []string
}

func newIDTable() *idTable { return &idTable{refs: map[string]userRef{}} }

// intern returns id's ref, adding id when new, and the table's copy of the
// string, which callers keep instead of their own so the views share one.
func (t *idTable) intern(id string) (userRef, string) {
	if r, ok := t.refs[id]; ok {
		return r, t.names[r]
	}
	r := userRef(len(t.names)) //nolint:gosec // ids of one scope number millions at most, far below 2^32
	t.names = append(t.names, id)
	t.refs[id] = r
	return r, id
}

// ref is intern without the string.
func (t *idTable) ref(id string) userRef {
	r, _ := t.intern(id)
	return r
}

// lookup returns id's ref without adding it.
func (t *idTable) lookup(id string) (userRef, bool) {
	r, ok := t.refs[id]
	return r, ok
}

func (t *idTable) name(r userRef) string { return t.names[r] }

// namesOf returns the ids of refs, in order.
func (t *idTable) namesOf(refs refSet) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = t.names[r]
	}
	return out
}

// refSet is a sorted, duplicate-free set of refs, treated as immutable:
// changes return a new set, so views and their copies can share one. Where
// a view must tell "not read" from "empty", nil is the former and refSet{}
// the latter.
type refSet []userRef

// newRefSet sorts and deduplicates refs in place; the result is never nil.
func newRefSet(refs []userRef) refSet {
	if refs == nil {
		return refSet{}
	}
	slices.Sort(refs)
	return refSet(slices.Clip(slices.Compact(refs)))
}

// has reports whether r is in s.
func (s refSet) has(r userRef) bool {
	_, found := slices.BinarySearch(s, r)
	return found
}

// diff returns the refs of want missing from have, and those of have
// missing from want.
func diff(want, have refSet) (missing, extra refSet) {
	i, j := 0, 0
	for i < len(want) && j < len(have) {
		switch {
		case want[i] == have[j]:
			i++
			j++
		case want[i] < have[j]:
			missing = append(missing, want[i])
			i++
		default:
			extra = append(extra, have[j])
			j++
		}
	}
	missing = append(missing, want[i:]...)
	extra = append(extra, have[j:]...)
	return missing, extra
}

// with returns s plus add and minus remove (both sorted).
func (s refSet) with(add, remove refSet) refSet {
	out := make(refSet, 0, len(s)+len(add))
	i, j := 0, 0
	for i < len(s) || j < len(add) {
		var next userRef
		switch {
		case j == len(add) || (i < len(s) && s[i] < add[j]):
			next = s[i]
			i++
		case i == len(s) || add[j] < s[i]:
			next = add[j]
			j++
		default:
			next = s[i]
			i++
			j++
		}
		if !remove.has(next) {
			out = append(out, next)
		}
	}
	return slices.Clip(out)
}

// refMark is a set of refs as bits, for the scope of a cycle: a bit per
// interned id instead of a map entry per user.
type refMark []uint64

func newRefMark(t *idTable) refMark { return make(refMark, (len(t.names)+63)/64) }

func (m refMark) set(r userRef) { m[r/64] |= 1 << (r % 64) }

func (m refMark) has(r userRef) bool {
	return int(r/64) < len(m) && m[r/64]&(1<<(r%64)) != 0
}

// all yields the refs in m, in order.
func (m refMark) all() iter.Seq[userRef] {
	return func(yield func(userRef) bool) {
		for i, w := range m {
			for w != 0 {
				b := bits.TrailingZeros64(w)
				if !yield(userRef(i*64 + b)) { //nolint:gosec // bounded by the table size
					return
				}
				w &= w - 1
			}
		}
	}
}

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
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

func TestIDTableInternsOnce(t *testing.T) {
	tab := newIDTable()
	a, s1 := tab.intern(string([]byte("00u1")))
	b, s2 := tab.intern(string([]byte("00u1")))
	if a != b || tab.name(a) != "00u1" || len(tab.names) != 1 {
		t.Fatalf("refs %d %d, names %v", a, b, tab.names)
	}
	if unsafe.StringData(s1) != unsafe.StringData(s2) {
		t.Fatal("intern must return the table's copy, so views share one")
	}
	if _, ok := tab.lookup("00u2"); ok {
		t.Fatal("lookup added an id")
	}
}

// The set operations agree with a map-based model on random sets.
func TestRefSetOperationsMatchAModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() (refSet, map[userRef]bool) {
		m := map[userRef]bool{}
		var refs []userRef
		for range rng.IntN(40) {
			r := userRef(rng.IntN(60))
			m[r] = true
			refs = append(refs, r)
		}
		return newRefSet(refs), m
	}
	for range 500 {
		want, wm := random()
		have, hm := random()
		missing, extra := diff(want, have)
		for _, r := range missing {
			if !wm[r] || hm[r] {
				t.Fatalf("missing %d: want %v have %v", r, want, have)
			}
		}
		for _, r := range extra {
			if wm[r] || !hm[r] {
				t.Fatalf("extra %d: want %v have %v", r, want, have)
			}
		}
		if n := len(want) - len(missing); n != len(have)-len(extra) {
			t.Fatalf("common counts differ: want %v have %v", want, have)
		}
		got := have.with(missing, extra)
		if !slices.Equal(got, want) {
			t.Fatalf("have.with(missing, extra) = %v, want %v", got, want)
		}
		for r := range userRef(60) {
			if want.has(r) != wm[r] {
				t.Fatalf("has(%d) = %t", r, want.has(r))
			}
		}
	}
}

func TestRefSetNilMeansUnknown(t *testing.T) {
	if newRefSet(nil) == nil {
		t.Fatal("an empty read must be a known, empty set")
	}
	var unknown refSet
	if got := unknown.with(refSet{3}, nil); !slices.Equal(got, refSet{3}) {
		t.Fatalf("with on nil = %v", got)
	}
}

func TestRefMark(t *testing.T) {
	tab := newIDTable()
	for i := range 130 {
		tab.ref(string(rune('a'+i%26)) + string(rune('0'+i/26)))
	}
	m := newRefMark(tab)
	for _, r := range []userRef{0, 63, 64, 129} {
		m.set(r)
	}
	if got := slices.Collect(m.all()); !slices.Equal(got, []userRef{0, 63, 64, 129}) {
		t.Fatalf("all = %v", got)
	}
	if m.has(1) || !m.has(64) || m.has(500) {
		t.Fatal("has")
	}
}

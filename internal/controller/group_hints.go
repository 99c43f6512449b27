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

import "sync"

// groupHint is what a cycle learned about an Okta group.
type groupHint struct {
	name string
	gone bool
}

// groupHints hands cycle observations to the ProvisionedGroup controller,
// keyed by group and tied to the Okta id they are about. Losing them (a
// restart) costs nothing: the next cycle observes again.
type groupHints struct {
	mu sync.Mutex
	m  map[string]hintEntry
}

type hintEntry struct {
	oktaID string
	hint   groupHint
}

func newGroupHints() *groupHints { return &groupHints{m: map[string]hintEntry{}} }

func (h *groupHints) set(key, oktaID string, hint groupHint) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.m[key] = hintEntry{oktaID: oktaID, hint: hint}
}

// get returns the hint for key while it is about oktaID and not yet
// reflected in the status (currentName). A hint stays until a reconcile sees
// it applied, so a reconcile working from a stale cache cannot undo it.
func (h *groupHints) get(key, oktaID, currentName string) (groupHint, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[key]
	if !ok {
		return groupHint{}, false
	}
	if oktaID == "" || e.oktaID != oktaID || (!e.hint.gone && e.hint.name == currentName) {
		delete(h.m, key)
		return groupHint{}, false
	}
	return e.hint, true
}

func (h *groupHints) forget(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, key)
}

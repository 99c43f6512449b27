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
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"
)

// newHeldSet builds the held set of a cycle. Its id is a hash of the held
// changes' keys and of the last approved set: an approval naming it can
// only ever release this exact content, and the same content held again
// after an approval is a new hold with a new id. since is kept from the
// previous set when the id is the same.
func newHeldSet(changes []HeldChange, reasons []string, cfg *Config, previous *HeldSet, lastApproved string, now time.Time) *HeldSet {
	if len(changes) == 0 {
		return nil
	}
	slices.SortFunc(changes, func(a, b HeldChange) int { return cmp.Compare(a.key, b.key) })
	h := sha256.New()
	fmt.Fprintf(h, "after:%s\n", lastApproved)
	for _, c := range changes {
		h.Write([]byte(c.key))
		h.Write([]byte{'\n'})
	}
	id := hex.EncodeToString(h.Sum(nil))[:20]
	since := now
	if previous != nil && previous.ID == id {
		since = previous.Since
	}
	var deact, renames, removals int
	for _, c := range changes {
		switch c.Action {
		case ActionDeactivate:
			deact++
		case ActionRename:
			renames++
		case ActionRemoveMembers:
			removals++
		}
	}
	reason := fmt.Sprintf("held: %d deactivations, %d userName changes, %d group member removals", deact, renames, removals)
	if len(reasons) > 0 {
		reason += ": " + strings.Join(slices.Compact(slices.Sorted(slices.Values(reasons))), "; ")
	}
	return &HeldSet{ID: id, Reason: reason, Since: since, Changes: changes}
}

// releasedKeys returns the keys an approval releases: those of the previous
// held set when the approval names it. Changes that are no longer candidates
// simply do not appear in this cycle's plan, so they are not applied.
func releasedKeys(cfg *Config, previous *HeldSet) (map[string]bool, string) {
	if cfg.ApprovedPlanID == "" || previous == nil || previous.ID != cfg.ApprovedPlanID {
		return nil, ""
	}
	keys := make(map[string]bool, len(previous.Changes))
	for _, c := range previous.Changes {
		keys[c.key] = true
	}
	return keys, previous.ID
}

// planID identifies a whole plan by content, for dry runs and reports: h
// holds the user changes (userSummary.digest), and the group changes are
// added to it.
func planID(h hash.Hash, groups []*groupChange, ids *idTable) string {
	for _, c := range groups {
		// Members by id, not by ref: refs depend on the order ids were seen.
		fmt.Fprintf(h, "%s|%s|%s|%t|%t|%t|%v|%v\n", c.Key, c.TargetID, c.Name, c.Create, c.Rename, c.Delete,
			slices.Sorted(slices.Values(ids.namesOf(c.Add))), slices.Sorted(slices.Values(ids.namesOf(c.Remove))))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// suspectRead says why a complete read of an assigned group must not shrink
// the scope on its own: it went from members to none, or lost more members
// than the percentage bound (above the floor) allows, counted from the last
// confirmed member count. "" when the read is ordinary.
func suspectRead(cfg *Config, dg *desiredGroup, confirmed map[string]int) string {
	if !dg.Config.Assign {
		return ""
	}
	baseline, ok := confirmed[dg.Config.Key]
	if !ok {
		baseline = dg.Config.ConfirmedMembers
	}
	now := len(dg.Members)
	switch {
	case baseline > 0 && now == 0:
		return fmt.Sprintf("Okta group %s read empty after %d members", dg.displayName(), baseline)
	case baseline-now > percentAllowance(cfg, baseline):
		return fmt.Sprintf("Okta group %s lost %d of its %d members in one cycle", dg.displayName(), baseline-now, baseline)
	}
	return ""
}

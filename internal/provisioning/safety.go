package provisioning

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// newHeldSet builds the held set of a cycle. Its id is a hash of the held
// changes' keys, so an approval naming it can only ever release this exact
// content; since is kept from the previous set when the content is the same.
func newHeldSet(changes []HeldChange, cfg *Config, previous *HeldSet, now time.Time) *HeldSet {
	if len(changes) == 0 {
		return nil
	}
	slices.SortFunc(changes, func(a, b HeldChange) int { return cmp.Compare(a.key, b.key) })
	h := sha256.New()
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
	reason := fmt.Sprintf("held: %d deactivations, %d userName changes, %d group member removals exceed the thresholds (maxDeactivations %d, maxDeactivationPercent %d%%)",
		deact, renames, removals, cfg.MaxDeactivations, cfg.MaxDeactivationPercent)
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

// planID identifies a whole plan by content, for dry runs and reports.
func planID(users []*userChange, groups []*groupChange) string {
	h := sha256.New()
	for _, c := range users {
		fmt.Fprintf(h, "%s|%s|%s|%s|%v|%t|%s\n", c.action(), c.OktaID, c.TargetID, c.NewUserName, c.Attrs, c.Link, c.Reason)
	}
	for _, c := range groups {
		fmt.Fprintf(h, "%s|%s|%s|%t|%t|%t|%v|%v\n", c.Key, c.TargetID, c.Name, c.Create, c.Rename, c.Delete, c.Add, c.Remove)
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

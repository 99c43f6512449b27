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
	"crypto/sha256"
	"fmt"
	"hash"
)

// userSummary is what the end of a cycle needs of its user changes: the
// plan's id hash, the report's sample and the renames for the threshold
// window. It is taken before the writes, which then drop each change once
// applied: an initial sync's plan holds a change per user.
type userSummary struct {
	digest  hash.Hash
	sample  []PlannedChange
	renames int
}

// summarizeUsers takes the summary from the planned changes and from those
// to be applied now (the planned ones less those deferred to their retry
// time).
func summarizeUsers(planned, applied []*userChange) userSummary {
	s := userSummary{digest: sha256.New(), sample: appendSample(nil, planned, nil)}
	for _, c := range planned {
		if c.NewUserName != "" {
			s.renames++
		}
	}
	for _, c := range applied {
		fmt.Fprintf(s.digest, "%s|%s|%s|%s|%v|%t|%s\n", c.action(), c.OktaID, c.TargetID, c.NewUserName, c.Attrs, c.Link, c.Reason)
	}
	return s
}

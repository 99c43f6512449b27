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

import (
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
)

// A feed that falls behind asks for one full cycle, then waits before the
// next one for the same mark, and clears the mark only when a cycle
// submitted after it read Okta completely.
func TestFeedBehindIsCoveredOnce(t *testing.T) {
	feed := newChangeFeed(FeedOptions{}, newCyclePool(1, time.Minute), newFeedMetrics(), logr.Discard())
	key := types.NamespacedName{Namespace: "team", Name: "okta"}
	reg := feedRegistration{orgURL: "https://acme.okta.com"}
	feed.register(key, reg)
	feed.fallBehind(key, "a targeted cycle failed")
	v := feed.register(key, reg)
	if v.behind == "" || !v.behindDue {
		t.Fatalf("after the mark: %+v, want behind and due", v)
	}
	feed.covered(key)
	if v := feed.register(key, reg); v.behind == "" {
		t.Fatal("a cycle submitted before the mark cleared it")
	}
	feed.covering(key, v.behindSeq)
	if v := feed.register(key, reg); v.behind == "" || v.behindDue {
		t.Fatalf("while the covering cycle runs: %+v, want behind and not due", v)
	}
	feed.covered(key)
	if v := feed.register(key, reg); v.behind != "" {
		t.Fatalf("after the covering cycle: %+v, want the mark cleared", v)
	}
}

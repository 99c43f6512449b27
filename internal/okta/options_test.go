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

package okta

import (
	"testing"
	"time"
)

// Zero fields take the table's values; set ones are kept.
func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.PageSize != 1000 || o.SearchPageSize != 200 || o.Timeout != 30*time.Second || o.MaxBodyBytes != 32<<20 ||
		o.MaxRetries != 5 || o.Overlap != 2*time.Minute || o.UserAgent != "scimbridge-okta" || o.Limiters == nil || o.Accounting == nil {
		t.Fatalf("defaults: %+v", o)
	}
	o = Options{PageSize: 10, Timeout: time.Second, UserAgent: "x", MaxRetries: -1}.withDefaults()
	if o.PageSize != 10 || o.Timeout != time.Second || o.UserAgent != "x" || o.MaxRetries != 5 {
		t.Fatalf("set fields: %+v", o)
	}
}

// A client given no registry paces alone: nothing is shared through a
// process-wide value.
func TestClientWithoutLimitersPacesAlone(t *testing.T) {
	a, _ := New("https://alone.okta.com", SSWS("t"), Options{})
	b, _ := New("https://alone.okta.com", SSWS("t"), Options{})
	if a.Limiter() == b.Limiter() {
		t.Error("clients without a registry share a limiter")
	}
}

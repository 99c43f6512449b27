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
	"net/http/httptest"
	"testing"

	"github.com/scimbridge/scimbridge/test/oktaserver"
)

// BenchmarkListGroupMembers pages a 10k-member group through the emulator.
func BenchmarkListGroupMembers(b *testing.B) {
	srv := oktaserver.New(oktaserver.Options{DefaultRateLimit: 1 << 30})
	_, groups, err := srv.Generate(oktaserver.GenOptions{Users: 10000, Groups: 1})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	c, err := New(hs.URL, SSWS(srv.APIToken()), Options{Limiters: NewLimiters(LimiterOptions{})})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		for _, err := range c.ListGroupMembers(b.Context(), groups[0]) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatalf("got %d members", n)
		}
	}
}

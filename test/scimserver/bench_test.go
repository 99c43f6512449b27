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

package scimserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkLookup100k checks that indexed lookups stay flat at Cisco scale:
// 100k users, userName filter and get by id.
func BenchmarkLookup100k(b *testing.B) {
	srv, _ := New(Options{Token: token})
	ids := make([]string, 100_000)
	for i := range ids {
		id, err := srv.AddUser(map[string]any{"userName": fmt.Sprintf("user%06d@example.com", i), "externalId": fmt.Sprint(i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	get := func(path string) {
		req := httptest.NewRequest(http.MethodGet, srv.BasePath()+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	b.Run("userName filter", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			get("/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "USER%06d@example.com"`, i%len(ids))))
		}
	})
	b.Run("get by id", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			get("/Users/" + ids[i%len(ids)])
		}
	})
	b.Run("last page", func(b *testing.B) {
		for b.Loop() {
			get("/Users?startIndex=99901&count=100")
		}
	})
}

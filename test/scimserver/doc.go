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

// Package scimserver is a SCIM 2.0 server with Cisco Secure Access's
// profile, for tests, benchmarks and the local demo. Routing, schema
// validation and filter parsing come from github.com/elimity-com/scim; this
// package adds storage with O(1) lookups, RFC 7644 §3.5.2 PATCH, paging,
// attribute projection, bearer auth, request counting and fault injection.
//
// In process:
//
//	srv, _ := scimserver.New(scimserver.Options{Token: "t"})
//	ts := httptest.NewServer(srv)
//	base := ts.URL + srv.BasePath()
//
// or srv.Listen("127.0.0.1:0") which returns the base URL. As a process:
// go run ./test/scimserver/cmd/scimserver -token t.
package scimserver

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

// Package okta is a small client for the handful of Okta Management API
// endpoints the operator reads: users, groups and group membership.
//
// It exists instead of the generated SDK because the operator needs strict
// control over caching (none), paging (Link rel="next" only, same origin),
// rate-limit budgets shared per Okta org, and credentials that never leak into
// errors or logs.
package okta

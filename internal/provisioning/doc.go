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

// Package provisioning is the sync engine: for one integration it reads the
// source (Okta) and the target (SCIM), plans the changes with pure functions,
// and applies them with bounded concurrency. It has no Kubernetes imports; the
// controllers translate their objects into a Config and a Result back into status.
//
// A cycle reads the source once (direct assignments and the members of every
// assigned or pushed group), reads the target once, confirms candidates for
// deactivation by reading their own Okta record, plans users, applies them,
// then plans and applies groups (Cisco's advice: users first). The engine
// keeps what it read in memory between cycles so that incremental cycles only
// re-read what changed; losing that memory costs one full cycle, never a wrong
// write, because the target's externalId (the Okta user id) is the link.
package provisioning

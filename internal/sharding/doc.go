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

// Package sharding spreads DirectoryIntegrations over manager replicas.
// Each integration belongs to one of a fixed number of shards (a hash of its
// namespace and name), and each shard is a coordination.k8s.io/v1 Lease
// that at most one replica holds. A replica acts on an integration only
// while it holds the integration's shard, and only until a deadline on its
// own clocks that ends strictly before any other replica could take the
// lease over: see docs/architecture.md, "Shards".
package sharding

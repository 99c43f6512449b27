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

package sharding

import (
	"hash/fnv"
)

// ShardOf returns the shard of key (namespace/name) among shards: FNV-1a,
// so every replica and every release computes the same assignment.
func ShardOf(key string, shards int) int {
	if shards <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(shards)) //nolint:gosec // shards is a small positive flag value
}

// fairShare is how many shards each of replicas should hold so that all
// are held: the ceiling of shards/replicas.
func fairShare(shards, replicas int) int {
	if replicas < 1 {
		replicas = 1
	}
	return (shards + replicas - 1) / replicas
}

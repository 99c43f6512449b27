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

import "time"

// What only tests use, kept out of the package's API.

// AuthMode names the auth scheme: ssws, oauth or oauth-dpop.
func (c *Client) AuthMode() string { return c.auth.mode() }

// Share returns the configured bucket share.
func (l *OrgLimiter) Share() float64 { return l.opts.Share }

// ShareOf returns the share of the named bucket this process may use.
func (l *OrgLimiter) ShareOf(bucket string) float64 { return l.shareOf(bucket) }

// GroupsWithMembershipChangedSince streams groups whose membership changed
// after since (filter=lastMembershipUpdated gt "…").
func (c *Client) GroupsWithMembershipChangedSince(since time.Time) *Changes[Group] {
	return c.groupsFiltered(`lastMembershipUpdated gt "` + formatTime(since) + `"`)
}

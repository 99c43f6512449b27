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

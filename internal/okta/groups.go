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
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const groupsPath = "/api/v1/groups"

// GetGroup fetches one group by id.
func (c *Client) GetGroup(ctx context.Context, id string) (Group, error) {
	return getByID[Group](ctx, c, "groups.get", groupsPath, "group", id)
}

// FindGroupByName returns the one group whose profile.name equals name
// exactly (case-sensitive). None wraps ErrNotFound; several is an *AmbiguousError.
func (c *Client) FindGroupByName(ctx context.Context, name string) (Group, error) {
	q := url.Values{
		"search": {`profile.name eq "` + quote(name) + `"`},
		"limit":  {strconv.Itoa(c.opts.SearchPageSize)},
	}
	r := request{kind: "groups.search", bucket: groupsPath, url: c.endpoint(groupsPath, "", "", q)}
	var found []Group
	// Okta's eq may ignore case; keep only exact matches.
	for g, err := range paginate[Group](ctx, c, r, nil) {
		if err != nil {
			return Group{}, err
		}
		if g.Profile.Name == name {
			found = append(found, g)
		}
	}
	switch len(found) {
	case 0:
		return Group{}, fmt.Errorf("%w: no group named %q", ErrNotFound, name)
	case 1:
		return found[0], nil
	}
	return Group{}, &AmbiguousError{Name: name, Matches: len(found)}
}

// quote escapes a value for an Okta search string literal.
func quote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// ListGroupMembers streams the members of a group page by page (Options.PageSize
// per page). An error mid-way ends the sequence with that error: a partial
// list is never presented as complete.
func (c *Client) ListGroupMembers(ctx context.Context, groupID string, opts ...ReadOption) iter.Seq2[User, error] {
	if groupID == "" {
		return func(yield func(User, error) bool) { yield(User{}, errors.New("okta: empty group id")) }
	}
	q := url.Values{"limit": {strconv.Itoa(c.opts.PageSize)}}
	r := withOptions(request{kind: "groups.members", bucket: groupsPath + "/{id}/users", url: c.endpoint(groupsPath, groupID, "/users", q)}, opts)
	return paginate[User](ctx, c, r, nil)
}

// GroupsChangedSince streams groups whose profile or membership changed after
// since, so renames are seen as well.
func (c *Client) GroupsChangedSince(since time.Time) *Changes[Group] {
	ts := formatTime(since)
	return c.groupsFiltered(`lastUpdated gt "` + ts + `" or lastMembershipUpdated gt "` + ts + `"`)
}

// groupIDBatch is how many ids one GroupsByID request asks for; it keeps
// the filter (and the URL) well below common length limits.
const groupIDBatch = 50

// GroupsByID streams the current record of each listed group, with
// filter=id eq "…" or … in batches of groupIDBatch. A group that is not in
// the answer was deleted (or never existed): confirm with GetGroup. Its
// watermark is the server time of the first answer, like GroupsChangedSince.
func (c *Client) GroupsByID(ids []string) *Changes[Group] {
	var reqs []request
	for start := 0; start < len(ids); start += groupIDBatch {
		clauses := make([]string, 0, groupIDBatch)
		for _, id := range ids[start:min(start+groupIDBatch, len(ids))] {
			clauses = append(clauses, `id eq "`+quote(id)+`"`)
		}
		q := url.Values{"filter": {strings.Join(clauses, " or ")}, "limit": {strconv.Itoa(c.opts.SearchPageSize)}}
		reqs = append(reqs, request{kind: "groups.by_id", bucket: groupsPath, url: c.endpoint(groupsPath, "", "", q)})
	}
	return newChanges[Group](c, reqs...)
}

func (c *Client) groupsFiltered(filter string) *Changes[Group] {
	q := url.Values{"filter": {filter}, "limit": {strconv.Itoa(c.opts.SearchPageSize)}}
	return newChanges[Group](c, request{kind: "groups.changed", bucket: groupsPath, url: c.endpoint(groupsPath, "", "", q)})
}

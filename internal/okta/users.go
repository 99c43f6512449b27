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
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const usersPath = "/api/v1/users"

// GetUser fetches one user by id or login.
func (c *Client) GetUser(ctx context.Context, idOrLogin string, opts ...ReadOption) (User, error) {
	return getByID[User](ctx, c, "users.get", usersPath, "user", idOrLogin, opts...)
}

// getByID fetches one object of the collection at base by id.
func getByID[T any](ctx context.Context, c *Client, kind, base, what, id string, opts ...ReadOption) (T, error) {
	var v T
	if err := checkPathID(what, id); err != nil {
		return v, err
	}
	r := withOptions(request{kind: kind, bucket: base + "/{id}", url: c.endpoint(base, id, "", nil)}, opts)
	_, err := c.get(ctx, r, &v)
	return v, err
}

// checkPathID refuses ids that would name something else once in a path:
// empty, dot segments, and "me" (Okta's alias for the token's own user).
// Everything else is escaped by endpoint.
func checkPathID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("okta: empty %s id", what)
	case id == "." || id == "..":
		return fmt.Errorf("okta: %q is not a %s id or login", id, what)
	case strings.EqualFold(id, "me"):
		return fmt.Errorf("okta: %q is Okta's alias for the caller, not a %s id or login", id, what)
	}
	return nil
}

// UsersUpdatedSince streams users whose lastUpdated is after since
// (search=lastUpdated gt "…"), in all statuses the search returns.
func (c *Client) UsersUpdatedSince(since time.Time, opts ...ReadOption) *Changes[User] {
	q := url.Values{
		"search": {`lastUpdated gt "` + formatTime(since) + `"`},
		"limit":  {strconv.Itoa(c.opts.SearchPageSize)},
	}
	return newChanges[User](c, withOptions(request{kind: "users.search", bucket: usersPath, url: c.endpoint(usersPath, "", "", q)}, opts))
}

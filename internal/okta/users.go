package okta

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"
)

const usersPath = "/api/v1/users"

// GetUser fetches one user by id or login.
func (c *Client) GetUser(ctx context.Context, idOrLogin string) (User, error) {
	if idOrLogin == "" {
		return User{}, errors.New("okta: empty user id")
	}
	var u User
	_, err := c.get(ctx, request{kind: "users.get", bucket: usersPath + "/{id}", url: c.endpoint(usersPath, idOrLogin, "", nil)}, &u)
	return u, err
}

// UsersUpdatedSince streams users whose lastUpdated is after since
// (search=lastUpdated gt "…"), in all statuses the search returns.
func (c *Client) UsersUpdatedSince(ctx context.Context, since time.Time) *Changes[User] {
	q := url.Values{
		"search": {`lastUpdated gt "` + formatTime(since) + `"`},
		"limit":  {strconv.Itoa(c.searchPageSize)},
	}
	return newChanges[User](ctx, c, request{kind: "users.search", bucket: usersPath, url: c.endpoint(usersPath, "", "", q)})
}

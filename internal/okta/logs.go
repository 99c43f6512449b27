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
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LogsBucket is the System Log's rate-limit bucket: small (about 120
// requests a minute on many orgs) and shared with everything else that
// reads the org's logs, so the limiter gives it a share of its own.
const LogsBucket = logsPath

const logsPath = "/api/v1/logs"

// DefaultLogsShare is the part of the logs bucket this process uses.
const DefaultLogsShare = 0.1

// LogEvent is one System Log event, reduced to what provisioning needs.
type LogEvent struct {
	UUID      string      `json:"uuid"`
	Published time.Time   `json:"published"`
	EventType string      `json:"eventType"`
	Target    []LogTarget `json:"target"`
}

// LogTarget is an object an event acted on (a User, a UserGroup, ...).
type LogTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// LogPage is one polling answer: the events in persistence order and the
// link to poll next (Okta returns one on every polling answer, empty
// pages included).
type LogPage struct {
	Events []LogEvent
	Next   string
	// Full is true when the page held as many events as asked for: more
	// are probably waiting.
	Full bool
}

// PollLogs reads one page of the System Log as a polling query (until
// unset): from next when it is set (a link an earlier page returned),
// otherwise from since, keeping only eventTypes.
func (c *Client) PollLogs(ctx context.Context, next string, since time.Time, eventTypes []string, limit int) (LogPage, error) {
	var u *url.URL
	if next != "" {
		parsed, err := url.Parse(next)
		if err != nil {
			return LogPage{}, fmt.Errorf("okta logs: bad next link: %w", err)
		}
		u = parsed
	} else {
		clauses := make([]string, 0, len(eventTypes))
		for _, t := range eventTypes {
			clauses = append(clauses, `eventType eq "`+quote(t)+`"`)
		}
		q := url.Values{"since": {formatTime(since)}, "limit": {strconv.Itoa(limit)}, "sortOrder": {"ASCENDING"}}
		if len(clauses) > 0 {
			q.Set("filter", strings.Join(clauses, " or "))
		}
		u = c.endpoint(logsPath, "", "", q)
	}
	var events []LogEvent
	header, err := c.get(ctx, request{kind: "logs.poll", bucket: LogsBucket, url: u, once: true}, &events)
	if err != nil {
		return LogPage{}, err
	}
	page := LogPage{Events: events, Next: next, Full: len(events) >= limit}
	if link, ok := nextLink(header); ok {
		nu, err := u.Parse(link)
		if err != nil || !c.sameOrigin(nu) {
			return LogPage{}, fmt.Errorf("okta logs: %w", ErrForeignLink)
		}
		page.Next = nu.String()
	}
	return page, nil
}

// UserGroups streams the groups a user is a member of.
func (c *Client) UserGroups(ctx context.Context, userID string) iter.Seq2[Group, error] {
	if err := checkPathID("user", userID); err != nil {
		return func(yield func(Group, error) bool) { yield(Group{}, err) }
	}
	q := url.Values{"limit": {"200"}}
	r := request{kind: "users.groups", bucket: usersPath + "/{id}/groups", url: c.endpoint(usersPath, userID, "/groups", q)}
	return paginate[Group](ctx, c, r, nil)
}

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

package oktaserver

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// BucketLogs is the System Log's rate-limit bucket. It is small in Okta
// (about 120 requests a minute on many orgs) and shared with every other
// reader of the org's logs; the emulator's default is 120 a window.
const BucketLogs = "/api/v1/logs"

// BucketUserGroups is the bucket of a user's group list.
const BucketUserGroups = "/api/v1/users/{id}/groups"

const defaultLogsLimit = 120

// logEvent is one System Log entry. seq is the persistence order, which
// polling follows.
type logEvent struct {
	seq       uint64
	uuid      string
	published time.Time
	eventType string
	targets   []logTarget
}

type logTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// logState is the System Log and the event hooks that deliver it.
type logState struct {
	events []logEvent
	seq    uint64
}

// lifecycleEvents names the System Log event of each lifecycle operation.
var lifecycleEvents = map[string]string{
	"activate": "user.lifecycle.activate", "suspend": "user.lifecycle.suspend", "unsuspend": "user.lifecycle.unsuspend",
	"deactivate": "user.lifecycle.deactivate", "reactivate": "user.lifecycle.reactivate",
	"unlock": "user.account.unlock", "lock": "user.account.lock", "expire": "user.account.expire_password",
}

// statusEvents names the event a forced status change is logged as.
var statusEvents = map[string]string{
	Active: "user.lifecycle.activate", Suspended: "user.lifecycle.suspend", Deprovisioned: "user.lifecycle.deactivate",
	LockedOut: "user.account.lock", PasswordExpired: "user.account.expire_password", Provisioned: "user.lifecycle.reactivate",
}

func userTarget(u *user) logTarget {
	return logTarget{ID: u.id, Type: "User", AlternateID: u.login(), DisplayName: u.login()}
}

func groupTarget(g *group) logTarget {
	return logTarget{ID: g.id, Type: "UserGroup", AlternateID: "unknown", DisplayName: g.name}
}

// logLocked appends an event (the caller holds s.mu) and hands it to the
// event hooks.
func (s *Server) logLocked(eventType string, targets ...logTarget) {
	s.log.seq++
	ev := logEvent{seq: s.log.seq, uuid: newUUID(), published: now(), eventType: eventType, targets: targets}
	s.log.events = append(s.log.events, ev)
	s.hooks.enqueue(ev)
}

// AgeLog moves every event logged so far back by d, as if the directory
// had been set up that long ago: a harness that seeds a directory just
// before starting the manager would otherwise hand the feed's catch-up
// window the whole seeding as fresh changes, which a real directory,
// populated long before, does not.
func (s *Server) AgeLog(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.log.events {
		s.log.events[i].published = s.log.events[i].published.Add(-d)
	}
}

// LogEventCount returns how many events the System Log holds.
func (s *Server) LogEventCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log.events)
}

type logEventJSON struct {
	UUID           string            `json:"uuid"`
	Published      oktaTime          `json:"published"`
	EventType      string            `json:"eventType"`
	Version        string            `json:"version"`
	Severity       string            `json:"severity"`
	DisplayMessage string            `json:"displayMessage"`
	Actor          logTarget         `json:"actor"`
	Outcome        map[string]string `json:"outcome"`
	Target         []logTarget       `json:"target"`
}

func renderLogEvent(ev logEvent) logEventJSON {
	return logEventJSON{UUID: ev.uuid, Published: oktaTime(ev.published), EventType: ev.eventType, Version: "0", Severity: "INFO",
		DisplayMessage: ev.eventType, Actor: logTarget{ID: "00uadmin0000000000000", Type: "User", AlternateID: "admin@example.com", DisplayName: "Admin"},
		Outcome: map[string]string{"result": "SUCCESS"}, Target: ev.targets}
}

func (ev logEvent) lookup(attr string) (any, bool) {
	switch attr {
	case "eventType":
		return ev.eventType, true
	case "uuid":
		return ev.uuid, true
	case "published":
		return ev.published, true
	}
	return nil, false
}

// listLogs serves GET /api/v1/logs. Without until it is a polling query:
// events in persistence order after the cursor, and always a next link
// (empty pages included) to poll again. With until it is bounded, and next
// appears only while more remain.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, after, ok := pageParams(w, r, 100, 1000)
	if !ok {
		return
	}
	since, until, ok := logBounds(w, q)
	if !ok {
		return
	}
	e, hasFilter, ok := queryExpr(w, r)
	if !ok {
		return
	}
	var cursor uint64
	if after != "" {
		cursor, _ = strconv.ParseUint(after, 10, 64)
	}
	s.mu.Lock()
	start, _ := slices.BinarySearchFunc(s.log.events, cursor+1, func(ev logEvent, seq uint64) int { return cmpUint(ev.seq, seq) })
	var out []logEventJSON
	last, more := cursor, false
	for _, ev := range s.log.events[start:] {
		if !until.IsZero() && ev.published.After(until) {
			break
		}
		if len(out) == limit {
			more = true
			break
		}
		last = ev.seq
		if ev.published.Before(since) {
			continue
		}
		if hasFilter {
			if m, err := e.match(ev.lookup); err != nil || !m {
				continue
			}
		}
		out = append(out, renderLogEvent(ev))
	}
	s.mu.Unlock()
	w.Header().Add("Link", "<"+baseURL(r)+r.URL.RequestURI()+`>; rel="self"`)
	if until.IsZero() || more {
		q.Set("after", base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(last, 10))))
		q.Set("limit", strconv.Itoa(limit))
		next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		w.Header().Add("Link", "<"+baseURL(r)+next.RequestURI()+`>; rel="next"`)
	}
	if out == nil {
		out = []logEventJSON{}
	}
	writeJSON(w, http.StatusOK, out)
}

// logBounds parses since (default 7 days before now, as Okta) and until.
func logBounds(w http.ResponseWriter, q url.Values) (since, until time.Time, ok bool) {
	since = time.Now().Add(-7 * 24 * time.Hour)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"since", &since}, {"until", &until}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: "+p.name, p.name+": invalid date")
			return since, until, false
		}
		*p.t = t
	}
	return since, until, true
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// listUserGroups serves GET /api/v1/users/{id}/groups: every group the
// user is a member of.
func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u, err := s.userLocked(r.PathValue("id"))
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+r.PathValue("id")+" (User)")
		return
	}
	serveList(s, w, r, listSpec[groupJSON]{
		def: 200, max: 200, ids: s.sortedGroups,
		plain:  func(id string) bool { return s.groups[id].members[u.id] },
		render: func(id, base string) groupJSON { return renderGroup(s.groups[id], base) },
	})
}

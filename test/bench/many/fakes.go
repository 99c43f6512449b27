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

package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
	"github.com/scimbridge/scimbridge/test/scimserver"
)

// org is one running Okta emulator with its integrations' groups.
type org struct {
	plan   orgPlan
	server *oktaserver.Server
	token  string
	// groups holds each integration's Okta group name, by integration index.
	groups map[int]string
}

// target is one running SCIM server, for one integration.
type target struct {
	server *scimserver.Server
	url    string
	token  string
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startOrg starts an emulator on loopback and seeds the org's users and
// one group per integration reading it.
func startOrg(p orgPlan, plans []integrationPlan, rateLimit int) (*org, error) {
	o := &org{plan: p, token: randomToken(), groups: map[int]string{}}
	s, err := oktaserver.Start(oktaserver.Options{APIToken: o.token, DefaultRateLimit: rateLimit}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o.server = s
	ids := make([]string, p.Users)
	for i := range ids {
		login := fmt.Sprintf("user%05d@org%02d.example.com", i, p.Index)
		first, last := fmt.Sprintf("User%d", i), fmt.Sprintf("Org%d", p.Index)
		if ids[i], err = s.AddUser(oktaserver.UserSpec{Login: login, Email: login, FirstName: first, LastName: last,
			Status: "ACTIVE", Profile: map[string]any{"displayName": first + " " + last}}); err != nil {
			return o, err
		}
	}
	for _, k := range p.Integrations {
		name := fmt.Sprintf("Tenant %02d Users", k)
		gid, err := s.AddGroup(oktaserver.GroupSpec{Name: name})
		if err != nil {
			return o, err
		}
		for _, m := range plans[k].Members {
			if err := s.AddMember(gid, ids[m]); err != nil {
				return o, err
			}
		}
		o.groups[k] = name
	}
	// The directory predates the manager, as a customer's does: its
	// seeding is not a minute of fresh changes for the feed.
	s.AgeLog(time.Hour)
	return o, nil
}

// requests sums the emulator's request counts: all, and those answered 429.
func (o *org) requests() (total, throttled int64) {
	for k, v := range o.server.Counts() {
		total += v
		if k.Status == http.StatusTooManyRequests {
			throttled += v
		}
	}
	return total, throttled
}

// peakRate is the most requests any bucket admitted within one window.
func (o *org) peakRate() int {
	peak := 0
	for _, b := range []string{oktaserver.BucketUsers, oktaserver.BucketUser, oktaserver.BucketGroups,
		oktaserver.BucketGroup, oktaserver.BucketGroupMembers, oktaserver.BucketToken} {
		peak = max(peak, o.server.PeakRate(b))
	}
	return peak
}

// startTarget starts a Cisco-profile SCIM server (group cap 1000) on loopback.
func startTarget() (*target, error) {
	t := &target{token: randomToken()}
	s, err := scimserver.New(scimserver.Options{Token: t.token, MaxGroups: 1000})
	if err != nil {
		return nil, err
	}
	t.server = s
	t.url, err = s.Listen("127.0.0.1:0")
	return t, err
}

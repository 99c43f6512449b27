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
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

// Seed is the JSON seed format: users in Okta's shape (id, status,
// timestamps, profile) and groups with their members (ids or logins).
type Seed struct {
	Users  []SeedUser  `json:"users"`
	Groups []SeedGroup `json:"groups"`
}

// SeedUser is one seeded user; only profile.login is required.
type SeedUser struct {
	ID          string         `json:"id,omitempty"`
	Status      string         `json:"status,omitempty"`
	Created     time.Time      `json:"created,omitzero"`
	LastUpdated time.Time      `json:"lastUpdated,omitzero"`
	Profile     map[string]any `json:"profile"`
}

// SeedGroup is one seeded group.
type SeedGroup struct {
	ID          string    `json:"id,omitempty"`
	Type        string    `json:"type,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	LastUpdated time.Time `json:"lastUpdated,omitzero"`
	Profile     struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
	} `json:"profile"`
	Members []string `json:"members,omitempty"`
}

// Load adds the seed's users and groups; it stops at the first invalid entry.
func (s *Server) Load(seed Seed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, u := range seed.Users {
		if _, err := s.addUserLocked(UserSpec{ID: u.ID, Status: u.Status, Profile: u.Profile, Created: u.Created, LastUpdated: u.LastUpdated}); err != nil {
			return fmt.Errorf("seed user %d: %w", i, err)
		}
	}
	for i, g := range seed.Groups {
		id, err := s.addGroupLocked(GroupSpec{ID: g.ID, Name: g.Profile.Name, Description: g.Profile.Description, Type: g.Type, Created: g.Created, LastUpdated: g.LastUpdated})
		if err != nil {
			return fmt.Errorf("seed group %d: %w", i, err)
		}
		grp := s.groups[id]
		for _, m := range g.Members {
			u, err := s.userLocked(m)
			if err != nil {
				return fmt.Errorf("seed group %q: %w", g.Profile.Name, err)
			}
			grp.members[u.id] = true
		}
	}
	return nil
}

// LoadJSON reads a Seed from r.
func (s *Server) LoadJSON(r io.Reader) error {
	var seed Seed
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return s.Load(seed)
}

// LoadFile reads a JSON seed file.
func (s *Server) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return s.LoadJSON(f)
}

// GenOptions sizes a generated directory.
type GenOptions struct {
	Users, Groups int
	// Seed makes the data reproducible.
	Seed uint64
	// Base is the creation time of the data; default 30 days ago. Everything
	// generated has timestamps at or before Base, so later edits stand out to
	// incremental queries.
	Base time.Time
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Linus", "Margaret", "Dennis", "Hedy", "Tim", "Sophie", "Niklaus"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Torvalds", "Hamilton", "Ritchie", "Lamarr", "Berners-Lee", "Wilson", "Wirth"}
	depts      = []string{"Engineering", "Sales", "Finance", "Support", "Marketing", "Legal", "IT", "Operations"}
)

// Generate builds a directory: Users users (mostly ACTIVE, every status
// represented), one "All Staff" group holding everyone, and Groups-1 more
// groups whose sizes follow a long tail (group k holds about Users/(k+1)).
// It returns the user ids and group ids in creation order.
func (s *Server) Generate(o GenOptions) (users, groups []string, err error) {
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	base := o.Base
	if base.IsZero() {
		base = time.Now().Add(-30 * 24 * time.Hour)
	}
	base = base.UTC().Truncate(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range o.Users {
		fn, ln := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		login := fmt.Sprintf("%s.%s.%d@example.com", lower(fn), lower(ln), i)
		guid := make([]byte, 16)
		for j := range guid {
			guid[j] = byte(rng.UintN(256))
		}
		status := Active
		if r := rng.IntN(100); r >= 88 {
			status = statuses[(r-88)%len(statuses)]
		}
		created := base.Add(-time.Duration(o.Users-i) * time.Minute)
		id, err := s.addUserLocked(UserSpec{
			Login: login, Email: login, FirstName: fn, LastName: ln, Status: status,
			Created: created, LastUpdated: created,
			Profile: map[string]any{
				"displayName": fn + " " + ln, "department": depts[rng.IntN(len(depts))],
				"objectGUID": base64.StdEncoding.EncodeToString(guid), "employeeNumber": fmt.Sprint(100000 + i),
			},
		})
		if err != nil {
			return nil, nil, err
		}
		users = append(users, id)
	}
	for k := range o.Groups {
		name, desc := "All Staff", "Every user in the org"
		if k > 0 {
			name, desc = fmt.Sprintf("%s Team %d", depts[k%len(depts)], k), "Generated group"
		}
		id, err := s.addGroupLocked(GroupSpec{Name: name, Description: desc, Created: base, LastUpdated: base})
		if err != nil {
			return nil, nil, err
		}
		g := s.groups[id]
		size := len(users)
		if k > 0 {
			size = max(1, len(users)/(k+1))
		}
		for _, j := range rng.Perm(len(users))[:min(size, len(users))] {
			g.members[users[j]] = true
		}
		groups = append(groups, id)
	}
	return users, groups, nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

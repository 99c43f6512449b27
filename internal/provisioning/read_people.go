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

package provisioning

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// readPeople resolves the directly assigned people into d. People found
// before are read afresh in full cycles (their records are the scope) and
// kept current by the updated-users query in incremental ones. People Okta
// did not know are looked up again only once their backoff has passed, in
// any cycle: a list of unknown logins must not cost a request each per cycle.
func (e *Engine) readPeople(ctx context.Context, cfg *Config, d *desired, st *state, full bool, now time.Time) {
	var toRead []string
	for _, person := range cfg.People {
		known, seen := d.People[person]
		switch {
		case st.unknownPeople.waiting(person, now) && !cfg.RetryDeferred:
			d.People[person] = ""
		case full || !seen || known == "":
			toRead = append(toRead, person)
		}
	}
	var mu sync.Mutex
	each(ctx, e.opts.ReadConcurrency, toRead, func(ctx context.Context, person string) {
		u, err := e.src.GetUser(ctx, person, cfg.userReads()...)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, okta.ErrNotFound):
			d.ReadsOK++
			d.People[person] = ""
			st.unknownPeople.failed(person, now, e.opts)
		case err != nil:
			d.People[person] = ""
			d.fail(fmt.Sprintf("reading assigned person %q: %v", person, err))
		default:
			d.ReadsOK++
			d.People[person] = u.ID
			st.unknownPeople.forget(person)
			addInScope(cfg, d, u)
		}
	})
}

// matchPeople resolves unknown direct assignments from users the
// incremental query returned (a login created in Okta after the last full
// cycle), without a request of their own.
func matchPeople(cfg *Config, d *desired, st *state, updated map[string]okta.User) {
	if len(updated) == 0 {
		return
	}
	byLogin := make(map[string]string, len(updated))
	for id, u := range updated {
		byLogin[foldName(u.Login())] = id
	}
	for _, person := range cfg.People {
		if d.People[person] != "" {
			continue
		}
		id := byLogin[foldName(person)]
		if _, ok := updated[person]; ok {
			id = person
		}
		if id != "" {
			d.People[person] = id
			st.unknownPeople.forget(person)
		}
	}
}

// lookupBackoff spaces repeated lookups of one key (an unknown login).
type lookupBackoff map[string]retryRecord

func (b lookupBackoff) waiting(key string, now time.Time) bool {
	r, ok := b[key]
	return ok && now.Before(r.next)
}

func (b lookupBackoff) failed(key string, now time.Time, o Options) {
	r := b[key]
	r.attempts++
	r.next = now.Add(o.backoff(r.attempts))
	b[key] = r
}

func (b lookupBackoff) forget(key string) { delete(b, key) }

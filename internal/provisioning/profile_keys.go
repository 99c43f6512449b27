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
	"slices"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// profileKeys are the Okta profile attributes the mapping (shorthands,
// expressions and scope) reads; user reads decode only these. login is always among them: assignments are
// matched and users named by it.
func (cfg *Config) profileKeys() []string {
	m := cfg.Mapping
	keys := []string{"login", "firstName", "lastName", m.UserName, m.DisplayName}
	if m.SendEmails {
		keys = append(keys, "email")
	}
	if m.NativeObjectID != "" && cfg.Profile != ProfileGeneric {
		keys = append(keys, m.NativeObjectID)
	}
	if cfg.compiled != nil {
		keys = append(keys, cfg.compiled.profileKeys...)
	}
	slices.Sort(keys)
	return slices.DeleteFunc(slices.Compact(keys), func(k string) bool { return k == "" })
}

// userReads are the options of every user read a cycle makes.
func (cfg *Config) userReads() []okta.ReadOption {
	if cfg.compiled != nil && cfg.compiled.allProfile {
		// An expression reads the profile by a computed key: keep it whole.
		return nil
	}
	return []okta.ReadOption{okta.KeepProfile(cfg.profileKeys()...)}
}

// statusOnly reads a user for its status alone.
var statusOnly = okta.KeepProfile()

// confirmReads read a deactivation candidate's own record: its status, and
// the attributes spec.scope reads when there is one (the scope evaluated
// on a record without them could put the user outside it).
func (cfg *Config) confirmReads() []okta.ReadOption {
	if cfg.compiled != nil && cfg.compiled.scope != nil {
		return cfg.userReads()
	}
	return []okta.ReadOption{statusOnly}
}

package provisioning

import (
	"slices"

	"github.com/scimbridge/scimbridge/internal/okta"
)

// profileKeys are the Okta profile attributes the mapping reads; user
// reads decode only these. login is always among them: assignments are
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
	slices.Sort(keys)
	return slices.DeleteFunc(slices.Compact(keys), func(k string) bool { return k == "" })
}

// userReads are the options of every user read a cycle makes.
func (cfg *Config) userReads() []okta.ReadOption {
	return []okta.ReadOption{okta.KeepProfile(cfg.profileKeys()...)}
}

// statusOnly reads a user for its status alone (a deactivation candidate).
var statusOnly = okta.KeepProfile()

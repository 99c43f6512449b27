package provisioning

import "slices"

// What only tests use, kept out of the package's API.

// ProfileAttributes returns the Okta profile attributes the expressions and
// the scope read (the shorthands read theirs as documented on Mapping);
// all is set when one of them reads the profile as a whole (a computed
// key, a loop over it), and then every attribute is needed.
func ProfileAttributes(cfg Config) (keys []string, all bool, err error) {
	m, err := compileMapping(&cfg)
	if err != nil || m == nil {
		return nil, false, err
	}
	return slices.Clone(m.profileKeys), m.allProfile, nil
}

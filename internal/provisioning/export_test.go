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

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
	"testing"
)

func TestProfileKeysAreWhatTheMappingReads(t *testing.T) {
	cfg := &Config{Profile: ProfileCiscoSecureAccess, Mapping: Mapping{UserName: "email", DisplayName: "nickName", NativeObjectID: "objectGUID", SendEmails: true}}
	if got := cfg.profileKeys(); !slices.Equal(got, []string{"email", "firstName", "lastName", "login", "nickName", "objectGUID"}) {
		t.Errorf("keys = %v", got)
	}
	cfg.Profile = ProfileGeneric // no nativeObjectId on a generic target
	cfg.Mapping = Mapping{}
	if got := cfg.profileKeys(); !slices.Equal(got, []string{"firstName", "lastName", "login"}) {
		t.Errorf("keys = %v", got)
	}
}

func TestUserReadsKeepWhatTheExpressionsRead(t *testing.T) {
	cfg := &Config{Profile: ProfileCiscoSecureAccess, Scope: `user.profile.department != "Contractors"`,
		Mapping: Mapping{Expressions: exprs("title", `user.profile.jobTitle`)}}
	m, err := compileMapping(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.compiled = m
	if got := cfg.profileKeys(); !slices.Equal(got, []string{"department", "firstName", "jobTitle", "lastName", "login"}) {
		t.Errorf("keys = %v", got)
	}
	if len(cfg.userReads()) != 1 {
		t.Error("reads keep only the keys")
	}
	cfg.Scope = `user.profile.exists(k, k.startsWith("x"))`
	if cfg.compiled, err = compileMapping(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.userReads() != nil {
		t.Error("an expression that reads the whole profile must get it whole")
	}
}

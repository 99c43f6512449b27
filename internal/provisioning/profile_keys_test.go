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

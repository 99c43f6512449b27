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

package memlimit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestContainerLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "absent")
	for _, tc := range []struct {
		name  string
		files []string
		want  int64
		err   bool
	}{
		{"cgroup v2 limit", []string{write("v2", "536870912\n")}, 536870912, false},
		{"cgroup v2 without limit", []string{write("v2max", "max\n")}, 0, false},
		{"cgroup v1 without limit", []string{missing, write("v1", "9223372036854771712\n")}, 0, false},
		{"cgroup v1 limit after a missing v2 file", []string{missing, write("v1l", "209715200")}, 209715200, false},
		{"no cgroup files", []string{missing}, 0, false},
		{"garbage", []string{write("bad", "lots")}, 0, true},
	} {
		got, err := containerLimit(tc.files)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: got %d, %v; want %d, error %t", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestFromCgroupLeavesAnExplicitGOMEMLIMITAlone(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	if l, err := FromCgroup(0.9); l != 0 || err != nil {
		t.Fatalf("set %d (%v) although GOMEMLIMIT was given", l, err)
	}
}

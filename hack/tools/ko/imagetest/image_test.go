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

// Package imagetest checks the image that hack/ko-build.sh wrote: run by
// `make test-image` with IMAGE_LAYOUT (the OCI layout) and IMAGE_VERSION.
package imagetest

import (
	"archive/tar"
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

const binary = "ko-app/cmd"

func TestImage(t *testing.T) {
	dir, version := os.Getenv("IMAGE_LAYOUT"), os.Getenv("IMAGE_VERSION")
	if dir == "" || version == "" {
		t.Fatal("IMAGE_LAYOUT and IMAGE_VERSION must be set: run `make test-image`")
	}
	if st, err := os.Stat(dir + ".tar"); err != nil || st.Size() == 0 {
		t.Errorf("no image archive next to the layout: %v", err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || !m.Manifests[0].MediaType.IsIndex() {
		t.Fatalf("the layout should hold one multi-platform index, has %+v", m.Manifests)
	}
	idx, err := top.ImageIndex(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			t.Fatalf("manifest %s has no platform", d.Digest)
		}
		platforms = append(platforms, d.Platform.OS+"/"+d.Platform.Architecture)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(d.Platform.Architecture, func(t *testing.T) { checkImage(t, img, d.Platform.Architecture, version) })
	}
	slices.Sort(platforms)
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %v, want linux/amd64 and linux/arm64", platforms)
	}
}

func checkImage(t *testing.T, img v1.Image, arch, version string) {
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != arch {
		t.Errorf("config says %s/%s", cf.OS, cf.Architecture)
	}
	// A numeric, non-zero user, so that runAsNonRoot can verify it.
	if u := cf.Config.User; u == "" || strings.HasPrefix(u, "0") || strings.Trim(u, "0123456789:") != "" {
		t.Errorf("user %q, want a numeric non-root user", u)
	}
	if got := cf.Config.Labels["org.opencontainers.image.version"]; got != version {
		t.Errorf("version label %q, want %q", got, version)
	}
	if !slices.Equal(cf.Config.Entrypoint, []string{"/" + binary}) {
		t.Errorf("entrypoint %q, want /%s", cf.Config.Entrypoint, binary)
	}

	exe := extract(t, img, binary)
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("/%s is not an ELF binary: %v", binary, err)
	}
	if want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]; f.Machine != want {
		t.Errorf("binary for %s, want %s", f.Machine, want)
	}
	info, err := buildinfo.Read(bytes.NewReader(exe))
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" || settings["GOARCH"] != arch {
		t.Errorf("build settings %v: want CGO_ENABLED=0, -trimpath, GOARCH=%s", settings, arch)
	}
	if info.Main.Path != "github.com/scimbridge/scimbridge" || info.Path != "github.com/scimbridge/scimbridge/cmd" {
		t.Errorf("binary built from %s (%s), want the manager", info.Path, info.Main.Path)
	}
	// With -trimpath Go leaves -ldflags out of the build info, so look for
	// the stamped value itself (the test passes a version found nowhere else).
	if !bytes.Contains(exe, []byte(version)) {
		t.Errorf("the binary does not contain the version %q: -X of internal/version.Version missing", version)
	}
}

// extract returns a file's content from the image's flattened layers.
func extract(t *testing.T, img v1.Image, name string) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var found []byte
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimPrefix(h.Name, "/") == name {
				if found, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
			}
		}
		_ = rc.Close()
	}
	if found == nil {
		t.Fatalf("/%s not in the image", name)
	}
	return found
}

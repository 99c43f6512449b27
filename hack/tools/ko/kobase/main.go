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

// Command kobase writes an empty linux/amd64 and linux/arm64 base image into
// ko's on-disk cache ($KOCACHE/img, an OCI image layout) and prints a
// reference to it by digest. With KO_DEFAULTBASEIMAGE set to that reference,
// ko finds the base in its cache and builds without a registry or a network,
// which is how `make test-image` builds the real image offline. The base has
// no files, no user and no labels, so whatever the built image has comes from
// ko and .ko.yaml.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// repository names the base; nothing is ever pulled from it (.invalid never resolves).
const repository = "scimbridge.invalid/empty-base"

func main() {
	ref, err := run(os.Getenv("KOCACHE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kobase:", err)
		os.Exit(1)
	}
	fmt.Println(ref)
}

func run(cache string) (string, error) {
	if cache == "" {
		return "", errors.New("KOCACHE is not set")
	}
	dir := filepath.Join(cache, "img")
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return "", err
		}
	}

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var images []v1.Image
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := mutate.ConfigFile(mutate.MediaType(empty.Image, types.OCIManifestSchema1), &v1.ConfigFile{
			OS: "linux", Architecture: arch, RootFS: v1.RootFS{Type: "layers"},
		})
		if err != nil {
			return "", err
		}
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		images = append(images, img)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
	}

	// ko's cache looks up the index and each image by digest among the
	// layout's top-level manifests, so all three are listed there.
	digest, err := idx.Digest()
	if err != nil {
		return "", err
	}
	if err := p.ReplaceIndex(idx, match.Digests(digest)); err != nil {
		return "", err
	}
	for _, img := range images {
		d, err := img.Digest()
		if err != nil {
			return "", err
		}
		if err := p.ReplaceImage(img, match.Digests(d)); err != nil {
			return "", err
		}
	}
	return repository + "@" + digest.String(), nil
}

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

// Package testenv prepares envtest for tests and the local demo: it finds the
// repository root and the kube-apiserver and etcd binaries that
// hack/envtest/build.sh builds from source into bin/k8s (no downloads), and
// returns an envtest environment that installs the project's CRDs when
// started. test/localenv starts one for the end-to-end tests and the demo.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// RepoRoot returns the repository root: the nearest parent of the working
// directory that holds go.mod and the config/crd directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isFile(filepath.Join(dir, "go.mod")) && isDir(filepath.Join(dir, "config", "crd")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found above the working directory")
		}
		dir = parent
	}
}

// BinaryAssetsDir returns the directory holding kube-apiserver and etcd.
// KUBEBUILDER_ASSETS wins when set (as `make test` sets it); otherwise the
// newest bin/k8s/<version>-<os>-<arch> of the repository is used, so plain
// `go test` works after `make envtest`.
func BinaryAssetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	matches, err := filepath.Glob(filepath.Join(root, "bin", "k8s", fmt.Sprintf("*-%s-%s", runtime.GOOS, runtime.GOARCH)))
	if err != nil {
		return "", err
	}
	var found []string
	for _, m := range matches {
		if isFile(filepath.Join(m, "kube-apiserver")) && isFile(filepath.Join(m, "etcd")) {
			found = append(found, m)
		}
	}
	if len(found) == 0 {
		return "", errors.New("no envtest binaries in bin/k8s: run `make envtest`")
	}
	sort.Strings(found)
	return found[len(found)-1], nil
}

// NewEnvironment returns an envtest environment that installs the project's
// CRDs into the control plane when started.
func NewEnvironment() (*envtest.Environment, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	assets, err := BinaryAssetsDir()
	if err != nil {
		return nil, err
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

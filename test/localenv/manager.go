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

package localenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// LeaderNamespace is where the manager keeps its leader-election lease;
// envtest has no in-cluster namespace to default to.
const LeaderNamespace = "scimbridge-system"

// Manager is a running manager binary.
type Manager struct {
	*Process
	MetricsAddr string
	ProbeAddr   string
}

// StartManager runs the manager binary with the kubeconfig of the user it
// runs as, leader election on, metrics served securely on loopback, and
// debug logs, so tests can check that no credential is ever logged.
func StartManager(bin, kubeconfig, logPath string, extraArgs ...string) (*Manager, error) {
	metrics, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	probe, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--kubeconfig=" + kubeconfig,
		"--leader-elect",
		"--leader-election-namespace=" + LeaderNamespace,
		"--metrics-bind-address=" + metrics,
		"--health-probe-bind-address=" + probe,
		"--zap-log-level=debug",
	}, extraArgs...)
	p, err := Start(bin, logPath, args...)
	if err != nil {
		return nil, err
	}
	return &Manager{Process: p, MetricsAddr: metrics, ProbeAddr: probe}, nil
}

// WaitReady waits until the manager's readiness probe answers 200.
func (m *Manager) WaitReady(ctx context.Context) error {
	url := "http://" + m.ProbeAddr + "/readyz"
	for {
		if m.Exited() {
			return fmt.Errorf("manager exited; see %s", m.LogPath)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("manager not ready: %w; see %s", ctx.Err(), m.LogPath)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Logs returns what the manager has logged so far.
func (m *Manager) Logs() (string, error) {
	data, err := os.ReadFile(m.LogPath)
	return string(data), err
}

// LogPath returns the path of a log file in dir.
func LogPath(dir, name string) string { return filepath.Join(dir, name+".log") }

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

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procs tracks every child process so they are all killed on exit, error
// or signal.
type procs struct {
	mu   sync.Mutex
	list []*exec.Cmd
}

// start runs name with args, its stdout piped back and stderr passed
// through. Children get SIGKILL if the harness dies without cleaning up.
func (p *procs) start(name string, args []string, stdin bool) (*exec.Cmd, io.WriteCloser, *bufio.Reader, error) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var in io.WriteCloser
	if stdin {
		w, err := cmd.StdinPipe()
		if err != nil {
			return nil, nil, nil, err
		}
		in = w
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, err
	}
	p.mu.Lock()
	p.list = append(p.list, cmd)
	p.mu.Unlock()
	return cmd, in, bufio.NewReaderSize(out, 1<<20), nil
}

// killAll terminates the children it started, by pid, and reaps them.
func (p *procs) killAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, cmd := range p.list {
		if cmd.Process != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, cmd := range p.list {
		if cmd.Process == nil || cmd.ProcessState != nil {
			continue
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	p.list = nil
}

// buildServers compiles the emulator and the SCIM test server into dir.
func buildServers(ctx context.Context, dir string) (okta, scim string, err error) {
	okta, scim = filepath.Join(dir, "oktaserver"), filepath.Join(dir, "scimserver")
	for out, pkg := range map[string]string{okta: "./test/oktaserver/cmd/oktaserver", scim: "./test/scimserver/cmd/scimserver"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = moduleRoot()
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w", pkg, err)
		}
	}
	return okta, scim, nil
}

// moduleRoot finds the directory of go.mod from the working directory, so
// the harness can be started from anywhere inside the module.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// readVars reads KEY=value lines from a child's stdout until every wanted
// key is seen, bounded by timeout.
func readVars(r *bufio.Reader, timeout time.Duration, keys ...string) (map[string]string, error) {
	type res struct {
		m   map[string]string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		m := map[string]string{}
		for len(m) < len(keys) {
			line, err := r.ReadString('\n')
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				for _, want := range keys {
					if k == want {
						m[k] = v
					}
				}
			}
			if err != nil {
				ch <- res{m, fmt.Errorf("child exited before printing %v: %w", keys, err)}
				return
			}
		}
		ch <- res{m, nil}
	}()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-time.After(timeout):
		return nil, errors.New("timed out waiting for a child process to start")
	}
}

// startOkta starts the emulator seeded with the generator. The rate limit
// is set far above anything the bench sends: throttling would measure the
// emulator's limiter, not the engine.
func (p *procs) startOkta(bin string, users, groups int, token string) (url string, err error) {
	args := []string{"-listen", "127.0.0.1:0", "-token", token,
		"-users", fmt.Sprint(users), "-groups", fmt.Sprint(groups), "-gen-seed", "1",
		"-rate-limit", fmt.Sprint(benchOktaRateLimit)}
	_, _, out, err := p.start(bin, args, false)
	if err != nil {
		return "", err
	}
	vars, err := readVars(out, 10*time.Minute, "OKTA_URL")
	if err != nil {
		return "", fmt.Errorf("oktaserver: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return vars["OKTA_URL"], nil
}

// benchOktaRateLimit is requests per bucket per minute in the emulator.
const benchOktaRateLimit = 1_000_000_000

// startSCIM starts one SCIM test server with Cisco's defaults (cap 1000,
// pages of 100) and extra flags (a rate limit, Bulk).
func (p *procs) startSCIM(bin, token string, extra ...string) (string, error) {
	args := append([]string{"-listen", "127.0.0.1:0", "-token", token, "-max-groups", "1000", "-max-results", "100"}, extra...)
	_, _, out, err := p.start(bin, args, false)
	if err != nil {
		return "", err
	}
	vars, err := readVars(out, time.Minute, "SCIM_URL")
	if err != nil {
		return "", fmt.Errorf("scimserver: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return vars["SCIM_URL"], nil
}

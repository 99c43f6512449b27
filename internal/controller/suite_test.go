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

package controller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/controller"
	"github.com/scimbridge/scimbridge/test/testenv"
)

// The suite runs both reconcilers in a real manager against a real
// kube-apiserver, the Okta emulator and the SCIM test server, with short
// gaps so that every spec finishes in seconds.

var (
	ctx       context.Context
	cancel    context.CancelFunc
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client
	scheme    = runtime.NewScheme()

	// logs holds everything the manager logged, at every level.
	logs = &syncBuffer{}
	// secrets remembers every token the specs used, to check logs for them.
	secrets = &tokenSet{}
)

const (
	finalizerTimeout = 3 * time.Second
	// verifyTimeout bounds each end's credential check in the suite.
	verifyTimeout = 2 * time.Second
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	SetDefaultConsistentlyDuration(2 * time.Second)
	SetDefaultConsistentlyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Controller suite")
}

var _ = BeforeSuite(func() {
	// Debug level (V(1)) goes to the buffer, for the token check.
	logger := zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true), zap.Level(zapcore.DebugLevel))
	logf.SetLogger(logger)
	ctrl.SetLogger(logger)
	ctx, cancel = context.WithCancel(context.Background())

	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(identityv1alpha1.AddToScheme(scheme)).To(Succeed())

	var err error
	testEnv, err = testenv.NewEnvironment()
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	Expect(err).NotTo(HaveOccurred())
	startHookEndpoint()
	Expect(controller.Setup(ctx, mgr, controller.Options{
		MaxConcurrentReconciles: 4,
		CycleTimeout:            time.Minute,
		MinCycleGap:             300 * time.Millisecond,
		StartupSpread:           -1,
		FinalizerTimeout:        finalizerTimeout,
		VerifyTimeout:           verifyTimeout,
		Hooks:                   controller.HookOptions{BindAddress: hookAddr, CertDir: hookCertDir},
	})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	// Checked here, after every spec ran: no token may appear in any log
	// line (debug included), event or status.
	var evs eventsv1.EventList
	Expect(k8sClient.List(ctx, &evs)).To(Succeed())
	var dis identityv1alpha1.DirectoryIntegrationList
	Expect(k8sClient.List(ctx, &dis)).To(Succeed())
	var pgs identityv1alpha1.ProvisionedGroupList
	Expect(k8sClient.List(ctx, &pgs)).To(Succeed())
	objects, err := json.Marshal([]any{evs, dis, pgs})
	Expect(err).NotTo(HaveOccurred())
	text := logs.String()
	if path := os.Getenv("CONTROLLER_SUITE_LOG"); path != "" {
		// For debugging: the whole manager log of the run.
		Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	}
	Expect(text).To(ContainSubstring("cycle finished"), "the logs were captured")
	for _, tok := range secrets.all() {
		Expect(strings.Contains(text, tok)).To(BeFalse(), "a token appears in the logs")
		Expect(strings.Contains(string(objects), tok)).To(BeFalse(), "a token appears in an event or a status")
	}
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type tokenSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (t *tokenSet) add(tok string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]bool{}
	}
	t.m[tok] = true
	return tok
}

func (t *tokenSet) all() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k := range t.m {
		out = append(out, k)
	}
	return out
}

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

// Command manager runs the scimbridge controllers.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	// Import all Kubernetes client auth plugins (e.g. OIDC) so the manager
	// can run out of cluster against any kubeconfig.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/controller"
	"github.com/scimbridge/scimbridge/internal/version"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(identityv1alpha1.AddToScheme(scheme))
}

// options are the manager's command-line flags.
type options struct {
	metricsAddr             string
	metricsCertPath         string
	metricsCertName         string
	metricsCertKey          string
	secureMetrics           bool
	enableHTTP2             bool
	changeFeed              bool
	probeAddr               string
	leaderElect             bool
	leaderElectionNamespace string
	leaderElectionID        string
	leaseDuration           time.Duration
	watchNamespaces         string
	controllers             controller.Options
	zap                     zap.Options
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0",
		"The address the metrics endpoint binds to. Use :8443 for HTTPS or :8080 for HTTP, or 0 to disable it.")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false,
		"Enable leader election, so that only one manager instance is active at a time.")
	flag.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader election lease. Required out of cluster; in cluster it defaults to the pod's namespace.")
	flag.StringVar(&o.leaderElectionID, "leader-election-id", "scimbridge.identity.scimbridge.io",
		"Name of the leader election lease. Installations that share the lease's namespace need different names.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "",
		"Comma-separated namespaces whose integrations and groups the manager watches; it then needs only Roles in them. "+
			"Empty: all namespaces, which needs the ClusterRole.")
	flag.DurationVar(&o.leaseDuration, "leader-election-lease-duration", 15*time.Second,
		"How long non-leaders wait before trying to take over leadership.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS with authentication and authorization. Use --metrics-secure=false for HTTP.")
	flag.StringVar(&o.metricsCertPath, "metrics-cert-path", "", "Directory that holds the metrics server certificate.")
	flag.StringVar(&o.metricsCertName, "metrics-cert-name", "tls.crt", "Metrics server certificate file name.")
	flag.StringVar(&o.metricsCertKey, "metrics-cert-key", "tls.key", "Metrics server key file name.")
	flag.BoolVar(&o.enableHTTP2, "enable-http2", false,
		"Enable HTTP/2 for the metrics server (off by default: HTTP/2 Stream Cancellation and Rapid Reset CVEs).")
	flag.IntVar(&o.controllers.MaxConcurrentReconciles, "max-concurrent-reconciles", 4,
		"Workers per controller. Reconciles are short: cycles run in the cycle pool.")
	flag.IntVar(&o.controllers.MaxConcurrentCycles, "max-concurrent-cycles", 8,
		"Cycles running at once across all integrations; long cycles never take the last free one.")
	flag.DurationVar(&o.controllers.VerifyTimeout, "verify-timeout", 30*time.Second,
		"Longest time the credential check of each end may take (the ends are checked separately).")
	flag.DurationVar(&o.controllers.CycleTimeout, "cycle-timeout", 30*time.Minute,
		"Longest time one provisioning cycle may run; the next cycle continues from what was done.")
	flag.DurationVar(&o.controllers.MinCycleGap, "min-cycle-gap", 30*time.Second,
		"Least time between two cycles of one integration, whatever triggers them.")
	flag.DurationVar(&o.controllers.StartupSpread, "startup-spread", 2*time.Minute,
		"Window over which cycles that fell due while the manager was down are spread after a start (0: no spread).")
	flag.Float64Var(&o.controllers.TargetRequestsPerSecond, "target-requests-per-second", 25,
		"Requests per second each integration may send to its SCIM target.")
	flag.IntVar(&o.controllers.TargetMaxInFlight, "target-max-in-flight", 8,
		"Requests each integration may have in flight to its SCIM target at once.")
	flag.DurationVar(&o.controllers.FinalizerTimeout, "group-finalizer-timeout", 10*time.Minute,
		"How long a deleted Delete-policy ProvisionedGroup waits for its target group to be deleted before the finalizer is released with a Warning.")
	flag.BoolVar(&o.changeFeed, "change-feed", true,
		"Poll each Okta org's System Log and run targeted cycles for the users and groups its events name.")
	flag.Float64Var(&o.controllers.Feed.LogsShare, "change-feed-logs-share", 0.1,
		"Share of each Okta org's System Log rate bucket the change feed plans its polls for (at most 0.1).")
	flag.StringVar(&o.controllers.Hooks.BindAddress, "event-hook-bind-address", "0",
		"The address the Okta Event Hook receiver (TLS) binds to; 0 turns it off.")
	flag.StringVar(&o.controllers.Hooks.CertDir, "event-hook-cert-dir", "/var/run/scimbridge/hook-certs",
		"Directory that holds the Event Hook receiver's tls.crt and tls.key (reloaded when they change).")
	o.zap = zap.Options{Development: false}
	o.zap.BindFlags(flag.CommandLine)
	flag.Parse()
	o.controllers.Feed.Disabled = !o.changeFeed
	return o
}

func main() {
	opts := parseFlags()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts.zap)))
	setupLog.Info("starting scimbridge", "version", version.Version)

	if err := run(opts); err != nil {
		setupLog.Error(err, "manager exited with an error")
		os.Exit(1)
	}
}

func run(opts options) error {
	var tlsOpts []func(*tls.Config)
	if !opts.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}

	metricsOpts := metricsserver.Options{
		BindAddress:   opts.metricsAddr,
		SecureServing: opts.secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if opts.secureMetrics {
		// Callers must present a token that may GET /metrics (TokenReview + SubjectAccessReview).
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	var metricsCertWatcher *certwatcher.CertWatcher
	if opts.metricsCertPath != "" {
		var err error
		metricsCertWatcher, err = certwatcher.New(
			filepath.Join(opts.metricsCertPath, opts.metricsCertName),
			filepath.Join(opts.metricsCertPath, opts.metricsCertKey),
		)
		if err != nil {
			return err
		}
		metricsOpts.TLSOpts = append(metricsOpts.TLSOpts, func(c *tls.Config) {
			c.GetCertificate = metricsCertWatcher.GetCertificate
		})
	}

	cacheOpts, err := watchedNamespaces(opts.watchNamespaces)
	if err != nil {
		return err
	}

	leaseDuration := opts.leaseDuration
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOpts,
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        opts.probeAddr,
		LeaderElection:                opts.leaderElect,
		LeaderElectionID:              opts.leaderElectionID,
		LeaderElectionNamespace:       opts.leaderElectionNamespace,
		LeaseDuration:                 &leaseDuration,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return err
	}

	if metricsCertWatcher != nil {
		if err := mgr.Add(metricsCertWatcher); err != nil {
			return err
		}
	}
	ctx := ctrl.SetupSignalHandler()
	if err := controller.Setup(ctx, mgr, opts.controllers); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}

	setupLog.Info("starting manager")
	return mgr.Start(ctx)
}

// watchedNamespaces turns --watch-namespaces into cache options. With
// namespaces, every informer lists and watches only in them, so the manager
// works with Roles there and never asks for objects elsewhere; integrations in
// other namespaces are not seen at all. The leader-election lease is not read
// through the cache and stays where --leader-election-namespace puts it.
func watchedNamespaces(list string) (cache.Options, error) {
	var opts cache.Options
	for ns := range strings.SplitSeq(list, ",") {
		ns = strings.TrimSpace(ns)
		if ns == "" {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return opts, fmt.Errorf("--watch-namespaces: %q: %s", ns, strings.Join(errs, "; "))
		}
		if opts.DefaultNamespaces == nil {
			opts.DefaultNamespaces = map[string]cache.Config{}
		}
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
	if opts.DefaultNamespaces != nil {
		setupLog.Info("watching only some namespaces", "namespaces", slices.Sorted(maps.Keys(opts.DefaultNamespaces)))
	}
	return opts, nil
}

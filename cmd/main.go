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
	"errors"
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
	"github.com/scimbridge/scimbridge/internal/memlimit"
	"github.com/scimbridge/scimbridge/internal/sharding"
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
	sharding                sharding.Config
	watchNamespaces         string
	memoryLimitRatio        float64
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
		"Namespace of the leader election lease and of the shard leases. Required out of cluster; in cluster it defaults to the pod's namespace.")
	flag.StringVar(&o.leaderElectionID, "leader-election-id", "scimbridge.identity.scimbridge.io",
		"Name of the leader election lease. Installations that share the lease's namespace need different names.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "",
		"Comma-separated namespaces whose integrations and groups the manager watches; it then needs only Roles in them. "+
			"Empty: all namespaces, which needs the ClusterRole.")
	flag.DurationVar(&o.leaseDuration, "leader-election-lease-duration", 15*time.Second,
		"How long non-leaders wait before trying to take over leadership.")
	flag.IntVar(&o.sharding.Shards, "shards", 1,
		"Shards the integrations are spread over; every replica holds some of them as Leases and acts only on their integrations. "+
			"1: no sharding (one active manager; use --leader-elect for standbys). Every replica needs the same value.")
	flag.StringVar(&o.sharding.Name, "shard-lease-prefix", "scimbridge-shard",
		"Prefix of the shard leases' names. Installations that share the leases' namespace need different prefixes.")
	flag.DurationVar(&o.sharding.LeaseDuration, "shard-lease-duration", 15*time.Second,
		"How long a replica waits after it last saw a shard lease renewed before it takes the shard over.")
	flag.DurationVar(&o.sharding.RenewDeadline, "shard-renew-deadline", 10*time.Second,
		"How long a replica keeps acting on a shard after its last renewal was sent; shorter than --shard-lease-duration.")
	flag.DurationVar(&o.sharding.RetryPeriod, "shard-retry-period", 2*time.Second,
		"Time between two rounds of shard lease renewals and acquisitions.")
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
	flag.StringVar(&o.controllers.TargetRateMode, "target-rate-mode", "Adaptive",
		"How each integration paces its SCIM target: Adaptive finds the target's rate (slower on 429, 503 or rising latency) "+
			"below --target-max-requests-per-second; Fixed sends at --target-requests-per-second. spec.target.rateLimit overrides it.")
	flag.Float64Var(&o.controllers.TargetMaxRequestsPerSecond, "target-max-requests-per-second", 200,
		"Ceiling of Adaptive pacing: the most requests per second an integration ever sends to its SCIM target.")
	flag.Float64Var(&o.controllers.TargetRequestsPerSecond, "target-requests-per-second", 25,
		"Requests per second each integration sends to its SCIM target with Fixed pacing.")
	flag.IntVar(&o.controllers.TargetMaxInFlight, "target-max-in-flight", 8,
		"Requests each integration may have in flight to its SCIM target at once (Adaptive pacing stays below it).")
	flag.DurationVar(&o.controllers.FinalizerTimeout, "group-finalizer-timeout", 10*time.Minute,
		"How long a deleted Delete-policy ProvisionedGroup waits for its target group to be deleted before the finalizer is released with a Warning.")
	flag.Float64Var(&o.memoryLimitRatio, "memory-limit-ratio", 0.9,
		"Share of the container's memory limit the Go runtime keeps the process under, collecting harder near it (0: off; GOMEMLIMIT wins).")
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
	if limit, err := memlimit.FromCgroup(opts.memoryLimitRatio); err != nil {
		setupLog.Error(err, "reading the container's memory limit")
	} else if limit > 0 {
		setupLog.Info("memory limit set from the container's", "bytes", limit)
	}

	if err := run(opts); err != nil {
		setupLog.Error(err, "manager exited with an error")
		os.Exit(1)
	}
}

func run(opts options) error {
	if m := opts.controllers.TargetRateMode; m != "Adaptive" && m != "Fixed" {
		return fmt.Errorf("--target-rate-mode must be Adaptive or Fixed, not %q", m)
	}
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

	if opts.sharding.Shards > 1 && opts.leaderElect {
		return errors.New("--shards > 1 replaces leader election: every replica is active on its own shards; drop --leader-elect")
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
	if opts.controllers.Sharding, err = shardingConfig(opts); err != nil {
		return err
	}
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

// shardingConfig returns the shard leases' settings when --shards > 1,
// nil otherwise: one manager acts on every integration, as before.
func shardingConfig(opts options) (*sharding.Config, error) {
	c := opts.sharding
	if c.Shards < 1 {
		return nil, errors.New("--shards must be at least 1")
	}
	if c.Shards == 1 {
		return nil, nil
	}
	c.Namespace = opts.leaderElectionNamespace
	if c.Namespace == "" {
		data, err := os.ReadFile(serviceAccountNamespace)
		if err != nil {
			return nil, errors.New("--leader-election-namespace is required out of cluster: it holds the shard leases")
		}
		c.Namespace = strings.TrimSpace(string(data))
	}
	c.Identity = sharding.NewIdentity()
	setupLog.Info("sharding the integrations", "shards", c.Shards, "identity", c.Identity, "namespace", c.Namespace)
	return &c, nil
}

// serviceAccountNamespace is where a pod finds its own namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

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

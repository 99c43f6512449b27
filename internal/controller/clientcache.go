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

package controller

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	identityv1alpha1 "github.com/scimbridge/scimbridge/api/v1alpha1"
	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/provisioning"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// clientCache holds one Okta client, one SCIM client and one engine per
// integration, keyed on everything they are built from: the Secrets'
// resourceVersions and the spec fields the clients use. A changed key builds
// a new client (and a new engine, which starts with a full cycle); the old
// one is dropped and never used again. Both reconcilers share it, so a
// ProvisionedGroup lookup and its integration's cycle draw on one rate budget.
type clientCache struct {
	reader     client.Reader // direct API reads: no Secret data is cached
	metrics    *metricsRecorder
	log        logr.Logger
	engineOpts provisioning.Options
	// limiters pace the Okta clients: one budget per org, shared by every
	// integration that reads it.
	limiters *okta.Limiters
	// pace holds the manager's pacing defaults for each SCIM client.
	pace paceDefaults
	// shards, when sharded, binds each SCIM client to the tenure of its
	// integration's shard it was built in.
	shards *shardGate

	mu      sync.Mutex
	entries map[types.NamespacedName]*clientEntry
}

type clientEntry struct {
	oktaKey string
	okta    *okta.Client
	oktaErr *credentialError
	// rebuildDPoP rebuilds the OAuth client with DPoP proofs, for service
	// apps that demand them; nil for API tokens or when already on.
	rebuildDPoP func() (*okta.Client, error)
	// dpopFor is the Okta inputs key whose app demanded DPoP: later
	// reconciles with the same inputs keep the DPoP client.
	dpopFor string

	targetKey string
	scim      *scim.Client
	targetErr *credentialError
	// pacer outlives the SCIM client while the target URL stays: a rotated
	// token keeps the rate Adaptive pacing learned.
	pacer    *scim.Pacer
	pacerURL string

	engineKey string
	engine    *provisioning.Engine

	// fingerprint identifies the target URL and token together (a hash,
	// never the token) to find two integrations writing one target.
	fingerprint string
	created     metav1.Time
	// verifiedKey is the clients key whose target accepted the token: only
	// such integrations claim a target, so a broken one never blocks a
	// valid one and no answer tells more than the target itself does.
	verifiedKey string
	// secrets are the credential values, redacted from every server text
	// before it reaches a condition, event, log line or metric.
	secrets [][]byte
}

// clients is what one reconcile uses; it does not change under it.
type clients struct {
	// key identifies the pair of clients (and so the engine).
	key       string
	okta      *okta.Client
	oktaErr   *credentialError
	scim      *scim.Client
	targetErr *credentialError
	engine    *provisioning.Engine
	// redact removes the integration's credentials from text.
	redact func(string) string
}

func newClientCache(reader client.Reader, m *metricsRecorder, log logr.Logger, opts Options) *clientCache {
	return &clientCache{reader: reader, metrics: m, log: log, engineOpts: opts.Engine, limiters: opts.OktaLimiters,
		pace: paceDefaults{mode: identityv1alpha1.PacingMode(opts.TargetRateMode), ceiling: opts.TargetMaxRequestsPerSecond,
			fixed: opts.TargetRequestsPerSecond, inFlight: opts.TargetMaxInFlight},
		entries: map[types.NamespacedName]*clientEntry{}}
}

// oktaInputs are what the Okta client is built from.
type oktaInputs struct {
	key     string
	secret  []byte
	auth    func(dpop bool) (okta.Auth, error)
	orgURL  string
	credErr *credentialError
}

// targetInputs are what the SCIM client is built from.
type targetInputs struct {
	key         string
	token       []byte
	caBundle    []byte
	fingerprint string
	credErr     *credentialError
	// epoch is the shard tenure the client is built for (0: unsharded).
	epoch uint64
}

// get returns the integration's clients, building what changed. Secret read
// failures other than missing or invalid data are returned as errors.
func (c *clientCache) get(ctx context.Context, di *identityv1alpha1.DirectoryIntegration) (clients, error) {
	oi, err := c.oktaInputs(ctx, di)
	if err != nil {
		return clients{}, err
	}
	ti, err := c.targetInputs(ctx, di)
	if err != nil {
		return clients{}, err
	}
	nn := types.NamespacedName{Namespace: di.Namespace, Name: di.Name}

	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[nn]
	if e == nil {
		e = &clientEntry{}
		c.entries[nn] = e
	}
	e.created = di.CreationTimestamp
	oktaKey, dpop := oi.key, e.dpopFor == oi.key && oi.key != ""
	if dpop {
		oktaKey = hashKey(oi.key, "dpop")
	}
	if e.oktaKey != oktaKey {
		e.oktaKey, e.okta, e.oktaErr, e.rebuildDPoP = oktaKey, nil, oi.credErr, nil
		if oi.credErr == nil {
			e.okta, e.oktaErr = c.buildOkta(di, oi, dpop)
			if e.oktaErr == nil && di.Spec.Okta.OAuth != nil && !dpop {
				e.rebuildDPoP = func() (*okta.Client, error) {
					cl, ce := c.buildOkta(di, oi, true)
					if ce != nil {
						return nil, ce
					}
					return cl, nil
				}
			}
		}
	}
	e.pace(di, c.pace)
	if e.targetKey != ti.key {
		e.targetKey, e.scim, e.targetErr, e.fingerprint = ti.key, nil, ti.credErr, ti.fingerprint
		if ti.credErr == nil {
			e.scim, e.targetErr = c.buildSCIM(di, ti, e.pacer)
		}
	}
	engineKey := hashKey(e.oktaKey, e.targetKey)
	if e.engineKey != engineKey || e.engine == nil {
		e.engineKey, e.engine = engineKey, nil
		if e.okta != nil && e.scim != nil {
			opts := c.engineOpts
			opts.Log = c.log.WithValues("integration", nn.String())
			e.engine = provisioning.New(provisioning.OktaSource{Client: e.okta}, e.scim, opts)
		}
	}
	e.secrets = secretValues(oi.secret, ti.token)
	return e.clients(), nil
}

func (e *clientEntry) clients() clients {
	return clients{key: e.engineKey, okta: e.okta, oktaErr: e.oktaErr, scim: e.scim, targetErr: e.targetErr, engine: e.engine,
		redact: redactor(e.secrets)}
}

// secretValues are the strings to redact: each whole value and, for a PEM
// key, each of its lines.
func secretValues(values ...[]byte) [][]byte {
	var out [][]byte
	for _, v := range values {
		if len(v) == 0 {
			continue
		}
		out = append(out, v)
		for line := range bytes.SplitSeq(v, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) >= 16 && !bytes.HasPrefix(line, []byte("-----")) {
				out = append(out, line)
			}
		}
	}
	return out
}

func redactor(secrets [][]byte) func(string) string {
	values := make([]string, len(secrets))
	for i, s := range secrets {
		values[i] = string(s)
	}
	return func(text string) string { return httpx.Redact(text, values...) }
}

// markVerified records that the target accepted the token of clientsKey.
func (c *clientCache) markVerified(nn types.NamespacedName, clientsKey string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[nn]; e != nil && e.engineKey == clientsKey {
		e.verifiedKey = clientsKey
	}
}

// switchToDPoP rebuilds the integration's OAuth client with DPoP proofs after
// Okta answered that the app requires them (new service apps do, and the
// spec has no switch for it). It reports whether a new client was built.
func (c *clientCache) switchToDPoP(nn types.NamespacedName) (clients, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[nn]
	if e == nil || e.rebuildDPoP == nil {
		return clients{}, false
	}
	cl, err := e.rebuildDPoP()
	e.rebuildDPoP = nil
	if err != nil {
		return clients{}, false
	}
	e.okta = cl
	e.dpopFor = e.oktaKey
	e.oktaKey = hashKey(e.oktaKey, "dpop")
	e.engineKey = hashKey(e.oktaKey, e.targetKey)
	e.engine = nil
	if e.scim != nil {
		opts := c.engineOpts
		opts.Log = c.log.WithValues("integration", nn.String())
		e.engine = provisioning.New(provisioning.OktaSource{Client: e.okta}, e.scim, opts)
	}
	return e.clients(), true
}

// forget drops an integration's clients (it was deleted).
func (c *clientCache) forget(nn types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, nn)
}

// twinPending reports whether an older integration may turn out to be this
// one's twin but has not been checked yet: unknown to the cache, or with
// the same fingerprint and working clients but no verification yet.
func (c *clientCache) twinPending(nn, other types.NamespacedName) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	me, e := c.entries[nn], c.entries[other]
	if me == nil {
		return false
	}
	if e == nil {
		return true
	}
	return e.fingerprint == me.fingerprint && e.scim != nil && e.okta != nil && !e.verified()
}

// olderTwin returns an older integration that writes the same target with
// the same token; the older one keeps working, the younger one stalls.
// Only integrations whose target accepted their token take part.
func (c *clientCache) olderTwin(nn types.NamespacedName) (types.NamespacedName, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	me := c.entries[nn]
	if me == nil || me.fingerprint == "" || !me.verified() {
		return types.NamespacedName{}, false
	}
	var best types.NamespacedName
	found := false
	for other, e := range c.entries {
		if other == nn || !e.verified() || e.fingerprint != me.fingerprint || !olderThan(e.created, other, me.created, nn) {
			continue
		}
		if !found || olderThan(e.created, other, c.entries[best].created, best) {
			best, found = other, true
		}
	}
	return best, found
}

func (e *clientEntry) verified() bool { return e.verifiedKey != "" && e.verifiedKey == e.engineKey }

// olderThan orders integrations by creation, then by name for a stable tie-break.
func olderThan(ta metav1.Time, a types.NamespacedName, tb metav1.Time, b types.NamespacedName) bool {
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.String() < b.String()
}

func (c *clientCache) oktaInputs(ctx context.Context, di *identityv1alpha1.DirectoryIntegration) (oktaInputs, error) {
	src := di.Spec.Okta
	in := oktaInputs{orgURL: src.OrgURL}
	switch {
	case src.APITokenSecretRef != nil:
		v, err := readSecretKey(ctx, c.reader, di.Namespace, *src.APITokenSecretRef)
		if ce := asCredentialError(err); ce != nil {
			in.credErr, in.key = ce, hashKey("okta", src.OrgURL, "ssws", ce.Message)
			return in, nil
		} else if err != nil {
			return in, err
		}
		token := string(bytes.TrimSpace(v.data))
		in.secret = []byte(token)
		in.key = hashKey("okta", src.OrgURL, "ssws", src.APITokenSecretRef.Name, src.APITokenSecretRef.Key, v.resourceVersion)
		in.auth = func(bool) (okta.Auth, error) { return okta.SSWS(token), nil }
	case src.OAuth != nil:
		o := src.OAuth
		v, err := readSecretKey(ctx, c.reader, di.Namespace, o.PrivateKeySecretRef)
		if ce := asCredentialError(err); ce != nil {
			in.credErr, in.key = ce, hashKey("okta", src.OrgURL, "oauth", ce.Message)
			return in, nil
		} else if err != nil {
			return in, err
		}
		pem := bytes.TrimSpace(v.data)
		in.secret = pem
		scopes := slices.Clone(o.Scopes)
		slices.Sort(scopes)
		in.key = hashKey("okta", src.OrgURL, "oauth", o.ClientID, o.KeyID, strings.Join(scopes, " "),
			o.PrivateKeySecretRef.Name, o.PrivateKeySecretRef.Key, v.resourceVersion)
		in.auth = func(dpop bool) (okta.Auth, error) {
			return okta.OAuth(okta.OAuthConfig{ClientID: o.ClientID, PrivateKeyPEM: pem, KeyID: o.KeyID, Scopes: scopes, DPoP: dpop})
		}
	default:
		in.credErr = &credentialError{Reason: identityv1alpha1.ReasonInvalidConfig, Message: "spec.okta needs apiTokenSecretRef or oauth"}
		in.key = hashKey("okta", src.OrgURL, "none")
	}
	return in, nil
}

func (c *clientCache) targetInputs(ctx context.Context, di *identityv1alpha1.DirectoryIntegration) (targetInputs, error) {
	t := di.Spec.Target
	base := []string{"target", t.URL, string(t.Profile), fmt.Sprint(sendsEmails(di))}
	var in targetInputs
	v, err := readSecretKey(ctx, c.reader, di.Namespace, t.TokenSecretRef)
	if ce := asCredentialError(err); ce != nil {
		in.credErr, in.key = ce, hashKey(append(base, ce.Message)...)
		return in, nil
	} else if err != nil {
		return in, err
	}
	in.token = bytes.TrimSpace(v.data)
	parts := append(slices.Clone(base), t.TokenSecretRef.Name, t.TokenSecretRef.Key, v.resourceVersion)
	if ref := t.CABundleSecretRef; ref != nil {
		ca, err := readSecretKey(ctx, c.reader, di.Namespace, *ref)
		if ce := asCredentialError(err); ce != nil {
			in.credErr, in.key = ce, hashKey(append(parts, "ca", ce.Message)...)
			return in, nil
		} else if err != nil {
			return in, err
		}
		in.caBundle = ca.data
		parts = append(parts, "ca", ref.Name, ref.Key, ca.resourceVersion)
	}
	if in.epoch = c.shards.epoch(types.NamespacedName{Namespace: di.Namespace, Name: di.Name}); in.epoch != 0 {
		// A new tenure builds new clients and a new engine: another replica
		// may have written the target since this one last did.
		parts = append(parts, "epoch", strconv.FormatUint(in.epoch, 10))
	}
	in.key = hashKey(parts...)
	in.fingerprint = hashKey("fingerprint", normalizeURL(t.URL), string(in.token))
	return in, nil
}

func (c *clientCache) buildOkta(di *identityv1alpha1.DirectoryIntegration, in oktaInputs, dpop bool) (*okta.Client, *credentialError) {
	auth, err := in.auth(dpop)
	if err != nil {
		// The okta package's key errors describe the format, never the bytes.
		return nil, &credentialError{Reason: identityv1alpha1.ReasonInvalidSecret,
			Message: "the OAuth private key cannot be used: " + err.Error()}
	}
	cl, err := okta.New(in.orgURL, auth, okta.Options{
		Limiters:  c.limiters,
		Observer:  c.metrics.observer(di.Namespace, di.Name, apiOkta),
		UserAgent: "scimbridge",
	})
	if err != nil {
		return nil, &credentialError{Reason: identityv1alpha1.ReasonInvalidConfig, Message: err.Error()}
	}
	return cl, nil
}

func (c *clientCache) buildSCIM(di *identityv1alpha1.DirectoryIntegration, in targetInputs, pacer *scim.Pacer) (*scim.Client, *credentialError) {
	opts := scim.Options{
		CABundle:   in.caBundle,
		SendEmails: sendsEmails(di),
		Observer:   c.metrics.observer(di.Namespace, di.Name, apiSCIM),
		Pacer:      pacer,
	}
	var err error
	if c.shards.sharded() {
		err = c.shardedTransport(di, in, &opts)
	}
	var cl *scim.Client
	if err == nil {
		cl, err = scim.New(di.Spec.Target.URL, string(in.token), opts)
	}
	if err != nil {
		reason := identityv1alpha1.ReasonInvalidConfig
		if errors.Is(err, httpx.ErrInvalidCABundle) {
			reason = identityv1alpha1.ReasonInvalidSecret
		}
		return nil, &credentialError{Reason: reason, Message: err.Error()}
	}
	return cl, nil
}

// shardedTransport gives a sharded replica's SCIM client the default
// transport wrapped in the tenure check, and a User-Agent naming the replica.
func (c *clientCache) shardedTransport(di *identityv1alpha1.DirectoryIntegration, in targetInputs, opts *scim.Options) error {
	rt, err := httpx.NewTransport(httpx.TransportOptions{CABundle: in.caBundle, MaxConnsPerHost: c.pace.inFlight})
	if err != nil {
		return fmt.Errorf("scim: %w", err)
	}
	opts.Transport = c.shards.transport(types.NamespacedName{Namespace: di.Namespace, Name: di.Name}, in.epoch, rt)
	opts.UserAgent = c.shards.userAgent()
	return nil
}

func asCredentialError(err error) *credentialError {
	var ce *credentialError
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// hashKey hashes its parts into a short key. Parts are resourceVersions and
// spec fields, or a token only inside the duplicate fingerprint, which is
// never shown anywhere.
func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// normalizeURL makes two spellings of one SCIM base URL compare equal.
func normalizeURL(u string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(u), "/"))
}

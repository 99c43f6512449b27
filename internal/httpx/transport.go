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

package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// TransportOptions configures NewTransport.
type TransportOptions struct {
	// CABundle is PEM data trusted in addition to the system roots.
	CABundle []byte
	// MaxConnsPerHost caps open connections; 0 means 16.
	MaxConnsPerHost int
}

// ErrInvalidCABundle means a CA bundle held no PEM certificate. Both clients
// return it wrapped, so a caller can blame the bundle rather than the URL.
var ErrInvalidCABundle = errors.New("CA bundle contains no PEM certificates")

// NewTransport returns a transport with TLS 1.2 minimum, the system roots plus
// an optional CA bundle, and bounded connection pools.
func NewTransport(opts TransportOptions) (*http.Transport, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(opts.CABundle) > 0 && !pool.AppendCertsFromPEM(opts.CABundle) {
		return nil, ErrInvalidCABundle
	}
	conns := opts.MaxConnsPerHost
	if conns <= 0 {
		conns = 16
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       conns,
		ForceAttemptHTTP2:     true,
	}, nil
}

// SameOriginRedirects refuses any redirect that leaves the original scheme and
// host, so credentials never travel to another origin.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return fmt.Errorf("refusing redirect from %s://%s to another origin %s://%s", first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)
	}
	return nil
}

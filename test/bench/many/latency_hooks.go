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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/scimbridge/scimbridge/test/localenv"
)

// hookEndpoint is the manager's Event Hook receiver in the bench: its
// loopback address, the directory of its certificate (--event-hook-cert-dir)
// and the PEM of that self-signed certificate, which the emulator trusts.
type hookEndpoint struct {
	addr, certDir, caPEM string
}

// url is the receiver's path for the integration.
func (h hookEndpoint) url() string {
	return "https://" + h.addr + "/hooks/okta/" + namespace + "/" + latencyName
}

func newHookEndpoint(dir string) (hookEndpoint, error) {
	var h hookEndpoint
	var err error
	if h.addr, err = localenv.FreeAddr(); err != nil {
		return h, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return h, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scimbridge-hooks"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return h, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return h, err
	}
	h.caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	h.certDir = filepath.Join(dir, "hook-certs")
	if err := os.MkdirAll(h.certDir, 0o700); err != nil {
		return h, err
	}
	if err := os.WriteFile(filepath.Join(h.certDir, "tls.crt"), []byte(h.caPEM), 0o600); err != nil {
		return h, err
	}
	return h, os.WriteFile(filepath.Join(h.certDir, "tls.key"),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

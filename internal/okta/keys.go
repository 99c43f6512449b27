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

package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// parsePrivateKey reads an RSA or EC private key from PEM (PKCS#1, PKCS#8 or
// SEC 1) and picks the matching JWS algorithm. Errors never echo key bytes.
func parsePrivateKey(data []byte) (crypto.Signer, jose.SignatureAlgorithm, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("okta: private key is not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, "", fmt.Errorf("okta: unsupported PEM block %q", block.Type)
	}
	if err != nil {
		// The x509 errors describe structure only, never key material.
		return nil, "", fmt.Errorf("okta: parsing private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, "", errors.New("okta: RSA key shorter than 2048 bits")
		}
		return k, jose.RS256, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return k, jose.ES256, nil
		case elliptic.P384():
			return k, jose.ES384, nil
		case elliptic.P521():
			return k, jose.ES512, nil
		}
		return nil, "", errors.New("okta: unsupported EC curve")
	}
	return nil, "", fmt.Errorf("okta: unsupported private key type %T", key)
}

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

// Command oktaserver runs the in-memory Okta API emulator as a process, for
// the local demo. It listens on loopback only and prints its URL and token.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/test/oktaserver"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "listen address (loopback only)")
	token := flag.String("token", "", "SSWS API token to accept (default: random, printed)")
	seed := flag.String("seed", "", "JSON seed file")
	users := flag.Int("users", 0, "generate this many users")
	groups := flag.Int("groups", 0, "generate this many groups (the first holds everyone)")
	genSeed := flag.Uint64("gen-seed", 1, "generator seed")
	rateLimit := flag.Int("rate-limit", 600, "requests per bucket per window")
	window := flag.Duration("rate-window", time.Minute, "rate-limit window")
	clientID := flag.String("client-id", "", "register an OAuth service app with this client id")
	pubKey := flag.String("client-public-key", "", "PEM public key (PKIX) of the OAuth app")
	keyID := flag.String("client-key-id", "", "kid of the OAuth app key")
	requireDPoP := flag.Bool("require-dpop", true, "OAuth app requires DPoP")
	flag.Parse()

	srv, err := oktaserver.Start(oktaserver.Options{APIToken: *token, DefaultRateLimit: *rateLimit, RateWindow: *window}, *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *seed != "" {
		if err := srv.LoadFile(*seed); err != nil {
			log.Fatal(err)
		}
	}
	if *users > 0 || *groups > 0 {
		if _, _, err := srv.Generate(oktaserver.GenOptions{Users: *users, Groups: *groups, Seed: *genSeed}); err != nil {
			log.Fatal(err)
		}
	}
	if *clientID != "" {
		data, err := os.ReadFile(*pubKey)
		if err != nil {
			log.Fatal(err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			log.Fatal("client public key is not PEM")
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			log.Fatal(err)
		}
		srv.RegisterClient(oktaserver.OAuthClient{ClientID: *clientID, PublicKey: pub, KeyID: *keyID, RequireDPoP: *requireDPoP})
	}
	fmt.Printf("OKTA_URL=%s\nOKTA_API_TOKEN=%s\n", srv.URL(), srv.APIToken())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	_ = srv.Close()
}

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

// Command scimserver runs the Cisco-profile SCIM test server on 127.0.0.1,
// for the local demo and manual testing. It prints the SCIM base URL on
// stdout; run-time knobs are under /_control/ (see package scimserver).
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/scimbridge/scimbridge/test/scimserver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on; host must be 127.0.0.1")
	token := flag.String("token", os.Getenv("SCIMSERVER_TOKEN"), "bearer token (default $SCIMSERVER_TOKEN; generated and printed when empty)")
	basePath := flag.String("base-path", "/scim/v2", "path of the SCIM API")
	maxGroups := flag.Int("max-groups", 1000, "group cap, 0 for none")
	rejectOverCap := flag.Bool("reject-over-cap", false, "reject groups past the cap with 400 instead of dropping them silently")
	maxResults := flag.Int("max-results", 100, "largest page a list returns")
	strict := flag.Bool("strict-members", false, "reject group members that are not known users")
	rateLimit := flag.Float64("rate", 0, "requests per second accepted (token bucket); 0 for no limit; more are answered 429")
	rateBurst := flag.Int("rate-burst", 0, "token bucket size (default one second of -rate)")
	retryAfter := flag.Bool("retry-after", true, "send Retry-After with 429s of the rate limit")
	loadLatency := flag.Duration("load-latency", 0, "latency added as the token bucket empties (up to this when empty)")
	bulk := flag.Bool("bulk", false, "serve SCIM Bulk (POST /Bulk) and advertise it in /ServiceProviderConfig")
	bulkOps := flag.Int("bulk-max-operations", 1000, "maxOperations advertised and enforced for Bulk")
	bulkPayload := flag.Int("bulk-max-payload", 1<<20, "maxPayloadSize in bytes advertised and enforced for Bulk")
	flag.Parse()

	generated := *token == ""
	if generated {
		*token = rand.Text()
	}
	srv, err := scimserver.New(scimserver.Options{
		Token: *token, BasePath: *basePath, MaxResults: *maxResults,
		MaxGroups: *maxGroups, RejectOverCap: *rejectOverCap, StrictMembers: *strict,
		RateLimit: *rateLimit, RateBurst: *rateBurst, RetryAfter: *retryAfter, LoadLatency: *loadLatency,
		Bulk: *bulk, BulkMaxOperations: *bulkOps, BulkMaxPayload: *bulkPayload,
	})
	if err != nil {
		return err
	}
	url, err := srv.Listen(*listen)
	if err != nil {
		return err
	}
	fmt.Println("SCIM_URL=" + url)
	if generated {
		// Only a token this process made up is printed; a supplied one never is.
		fmt.Println("SCIM_TOKEN=" + *token)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return srv.Close()
}

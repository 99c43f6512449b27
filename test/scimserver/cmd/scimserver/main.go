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
	flag.Parse()

	generated := *token == ""
	if generated {
		*token = rand.Text()
	}
	srv, err := scimserver.New(scimserver.Options{
		Token: *token, BasePath: *basePath, MaxResults: *maxResults,
		MaxGroups: *maxGroups, RejectOverCap: *rejectOverCap, StrictMembers: *strict,
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

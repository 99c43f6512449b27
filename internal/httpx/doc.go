// Package httpx holds the HTTP plumbing shared by the Okta and SCIM clients:
// size-capped bodies, Retry-After parsing, jittered backoff, hardened TLS
// transports, a same-origin redirect policy and request accounting.
package httpx

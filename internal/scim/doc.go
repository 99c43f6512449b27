// Package scim is a small SCIM 2.0 (RFC 7643/7644) client for the target
// directory, written for Cisco Secure Access but usable with any conforming
// server. It never deletes users; it retries only where a retry cannot create
// duplicates, and it keeps the bearer token out of errors, logs and accounting.
package scim

// Package okta is a small client for the handful of Okta Management API
// endpoints the operator reads: users, groups and group membership.
//
// It exists instead of the generated SDK because the operator needs strict
// control over caching (none), paging (Link rel="next" only, same origin),
// rate-limit budgets shared per Okta org, and credentials that never leak into
// errors or logs.
package okta

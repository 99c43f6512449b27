package main

import "github.com/scimbridge/scimbridge/internal/provisioning"

// celMapping is set by BENCH_MAPPING=cel: the engine maps users with the six
// expressions and the scope below, and the model (so the replay and the
// verification) provisions the same values: the four attributes of the
// plain mapping and the enterprise extension's department and employee
// number. No seeded user is a contractor, so the scope keeps everyone and
// the change set is the plain mapping's plus the two attributes.
var celMapping bool

const enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

var celExpressions = []provisioning.AttributeExpression{
	{Target: "userName", Expression: "user.profile.login.lowerAscii()"},
	{Target: "displayName", Expression: `user.profile.?displayName.orValue("") != "" ? user.profile.displayName : (user.profile.firstName + " " + user.profile.lastName).trim()`},
	{Target: "name.givenName", Expression: "user.profile.firstName"},
	{Target: "name.familyName", Expression: "user.profile.lastName"},
	{Target: "department", Expression: `user.profile.?department.orValue("")`},
	{Target: "employeeNumber", Expression: `user.profile.?employeeNumber.orValue("")`},
}

const celScope = `user.profile.?department.orValue("") != "Contractors"`

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

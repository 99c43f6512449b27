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

package localenv

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/scimbridge/scimbridge/internal/scim"
)

// PrintTarget lists the target's users and groups through the SCIM API, the
// way the Secure Access dashboard shows them (display name and username).
func PrintTarget(ctx context.Context, w io.Writer, f *Fakes) error {
	c, err := scim.New(f.SCIMURL, f.SCIMToken, scim.Options{})
	if err != nil {
		return err
	}
	names := map[string]string{}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, "SCIM target users:")
	fmt.Fprintln(tw, "DISPLAY NAME\tUSERNAME\tACTIVE\tEXTERNAL ID")
	var users []scim.User
	for u, err := range c.ListUsers(ctx, scim.ListOptions{}) {
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b scim.User) int { return strings.Compare(a.UserName, b.UserName) })
	for _, u := range users {
		names[u.ID] = u.UserName
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", u.DisplayName, u.UserName, u.IsActive(), u.ExternalID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nSCIM target groups:")
	fmt.Fprintln(tw, "DISPLAY NAME\tMEMBERS")
	for g, err := range c.ListGroups(ctx, scim.ListOptions{IncludeMembers: true}) {
		if err != nil {
			return err
		}
		var members []string
		for _, m := range g.Members {
			members = append(members, names[m.Value])
		}
		slices.Sort(members)
		fmt.Fprintf(tw, "%s\t%s\n", g.DisplayName, strings.Join(members, ", "))
	}
	return tw.Flush()
}

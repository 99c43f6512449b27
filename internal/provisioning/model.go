package provisioning

import (
	"slices"
	"strings"
)

// userAttrs are the SCIM attributes the engine manages. Strings only, so a
// 100k-user state stays small.
type userAttrs struct {
	UserName       string
	GivenName      string
	FamilyName     string
	Formatted      string
	DisplayName    string
	Email          string
	NativeObjectID string
	// Extra holds the values of the attributes only expressions map
	// (title, the enterprise extension, ...), aligned with the compiled
	// mapping's list of them; nil when the configuration maps none.
	Extra []string
}

// desiredUser is an in-scope Okta user mapped to the target's attributes.
type desiredUser struct {
	OktaID string
	Status string
	// Active is the desired SCIM active flag.
	Active bool
	Attrs  userAttrs
	// Invalid explains why the user cannot be provisioned (e.g. no userName).
	Invalid string
}

// targetUser is a SCIM user as read from the target.
type targetUser struct {
	ID         string
	ExternalID string
	Active     bool
	Attrs      userAttrs
	// HasCisco records whether the extension was present, so an absent
	// nativeObjectId is not mistaken for a change.
	HasCisco bool
}

// managed reports whether the user is linked to an Okta user.
func (u *targetUser) managed() bool { return u.ExternalID != "" }

// desiredGroup is one configured group as read from Okta.
type desiredGroup struct {
	Config GroupConfig
	// Name is the Okta group's current name.
	Name string
	// Found is true once the group was read; Deleted is true when Okta
	// answered 404 for its id.
	Found   bool
	Deleted bool
	// Read is true when the member list was read completely.
	Read bool
	// Members are the Okta ids of all members, in scope or not.
	Members []string
	// Suspect says why this complete read must not shrink the scope on its
	// own (an assigned group that went empty or lost too many members).
	Suspect string
	// Err is the read error, if any.
	Err error
}

// displayName names the group for messages: its Okta name when known.
func (g *desiredGroup) displayName() string {
	for _, n := range []string{g.Name, g.Config.OktaName} {
		if n != "" {
			return n
		}
	}
	return g.Config.Key
}

// targetName is the displayName the group should have in the target.
func (g *desiredGroup) targetName() string {
	if g.Config.TargetName != "" {
		return g.Config.TargetName
	}
	if g.Name != "" {
		return g.Name
	}
	return g.Config.OktaName
}

// desired is the source side of a cycle.
type desired struct {
	// Users are the users in scope, by Okta id.
	Users map[string]*desiredUser
	// Groups are the configured groups, by GroupConfig.Key.
	Groups map[string]*desiredGroup
	// Unprovisioned are in-scope users whose status is not provisioned
	// (STAGED) or who are outside spec.scope, so incremental cycles need
	// not read them again.
	Unprovisioned map[string]bool
	// People maps each directly assigned login or id to the Okta id found
	// ("" when not found), so incremental cycles need not read them again.
	People map[string]string
	// Complete is false when any read failed or any assigned group is not
	// resolved: the scope may then be too small, so nothing may leave it.
	Complete bool
	Errors   []string
	// ReadsOK and ReadsFailed count source reads, to tell an unreadable
	// source (every read failed) from an incomplete one.
	ReadsOK, ReadsFailed int
	// fresh marks the users mapped in the current cycle.
	fresh map[string]bool
}

func newDesired() *desired {
	return &desired{
		Users:         map[string]*desiredUser{},
		Unprovisioned: map[string]bool{},
		Groups:        map[string]*desiredGroup{},
		People:        map[string]string{},
		Complete:      true,
		fresh:         map[string]bool{},
	}
}

const maxSourceErrors = 10

// suspects returns why assigned groups' reads must not shrink the scope.
func (d *desired) suspects() []string {
	var out []string
	for _, dg := range d.Groups {
		if dg.Config.Assign && dg.Suspect != "" {
			out = append(out, dg.Suspect)
		}
	}
	slices.Sort(out)
	return out
}

// fail records a failed read: the scope is incomplete.
func (d *desired) fail(msg string) {
	d.ReadsFailed++
	d.incomplete(msg)
}

// incomplete records that the scope may be too small without a failed read
// (for example an assigned group that is not resolved yet).
func (d *desired) incomplete(msg string) {
	d.Complete = false
	if len(d.Errors) < maxSourceErrors {
		d.Errors = append(d.Errors, msg)
	}
}

// targetGroup is a SCIM group as read from the target.
type targetGroup struct {
	ID          string
	ExternalID  string
	DisplayName string
	// Members is nil until the group's members were read.
	Members map[string]struct{}
}

// actual is the target side of a cycle.
type actual struct {
	Users      map[string]*targetUser // by SCIM id
	byExternal map[string]*targetUser // by externalId (Okta id)
	byUserName map[string]*targetUser // by lower-cased userName
	Groups     map[string]*targetGroup
	// GroupCount counts every group in the target, ours or not.
	GroupCount int
	// groupIndex finds groups by externalId and by lower-cased name; it is
	// rebuilt after any change to Groups.
	groupIndex *groupIndex
}

type groupIndex struct {
	byExternal map[string]*targetGroup
	byName     map[string]*targetGroup
}

// putGroup adds or replaces a group.
func (a *actual) putGroup(g *targetGroup) {
	if _, ok := a.Groups[g.ID]; !ok {
		a.GroupCount++
	}
	a.Groups[g.ID] = g
	a.groupIndex = nil
}

// removeGroup forgets a group.
func (a *actual) removeGroup(id string) {
	if _, ok := a.Groups[id]; ok {
		delete(a.Groups, id)
		a.GroupCount--
		a.groupIndex = nil
	}
}

// renameGroup changes a group's displayName.
func (a *actual) renameGroup(g *targetGroup, name string) {
	g.DisplayName = name
	a.groupIndex = nil
}

// index returns the group index, building it when needed. Where several
// groups match, the smallest id wins, so the choice is stable.
func (a *actual) index() *groupIndex {
	if a.groupIndex != nil {
		return a.groupIndex
	}
	idx := &groupIndex{byExternal: map[string]*targetGroup{}, byName: map[string]*targetGroup{}}
	better := func(m map[string]*targetGroup, k string, g *targetGroup) {
		if cur, ok := m[k]; !ok || g.ID < cur.ID {
			m[k] = g
		}
	}
	for _, g := range a.Groups {
		if g.ExternalID != "" {
			better(idx.byExternal, g.ExternalID, g)
		}
		better(idx.byName, strings.ToLower(g.DisplayName), g)
	}
	a.groupIndex = idx
	return idx
}

func newActual() *actual {
	return &actual{
		Users:      map[string]*targetUser{},
		byExternal: map[string]*targetUser{},
		byUserName: map[string]*targetUser{},
		Groups:     map[string]*targetGroup{},
	}
}

func foldName(s string) string { return strings.ToLower(s) }

// putUser adds or replaces a user and keeps the indexes in step.
func (a *actual) putUser(u *targetUser) {
	if old, ok := a.Users[u.ID]; ok {
		a.unindex(old)
	}
	a.Users[u.ID] = u
	if u.ExternalID != "" {
		// Two users with one externalId is drift we cannot resolve; keep the
		// first so the choice is stable.
		if _, dup := a.byExternal[u.ExternalID]; !dup {
			a.byExternal[u.ExternalID] = u
		}
	}
	a.byUserName[foldName(u.Attrs.UserName)] = u
}

func (a *actual) unindex(u *targetUser) {
	if a.byExternal[u.ExternalID] == u {
		delete(a.byExternal, u.ExternalID)
	}
	if a.byUserName[foldName(u.Attrs.UserName)] == u {
		delete(a.byUserName, foldName(u.Attrs.UserName))
	}
}

// counts returns the managed and active-managed users.
func (a *actual) counts() (managed, active int) {
	for _, u := range a.Users {
		if u.managed() {
			managed++
			if u.Active {
				active++
			}
		}
	}
	return managed, active
}

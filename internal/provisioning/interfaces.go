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

package provisioning

import (
	"context"
	"iter"
	"time"

	"github.com/scimbridge/scimbridge/internal/httpx"
	"github.com/scimbridge/scimbridge/internal/okta"
	"github.com/scimbridge/scimbridge/internal/scim"
)

// Source is what the engine reads from Okta.
type Source interface {
	// GetUser reads one user by id or login; okta.ErrNotFound when deleted.
	GetUser(ctx context.Context, idOrLogin string, opts ...okta.ReadOption) (okta.User, error)
	// GetGroup reads one group by id; okta.ErrNotFound when deleted.
	GetGroup(ctx context.Context, id string) (okta.Group, error)
	// GroupMembers streams a group's members; an error ends the stream and
	// means the list is incomplete.
	GroupMembers(ctx context.Context, groupID string, opts ...okta.ReadOption) iter.Seq2[okta.User, error]
	// UserGroups streams the groups a user is a member of; an error ends
	// the stream and means the list is incomplete.
	UserGroups(ctx context.Context, userID string) iter.Seq2[okta.Group, error]
	// UsersUpdatedSince streams users updated after since; watermark reports
	// the next "since" once the stream ran to its end.
	UsersUpdatedSince(ctx context.Context, since time.Time, opts ...okta.ReadOption) (users iter.Seq2[okta.User, error], watermark func() (time.Time, bool))
	// GroupsByID streams the current record of each listed group; a group
	// missing from it was deleted or never existed. watermark reports the
	// next "since" once the stream ran to its end.
	GroupsByID(ctx context.Context, ids []string) (groups iter.Seq2[okta.Group, error], watermark func() (time.Time, bool))
	// ServerTime is the Date of the latest response: watermarks come from
	// the server's clock, never the local one.
	ServerTime() time.Time
	// Accounting counts the requests sent.
	Accounting() *httpx.Accounting
}

// Target is what the engine reads from and writes to the SCIM endpoint.
// *scim.Client implements it.
type Target interface {
	ListUsers(ctx context.Context, opts scim.ListOptions) iter.Seq2[scim.User, error]
	FindUserByUserName(ctx context.Context, userName string) (scim.User, error)
	FindGroupByDisplayName(ctx context.Context, displayName string) (scim.Group, error)
	CreateUser(ctx context.Context, u scim.User) (scim.User, error)
	PatchUser(ctx context.Context, id string, ops ...scim.PatchOp) error
	ListGroups(ctx context.Context, opts scim.ListOptions) iter.Seq2[scim.Group, error]
	GetGroupWithMembers(ctx context.Context, id string) (scim.Group, error)
	CreateGroup(ctx context.Context, g scim.Group) (scim.Group, error)
	RenameGroup(ctx context.Context, id, displayName string) error
	UpdateMembers(ctx context.Context, groupID string, add, remove []string) error
	DeleteGroup(ctx context.Context, id string) error
	Accounting() *httpx.Accounting
}

// OktaSource adapts an *okta.Client to Source.
type OktaSource struct{ *okta.Client }

var _ Source = OktaSource{}
var _ Target = (*scim.Client)(nil)

// GroupMembers implements Source.
func (s OktaSource) GroupMembers(ctx context.Context, groupID string, opts ...okta.ReadOption) iter.Seq2[okta.User, error] {
	return s.ListGroupMembers(ctx, groupID, opts...)
}

// UsersUpdatedSince implements Source.
func (s OktaSource) UsersUpdatedSince(ctx context.Context, since time.Time, opts ...okta.ReadOption) (iter.Seq2[okta.User, error], func() (time.Time, bool)) {
	ch := s.Client.UsersUpdatedSince(since, opts...)
	return ch.All(ctx), ch.Watermark
}

// GroupsByID implements Source.
func (s OktaSource) GroupsByID(ctx context.Context, ids []string) (iter.Seq2[okta.Group, error], func() (time.Time, bool)) {
	ch := s.Client.GroupsByID(ids)
	return ch.All(ctx), ch.Watermark
}

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

// Action is a kind of change.
type Action string

// Actions, in the order a cycle applies them.
const (
	ActionCreate        Action = "Create"
	ActionUpdate        Action = "Update"
	ActionLink          Action = "Link"
	ActionRename        Action = "Rename"
	ActionReactivate    Action = "Reactivate"
	ActionDeactivate    Action = "Deactivate"
	ActionCreateGroup   Action = "CreateGroup"
	ActionRenameGroup   Action = "RenameGroup"
	ActionDeleteGroup   Action = "DeleteGroup"
	ActionAddMembers    Action = "AddMembers"
	ActionRemoveMembers Action = "RemoveMembers"
)

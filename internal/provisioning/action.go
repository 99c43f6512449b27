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

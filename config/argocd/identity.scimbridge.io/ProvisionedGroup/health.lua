-- Health of a scimbridge ProvisionedGroup for Argo CD.
-- Written for Argo CD's default Lua VM: base, table and package only (no
-- string or math library), so it also runs without useOpenLibs.
local hs = { status = "Progressing", message = "Waiting for the controller to process the group" }
if obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Being deleted: the target group is removed first when deletionPolicy is Delete"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.message = "Waiting for the controller to process generation " .. generation
  return hs
end

local conditions = {}
for _, c in ipairs(obj.status.conditions) do
  conditions[c.type] = c
end
local ready = conditions["Ready"]
local stalled = conditions["Stalled"]
local reconciling = conditions["Reconciling"]

local function describe(c)
  if c == nil then
    return ""
  end
  if c.message == nil or c.message == "" then
    return c.reason
  end
  return c.reason .. ": " .. c.message
end

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  if stalled.reason == "ChangesHeld" then
    hs.status = "Suspended"
  end
  hs.message = describe(stalled)
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end
if ready ~= nil and ready.reason == "Suspended" then
  hs.status = "Suspended"
  hs.message = describe(ready)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  if reconciling.reason == "RetryScheduled" then
    hs.status = "Degraded"
  end
  hs.message = describe(reconciling)
  return hs
end
if ready ~= nil then
  hs.status = "Degraded"
  hs.message = describe(ready)
end
return hs

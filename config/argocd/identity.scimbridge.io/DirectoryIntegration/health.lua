-- Health of a scimbridge DirectoryIntegration for Argo CD.
-- Written for Argo CD's default Lua VM: base, table and package only (no
-- string or math library), so it also runs without useOpenLibs.
local hs = { status = "Progressing", message = "Waiting for the controller to process the integration" }
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

-- Paused on purpose: spec.suspend, or changes waiting for an approval.
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = describe(ready)
  return hs
end
-- A person must act: Secrets, refused credentials, a duplicate target, the
-- group cap. Held changes wait for the approval annotation.
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  if stalled.reason == "ChangesHeld" then
    hs.status = "Suspended"
  end
  hs.message = describe(stalled)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  -- A transient failure (objects failing, an end unreachable, an incomplete
  -- read) is retried by the controller, but the target does not match.
  if reconciling.reason == "RetryScheduled" then
    hs.status = "Degraded"
    if ready ~= nil and ready.status ~= "True" then
      hs.message = describe(ready)
    else
      hs.message = describe(reconciling)
    end
    return hs
  end
  hs.message = describe(reconciling)
  return hs
end
if ready == nil then
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end
hs.status = "Degraded"
hs.message = describe(ready)
return hs

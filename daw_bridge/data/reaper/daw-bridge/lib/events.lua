-- @noindex
-- daw-bridge: in-DAW shortcut -> controller notifications (docs/bridge-protocol.md, "Events").
--
-- A running controller keeps <bridge_dir>/controller.json fresh ({"pid", "time"}, every second) and
-- polls events/ every 50 ms. A script checks the heartbeat, then writes
-- events/<unix_ms>-<random>.json = {"protocol": 1, "event": ..., "time": ...} atomically.
local mailbox = require("lib.mailbox")
local paths = require("lib.paths")

local M = {}

M.HEARTBEAT_MAX_AGE_S = 5.0
M.NOT_RUNNING = "daw-bridge controller is not running: start it with `daw-bridge serve`"

--- True when controller.json exists and its time is at most 5 s old (clock skew of a few s tolerated).
function M.controller_alive(bridge_dir, now)
  local beat = mailbox.read_json(mailbox.layout(bridge_dir).controller, 65536)
  if type(beat) ~= "table" or type(beat.time) ~= "number" then return false end
  return now - beat.time <= M.HEARTBEAT_MAX_AGE_S
end

--- Write event `name` (with optional extra fields) for the controller. Returns the path, or nil and a message.
function M.write(bridge_dir, name, now, extra)
  local dir = mailbox.layout(bridge_dir).events
  local event = { protocol = 1, event = name, time = now }
  for k, v in pairs(extra or {}) do event[k] = v end
  local file = string.format("%d-%06x.json", math.floor(now * 1000), math.random(0, 0xFFFFFF))
  local path = paths.join(dir, file)
  local ok, err = mailbox.write_json(path, event)
  if not ok then return nil, "cannot write daw-bridge event " .. path .. ": " .. tostring(err) end
  return path
end

--- Notify the controller if it runs. Returns path | nil, message (M.NOT_RUNNING when it does not).
function M.notify(bridge_dir, name, now, extra)
  if not M.controller_alive(bridge_dir, now) then return nil, M.NOT_RUNNING end
  return M.write(bridge_dir, name, now, extra)
end

return M

-- @noindex
-- daw-bridge: the bridge config written by `daw-bridge reaper install` (daw-bridge.config.json).
--
-- {"protocol": 1, "bridge_dir": "/abs/mailbox", "bounce_dir": "/abs/bounces",
--  "bridge_command": "_RSdawbridge_bridge"}
-- Looked up next to the running script first, then in <resource>/Scripts/daw-bridge/ (the place the
-- installer writes it; a ReaPack install puts the scripts elsewhere and finds it there).
local mailbox = require("lib.mailbox")
local paths = require("lib.paths")

local M = {}

M.FILE_NAME = "daw-bridge.config.json"
M.MISSING_MESSAGE = "daw-bridge is not configured in REAPER yet: run `daw-bridge reaper install` "
  .. "(or `daw-bridge reaper install --config-only` after a ReaPack install), then try again."

--- Candidate config paths, most specific first.
function M.candidates(reaper, script_dir)
  local out = {}
  if script_dir and script_dir ~= "" then out[#out + 1] = paths.join(script_dir, M.FILE_NAME) end
  local resource = reaper.GetResourcePath and reaper.GetResourcePath()
  if resource and resource ~= "" then
    out[#out + 1] = paths.join(paths.join(paths.join(resource, "Scripts"), "daw-bridge"), M.FILE_NAME)
  end
  return out
end

--- The config table, or nil and a message for the user.
function M.load(reaper, script_dir)
  for _, path in ipairs(M.candidates(reaper, script_dir)) do
    if mailbox.exists(path) then
      local cfg, err = mailbox.read_json(path, 65536, true) -- the user's file: may be read-only
      if not cfg then return nil, "daw-bridge config " .. path .. " is not valid JSON (" .. err .. ")" end
      if type(cfg) ~= "table" then return nil, "daw-bridge config " .. path .. " must be a JSON object" end
      for _, key in ipairs({ "bridge_dir", "bounce_dir" }) do
        if not paths.is_absolute(cfg[key]) then
          return nil, string.format("daw-bridge config %s: %s must be an absolute path", path, key)
        end
      end
      cfg.path = path
      return cfg
    end
  end
  return nil, M.MISSING_MESSAGE
end

return M

-- @description daw-bridge: REAPER side (JSON bridge, shortcut actions, monitoring JSFX)
-- @version 0.1.0
-- @author daw-bridge contributors
-- @about
--   # daw-bridge for REAPER
--
--   daw-bridge helps you mix on headphones: headphone correction and crossfeed on the monitoring FX
--   chain only (never in a render), a loudness-matched reference A/B on one key, band-by-band listening,
--   and bounce-and-check with coloured markers where the mix deviates from your references.
--
--   This action is the bridge: the daw-bridge controller writes a JSON request into its mailbox folder
--   and triggers this action over OSC; it executes whitelisted operations only (markers, render to the
--   bounce folder, monitoring FX, insert a reference, project state), each as one undo point, and
--   answers in the mailbox. You never need to run it by hand.
--
--   After installing with ReaPack, run `daw-bridge reaper install --config-only` once so the scripts
--   know the mailbox and bounce folders, and set `bridge_command` in the daw-bridge config to this
--   action's command id (Actions list > right-click > Copy selected action command ID).
-- @changelog
--   Initial release: bridge protocol 1, eleven shortcut actions, installer and ReaPack index.
-- @provides
--   lib/*.lua
--   [main] daw-bridge_Toggle mix and reference (A-B).lua
--   [main] daw-bridge_Next reference.lua
--   [main] daw-bridge_Level-match now.lua
--   [main] daw-bridge_Bounce and check.lua
--   [main] daw-bridge_Next headphone preset.lua
--   [main] daw-bridge_Crossfeed on-off.lua
--   [main] daw-bridge_Next band solo.lua
--   [main] daw-bridge_Band solo off.lua
--   [main] daw-bridge_Next translation simulation.lua
--   [main] daw-bridge_Translation simulation off.lua
--   [main] daw-bridge_Next virtual room.lua
--   [main] daw-bridge_Clear markers.lua
--   [main] daw-bridge_Journal note at playhead.lua
--   [main] daw-bridge_Next checklist step.lua
--   [effect] daw-bridge_*.jsfx
--   [effect] daw-bridge_*.jsfx-inc

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path

local function main()
  local config = require("lib.config")
  local bridge = require("lib.bridge")
  local cfg, err = config.load(reaper, DIR)
  if not cfg then
    reaper.ShowConsoleMsg("daw-bridge bridge: " .. err .. "\n")
    return
  end
  local summary = bridge.run(reaper, cfg)
  for _, problem in ipairs(summary.errors) do reaper.ShowConsoleMsg("daw-bridge bridge: " .. problem .. "\n") end
end

local ok, err = pcall(main) -- a bridge run must never end in REAPER's script error dialog
if not ok then reaper.ShowConsoleMsg("daw-bridge bridge: internal error: " .. tostring(err) .. "\n") end
reaper.defer(function() end) -- no extra "ReaScript: Run" undo point: each request made its own

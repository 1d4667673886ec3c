-- @description daw-bridge: Translation simulation off
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Turns the playback-system simulation off: the effect crossfades to a pass-through
--   (flat, full width; never REAPER's abrupt bypass). Works without the controller.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "simulation_off", DIR)
reaper.defer(function() end) -- no automatic "ReaScript: Run" undo point: the switch is undo-free

-- @description daw-bridge: Band solo off
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Turns band solo off: the band-solo effect on the monitoring chain crossfades to a
--   pass-through (its edges set to none; never REAPER's abrupt bypass). Works without
--   the controller.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "band_off", DIR)
reaper.defer(function() end) -- no automatic "ReaScript: Run" undo point: the switch is undo-free

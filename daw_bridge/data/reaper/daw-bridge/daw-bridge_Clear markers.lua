-- @description daw-bridge: Clear markers
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Deletes every marker and region daw-bridge wrote (names starting with
--   [daw-bridge]); your own markers are never touched. One undo point.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "clear_markers", DIR)

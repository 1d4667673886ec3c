-- @description daw-bridge: Level-match now
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks the controller to measure the mix and the references and store
--   loudness-matched gains in the project. Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "match_now", DIR)

-- @description daw-bridge: Next band solo
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks the controller to solo the next of the seven listening bands on the
--   monitoring chain. Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "band_next", DIR)

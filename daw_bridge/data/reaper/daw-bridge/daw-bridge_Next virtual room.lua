-- @description daw-bridge: Next virtual room
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks the controller to switch the virtual speakers to the next room (direct, control room,
--   living room, car, mono cube, laptop, phone), crossfaded click-free. Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/speakers.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "speakers_next", DIR)

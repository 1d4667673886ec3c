-- daw-bridge: build an empty Ardour session headless (run by ardour7-lua, called from
-- daw_bridge/ardour/session_build.py).
--   ardour7-lua build_session.lua DIR NAME RATE SPEC
-- SPEC is "name:channels;name:channels;..." (channels 1 or 2). Every track gets an ACE Amplifier
-- (plugin 1, 0 dB) so plugin parameters can be driven over OSC. The monitor section is created too.

local DIR, NAME, RATE, SPEC = arg[1], arg[2], tonumber(arg[3]), arg[4] or ""
assert(DIR and NAME and RATE, "usage: build_session.lua DIR NAME RATE SPEC")

local s = create_session(DIR, NAME, RATE)
assert(s, "could not create session " .. DIR)

ARDOUR.config():set_use_monitor_bus(true)

for item in string.gmatch(SPEC, "[^;]+") do
  local name, channels = string.match(item, "^(.-):(%d)$")
  assert(name and channels, "bad track spec " .. item)
  channels = tonumber(channels)
  local tl = s:new_audio_track(channels, 2, nil, 1, name, ARDOUR.PresentationInfo.max_order,
                               ARDOUR.TrackMode.Normal, true)
  local route = tl:front()
  route:set_name(name)
  local amp = ARDOUR.LuaAPI.new_plugin(s, "ACE Amplifier", ARDOUR.PluginType.Lua, "")
  assert(not amp:isnil(), "ACE Amplifier is missing")
  route:add_processor_by_index(amp, 0, nil, true)
end

s:save_state("", false, false, false, false, false)
close_session()
print("daw-bridge: built " .. DIR)

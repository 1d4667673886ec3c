-- Record what Ardour's monitor section puts out (the listener's signal, which no export reads):
--   ardour7-lua capture_monitor.lua SESSION_DIR SNAPSHOT SECONDS
-- Loads the (closed) session, adds a stereo track "MONITOR CAPTURE" whose inputs are the monitor section's
-- outputs and whose outputs go nowhere (no feedback into the master), records SECONDS of transport time from the
-- session start (the Dummy backend runs in real time, slower under load), saves and closes. The take lands in
-- interchange/<snapshot>/audiofiles/.
local dir, snap, seconds = arg[1], arg[2], tonumber(arg[3])
local s = load_session(dir, snap)
assert(s, "cannot load " .. dir)
local mon = s:monitor_out()
assert(not mon:isnil(), "the session has no monitor section")
local tl = s:new_audio_track(2, 2, nil, 1, "MONITOR CAPTURE", ARDOUR.PresentationInfo.max_order,
                             ARDOUR.TrackMode.Normal, true)
local t = tl:front()
t:output():disconnect_all(nil)
t:input():disconnect_all(nil)
for c = 0, 1 do
  local src = mon:output():audio(c):name()
  t:input():audio(c):connect(src)
end
t:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
s:request_locate(0, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
sleep(0.3)
s:maybe_enable_record(false)
s:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
-- Wait for the transport, not the clock: under CPU load the Dummy backend runs slower than real time.
local target = math.floor(seconds * s:nominal_sample_rate())
for _ = 1, math.floor(seconds * 100) + 6000 do
  if s:transport_sample() >= target then break end
  sleep(0.01)
end
s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
sleep(0.5)
s:save_state("", false, false, false, false, false)
close_session()
print("capture done")

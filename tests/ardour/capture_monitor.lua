-- Record what Ardour's monitor section puts out (the listener's signal, which no export reads):
--   ardour7-lua capture_monitor.lua SESSION_DIR SNAPSHOT SECONDS [SCHEDULE]
-- Loads the (closed) session, adds a stereo track "MONITOR CAPTURE" whose inputs are the monitor section's
-- outputs and whose outputs go nowhere (no feedback into the master), records SECONDS of transport time from the
-- session start (the Dummy backend runs in real time, slower under load), saves and closes. The take lands in
-- interchange/<snapshot>/audiofiles/.
-- SCHEDULE (optional) changes monitor-section plugin parameters while recording, one per line:
-- "SECONDS<TAB>PLUGIN NAME<TAB>PARAMETER LABEL<TAB>VALUE", applied once the transport reaches SECONDS (the loop
-- polls every 10 ms); each applied time prints "switched SECONDS at SAMPLE".
local dir, snap, seconds, schedule = arg[1], arg[2], tonumber(arg[3]), arg[4]
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

local changes = {}  -- { at = seconds, proc = processor, param = index, value = number }, in file order
if schedule then
  local procs = {}
  local i = 0
  while true do
    local proc = mon:nth_plugin(i)
    if proc:isnil() then break end
    procs[proc:display_name()] = proc
    i = i + 1
  end
  for line in io.lines(schedule) do
    local at, name, label, value = string.match(line, "^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    assert(at, "bad schedule line " .. line)
    local proc = assert(procs[name], "no plugin " .. name .. " in the monitor section")
    local plug, index = proc:to_insert():plugin(0), nil
    for k = 0, plug:parameter_count() - 1 do
      if plug:parameter_is_input(k) and plug:parameter_label(k) == label then index = k end
    end
    assert(index, name .. " has no parameter " .. label)
    changes[#changes + 1] = { at = tonumber(at), proc = proc, param = index, value = tonumber(value) }
  end
end
local next_change = 1
local function apply_due(now)
  local applied = nil
  while changes[next_change] and now >= changes[next_change].at * s:nominal_sample_rate() do
    local c = changes[next_change]
    ARDOUR.LuaAPI.set_processor_param(c.proc, c.param, c.value)
    applied = c.at
    next_change = next_change + 1
  end
  if applied then print(string.format("switched %.3f at %d", applied, now)) end
end
s:request_locate(0, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
sleep(0.3)
s:maybe_enable_record(false)
s:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
-- Wait for the transport, not the clock: under CPU load the Dummy backend runs slower than real time.
local target = math.floor(seconds * s:nominal_sample_rate())
for _ = 1, math.floor(seconds * 100) + 6000 do
  local now = s:transport_sample()
  if now >= target then break end
  apply_due(now)
  sleep(0.01)
end
s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
sleep(0.5)
s:save_state("", false, false, false, false, false)
close_session()
print("capture done")

-- daw-bridge: the headless bridge loop (run by ardour7-lua, started by daw_bridge/ardour/process.py).
--   ardour7-lua daw_bridge_session.lua SESSION_DIR SNAPSHOT BRIDGE_DIR OSC_PORT ALLOWED_DIR...
-- Loads the session, then runs the same code as the editor hook (daw_bridge_hook.lua, next to this file)
-- every POLL_S seconds until BRIDGE_DIR/ardour-stop appears; then saves and closes the session.

local POLL_S = 0.02
local SESSION_DIR, SNAPSHOT, BRIDGE_DIR, OSC_PORT = arg[1], arg[2], arg[3], tonumber(arg[4])
assert(SESSION_DIR and SNAPSHOT and BRIDGE_DIR and OSC_PORT,
       "usage: daw_bridge_session.lua SESSION_DIR SNAPSHOT BRIDGE_DIR OSC_PORT ALLOWED_DIR...")
local allowed = { BRIDGE_DIR }
for i = 5, #arg do allowed[#allowed + 1] = arg[i] end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

DAW_BRIDGE_CONFIG = { headless = true, bridge_dir = BRIDGE_DIR, allowed = allowed, osc_port = OSC_PORT }
function ardour(_) end
dofile(here .. "daw_bridge_hook.lua")

Session = load_session(SESSION_DIR, SNAPSHOT)
assert(Session, "could not load session " .. SESSION_DIR)
local tick = factory()
print("daw-bridge: bridge running on " .. BRIDGE_DIR)
io.stdout:flush()

local stop = BRIDGE_DIR .. "/ardour-stop"
while true do
  local f = io.open(stop, "r")
  if f then f:close(); os.remove(stop); break end
  tick()
  sleep(POLL_S)
end
Session:save_state("", false, false, false, false, false)
close_session()
print("daw-bridge: session closed")

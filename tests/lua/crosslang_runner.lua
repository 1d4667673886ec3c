-- Run one REAPER-side step under lua5.4 for tests/test_lua_bridge_crosslang.py, with the stand-in
-- `reaper` table whose project state persists in a JSON file between runs.
--   lua5.4 crosslang_runner.lua <state.json> <catalog.json> <resource_dir> bridge
--   lua5.4 crosslang_runner.lua <state.json> <catalog.json> <resource_dir> action "<script title>"
-- Appends every API call it made to <state.json>.calls (one JSON object per line).
local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/../../daw_bridge/data/reaper/daw-bridge/?.lua;" .. here .. "/?.lua;" .. package.path

local json = require("lib.json")
local mock_reaper = require("mock_reaper")

local state_path, catalog_path, resource, mode, title = arg[1], arg[2], arg[3], arg[4], arg[5]

local function read(path)
  local f = io.open(path, "rb"); if not f then return nil end
  local t = f:read("a"); f:close(); return t
end

local catalog = {}
for name, def in pairs(assert(json.decode(assert(read(catalog_path))))) do
  local params = {}
  for i, p in ipairs(def.params) do
    params[i] = { name = p.name, min = p.min, max = p.max, value = p.value,
                  labels = (p.labels and #p.labels > 0) and p.labels or nil }
  end
  catalog[name] = { params = params }
end

local mock = mock_reaper.new({ fx_catalog = catalog, resource_path = resource })
local saved = read(state_path)
if saved then
  local s = assert(json.decode(saved))
  for _, key in ipairs({ "markers", "proj_ext", "project_info" }) do mock[key] = s[key] end
  mock.master.rec_fx = s.rec_fx
  for _, t in ipairs(s.tracks) do mock.add_track(t.name, { mute = t.mute, vol = t.vol, items = t.items }) end
  for _, fx in ipairs(mock.master.rec_fx) do
    for _, p in ipairs(fx.params) do if p.labels == json.null then p.labels = nil end end
  end
end

local script_dir = here .. "/../../daw_bridge/data/reaper/daw-bridge/"
if mode == "bridge" then
  mock.script.filename = script_dir .. "daw-bridge_Bridge.lua"
  _G.reaper = mock.api
  dofile(mock.script.filename)
elseif mode == "action" then
  mock.script.filename = script_dir .. "daw-bridge_" .. title .. ".lua"
  _G.reaper = mock.api
  dofile(mock.script.filename)
else
  error("mode must be bridge or action")
end

local tracks = json.array()
for _, t in ipairs(mock.tracks) do tracks[#tracks + 1] = { name = t.name, mute = t.mute, vol = t.vol, items = json.array(t.items) } end
local out = assert(io.open(state_path, "wb"))
out:write(json.encode({ markers = json.array(mock.markers), proj_ext = json.object(mock.proj_ext),
                        project_info = json.object(mock.project_info), rec_fx = json.array(mock.master.rec_fx),
                        tracks = tracks }))
out:close()
local log = assert(io.open(state_path .. ".calls", "ab"))
for _, c in ipairs(mock.calls) do
  local args = json.array()
  for i = 1, c.args.n do
    local a = c.args[i]
    args[i] = (type(a) == "table" or type(a) == "function") and "<object>" or (a == nil and json.null or a)
  end
  log:write(json.encode({ name = c.name, args = args }), "\n")
end
log:close()
for _, m in ipairs(mock.messages) do io.stdout:write("MB: ", m, "\n") end
for _, m in ipairs(mock.console) do io.stdout:write("console: ", m) end

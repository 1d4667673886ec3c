-- Shared helpers for the busted specs: temporary mailbox folders and request files.
local lfs = require("lfs")
local json = require("lib.json")

local H = {}

H.SCRIPTS_DIR = (function()
  local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$") or "."
  return here .. "/../../reaper_scripts/daw-bridge"
end)()

--- A fresh empty folder under the system temp dir.
function H.tempdir()
  local name = os.tmpname()
  os.remove(name)
  assert(lfs.mkdir(name))
  return name
end

--- Remove `path` and everything under it.
function H.rmtree(path)
  local mode = lfs.attributes(path, "mode")
  if mode == "directory" then
    for name in lfs.dir(path) do
      if name ~= "." and name ~= ".." then H.rmtree(path .. "/" .. name) end
    end
    lfs.rmdir(path)
  elseif mode then
    os.remove(path)
  end
end

function H.write(path, text)
  local f = assert(io.open(path, "wb")); f:write(text); f:close()
end

function H.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a"); f:close()
  return text
end

function H.exists(path) return lfs.attributes(path, "mode") ~= nil end

--- A mailbox (bridge_dir with requests/, responses/, events/) and a bounce folder; returns cfg.
function H.mailbox()
  local root = H.tempdir()
  local cfg = { bridge_dir = root .. "/bridge", bounce_dir = root .. "/bounces", root = root }
  for _, d in ipairs({ cfg.bridge_dir, cfg.bridge_dir .. "/requests", cfg.bridge_dir .. "/responses",
                       cfg.bridge_dir .. "/events", cfg.bounce_dir }) do
    assert(lfs.mkdir(d))
  end
  return cfg
end

local counter = 0
--- Write a request file for `op` with `args`; returns its id. `fields` overrides envelope fields.
function H.request(cfg, op, args, fields)
  counter = counter + 1
  local id = string.format("req%05d%s", counter, string.rep("a", 8))
  local req = { protocol = 1, id = id, op = op, args = args or json.object(), created = 1000.0 + counter,
                expires = 2000.0 }
  for k, v in pairs(fields or {}) do req[k] = v end
  H.write(cfg.bridge_dir .. "/requests/" .. id .. ".json", json.encode(req))
  return id
end

--- The decoded response for `id` (nil when absent).
function H.response(cfg, id)
  local text = H.read(cfg.bridge_dir .. "/responses/" .. id .. ".json")
  return text and assert(json.decode(text))
end

--- Our JSFX as the stand-in knows them: a subset of the sliders of daw_bridge/dsp/params.py (names, ranges,
-- enum choices); tests/test_lua_bridge_crosslang.py feeds the full tables from params.py itself.
local FILTER_TYPES = { "off", "peak", "lowshelf", "highshelf", "lowpass", "highpass" }
H.FX_CATALOG = {
  ["JS: daw-bridge/correction"] = { params = {
    { name = "preamp_db", min = -40, max = 12 },
    { name = "band1_type", min = 0, max = 5, labels = FILTER_TYPES },
    { name = "band1_freq", min = 10, max = 24000, value = 1000 },
    { name = "band1_gain", min = -30, max = 30 },
    { name = "band1_q", min = 0.05, max = 20, value = 0.7071 },
    { name = "gain_db", min = -30, max = 30 },
  } },
  ["JS: daw-bridge/crossfeed"] = { params = {
    { name = "cut_hz", min = 300, max = 2000, value = 700 },
    { name = "feed_db", min = 1, max = 15, value = 4.5 },
    { name = "gain_db", min = -30, max = 30 },
  } },
  ["JS: daw-bridge/bandsolo"] = { params = {
    { name = "low_hz", min = 0, max = 24000 }, { name = "high_hz", min = 0, max = 24000 },
  } },
  ["JS: daw-bridge/simulation"] = { params = { { name = "width", min = 0, max = 1, value = 1 } } },
  ["JS: ReaEQ-like user effect"] = { params = { { name = "gain", min = -1, max = 1 } } },
}

return H

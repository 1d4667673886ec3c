-- Shared helpers for the busted specs: temporary mailbox folders and request files.
local lfs = require("lfs")
local json = require("lib.json")

local H = {}

H.SCRIPTS_DIR = (function()
  local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$") or "."
  return here .. "/../../daw_bridge/data/reaper/daw-bridge"
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

--- Our JSFX as REAPER presents them, read from the real files in daw_bridge/data/reaper/daw-bridge: every slider, in
-- order, with its range, default and enum choices, and -- as TrackFX_GetParamName reports it -- named by its
-- description ("Band 1 frequency (Hz)"), not its variable name. `H.SLIDER_LABELS[kind][variable] = description`.
local function read_jsfx_sliders(kind)
  local params, labels = {}, {}
  local f = assert(io.open(H.SCRIPTS_DIR .. "/daw-bridge_" .. kind .. ".jsfx", "rb"))
  for line in f:lines() do
    local var, def, lo, hi, rest = line:match("^slider%d+:([%w_]+)=([-%d.e]+)<([-%d.e]+),([-%d.e]+)[^>{]*(.*)$")
    if var then
      local choices, desc = rest:match("^{([^}]*)}>(.*)$")
      desc = desc or rest:match("^>(.*)$")
      local enum
      if choices then
        enum = {}
        for c in choices:gmatch("[^,]+") do enum[#enum + 1] = c end
      end
      params[#params + 1] = { name = desc, min = tonumber(lo), max = tonumber(hi), value = tonumber(def),
                              labels = enum }
      labels[var] = desc
    end
  end
  f:close()
  return params, labels
end

H.FX_CATALOG = { ["JS: ReaEQ-like user effect"] = { params = { { name = "Gain", min = -1, max = 1 } } } }
H.SLIDER_LABELS = {}
for _, kind in ipairs({ "correction", "crossfeed", "bandsolo", "simulation" }) do
  local params, labels = read_jsfx_sliders(kind)
  H.FX_CATALOG["JS: daw-bridge/" .. kind] = { params = params }
  H.SLIDER_LABELS[kind] = labels
end

--- `labels` for a set_monitor_chain entry of `kind` with `params`, as the Python controller sends them.
function H.labels(kind, params)
  local out = {}
  for name in pairs(params or {}) do out[name] = H.SLIDER_LABELS[kind][name] end
  return out
end

-- Running the shortcut scripts as REAPER does (shared by actions_spec and journal_spec) ---------------------------

--- The path of shortcut script "daw-bridge_<title>.lua".
function H.script(title) return H.SCRIPTS_DIR .. "/daw-bridge_" .. title .. ".lua" end

--- Every event in the mailbox, decoded.
function H.events_in(cfg)
  local out = {}
  for name in lfs.dir(cfg.bridge_dir .. "/events") do
    if name:match("%.json$") then out[#out + 1] = json.decode(H.read(cfg.bridge_dir .. "/events/" .. name)) end
  end
  return out
end

--- Run script `title` with `mock` as the global `reaper`, as REAPER runs it (dofile of the file).
function H.run_script(mock, title)
  mock.script.filename = H.script(title)
  _G.reaper = mock.api
  dofile(H.script(title))
  _G.reaper = nil
end

--- A fresh heartbeat: the controller looks alive.
function H.controller_running(cfg)
  H.write(cfg.bridge_dir .. "/controller.json", json.encode({ pid = 4242, time = os.time() + 0.0 }))
end

--- A REAPER resource folder under cfg.root holding the installed daw-bridge config; returns its path.
function H.resource(cfg)
  local resource = cfg.root .. "/resource"
  lfs.mkdir(resource); lfs.mkdir(resource .. "/Scripts"); lfs.mkdir(resource .. "/Scripts/daw-bridge")
  H.write(resource .. "/Scripts/daw-bridge/daw-bridge.config.json",
    json.encode({ protocol = 1, bridge_dir = cfg.bridge_dir, bounce_dir = cfg.bounce_dir }))
  return resource
end

return H

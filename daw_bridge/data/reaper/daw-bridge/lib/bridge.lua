-- @noindex
-- daw-bridge: one run of the REAPER side of the JSON bridge (docs/bridge-protocol.md).
--
-- Triggered over OSC as a registered action; each run answers every pending request in
-- <bridge_dir>/requests oldest first and returns. A malformed request gets an error response; no
-- request can crash the script (every step runs under pcall) or run anything but a whitelisted op.
local json = require("lib.json")
local mailbox = require("lib.mailbox")
local ops = require("lib.ops")
local paths = require("lib.paths")

local M = {}

M.DONE_IDS_KEY = "done_ids"
M.DONE_IDS_KEPT = 256

local function err_response(id, code, message)
  return { protocol = ops.PROTOCOL, id = id, ok = false, error = { code = code, message = message } }
end

local function load_done_ids(reaper)
  local n, text = reaper.GetProjExtState(0, ops.STATE_SECTION, M.DONE_IDS_KEY)
  local list = (n and n > 0) and json.decode(text) or nil
  if type(list) ~= "table" then list = {} end
  local set = {}
  for _, id in ipairs(list) do if type(id) == "string" then set[id] = true end end
  return list, set
end

local function remember_id(reaper, done, id)
  done.list[#done.list + 1] = id
  done.set[id] = true
  while #done.list > M.DONE_IDS_KEPT do
    done.set[table.remove(done.list, 1)] = nil
  end
  reaper.SetProjExtState(0, ops.STATE_SECTION, M.DONE_IDS_KEY, json.encode(json.array(done.list)))
end

--- Read and classify one request file. Returns { id, name, request | nil, early = response | nil, created }.
local function read_request(box, name, now)
  local id = name:gsub("%.json$", "")
  local entry = { id = id, name = name, path = paths.join(box.requests, name), created = math.huge }
  local text, code, message = mailbox.read_file(entry.path, mailbox.MAX_REQUEST_BYTES)
  if not text then
    entry.early = err_response(id, code == "too_large" and "too_large" or "io", message)
    return entry
  end
  local req, jerr = json.decode(text)
  if req == nil then
    entry.early = err_response(id, "bad_json", name .. ": " .. jerr)
    return entry
  end
  if type(req) ~= "table" or req == json.null or getmetatable(req) and getmetatable(req).__name == "json.array" then
    entry.early = err_response(id, "bad_request", name .. ": a request must be a JSON object")
    return entry
  end
  if type(req.created) == "number" then entry.created = req.created end
  if req.protocol ~= ops.PROTOCOL then
    entry.early = err_response(id, "protocol", string.format("protocol %s is not supported (this bridge speaks %d)",
      tostring(req.protocol), ops.PROTOCOL))
  elseif req.id ~= id then
    entry.early = err_response(id, "bad_request", string.format("request id %s does not match its file name %s",
      tostring(req.id), name))
  elseif type(req.op) ~= "string" or not ops.OPS[req.op] then
    entry.early = err_response(id, "unknown_op", string.format("op %s is not one of %s", tostring(req.op),
      table.concat(ops.names(), ", ")))
  elseif type(req.args) ~= "table" or req.args == json.null or (getmetatable(req.args) or {}).__name == "json.array" then
    entry.early = err_response(id, "bad_args", "args must be an object")
  elseif type(req.expires) == "number" and now > req.expires then
    entry.early = err_response(id, "stale", string.format("request expired %.1f s ago; not executed", now - req.expires))
  end
  entry.request = req
  return entry
end

local function caught(id, err)
  if type(err) == "table" and err.bridge_error then return err_response(id, err.code, err.message) end
  return err_response(id, "internal", "daw-bridge internal error: " .. tostring(err))
end

--- Execute one well-formed request as (at most) one undo point. Returns the response table.
function M.execute(reaper, req, ctx)
  local op = ops.OPS[req.op]
  local ok, spec = pcall(op.check, req.args, ctx)
  if not ok then return caught(req.id, spec) end
  local result
  if op.mutates then
    local freeze = not op.shows_ui
    reaper.Undo_BeginBlock2(0)
    if freeze then reaper.PreventUIRefresh(1) end
    ok, result = pcall(op.run, reaper, spec, ctx)
    if freeze then reaper.PreventUIRefresh(-1) end
    reaper.Undo_EndBlock2(0, "daw-bridge: " .. req.op, -1)
    if reaper.UpdateArrange then reaper.UpdateArrange() end
  else
    ok, result = pcall(op.run, reaper, spec, ctx)
  end
  if not ok then return caught(req.id, result) end
  return { protocol = ops.PROTOCOL, id = req.id, ok = true, result = result or json.object() }
end

local function respond(box, entry, response, summary)
  local out = paths.join(box.responses, entry.id .. ".json")
  if not mailbox.exists(out) then
    local ok, err = mailbox.write_json(out, response)
    if not ok then summary.errors[#summary.errors + 1] = "cannot write " .. out .. ": " .. tostring(err) end
  end
  os.remove(entry.path)
  if response.ok then summary.ok = summary.ok + 1 else summary.failed = summary.failed + 1 end
end

--- Answer every pending request. `cfg` has bridge_dir and bounce_dir; `opts.now()` gives Unix seconds.
-- Returns { ok = n, failed = n, ignored = n, errors = {messages} }.
function M.run(reaper, cfg, opts)
  opts = opts or {}
  local now = (opts.now or os.time)()
  local box = mailbox.layout(cfg.bridge_dir)
  local ctx = { config = cfg, roots = { cfg.bridge_dir, cfg.bounce_dir } }
  local summary = { ok = 0, failed = 0, ignored = 0, errors = {} }
  reaper.RecursiveCreateDirectory(box.responses, 0)
  mailbox.write_json(box.bridge, { protocol = ops.PROTOCOL, host = "REAPER " .. tostring(reaper.GetAppVersion()),
                                   time = now })
  local entries = {}
  for _, name in ipairs(mailbox.list_json(reaper, box.requests)) do
    if mailbox.valid_id((name:gsub("%.json$", ""))) then
      local ok, entry = pcall(read_request, box, name, now)
      if ok then entries[#entries + 1] = entry
      else summary.errors[#summary.errors + 1] = name .. ": " .. tostring(entry) end
    else
      os.remove(paths.join(box.requests, name)) -- cannot be answered: its name is not a request id
      summary.ignored = summary.ignored + 1
    end
  end
  table.sort(entries, function(a, b)
    if a.created ~= b.created then return a.created < b.created end
    return a.name < b.name
  end)
  local done = {}
  done.list, done.set = load_done_ids(reaper)
  for _, entry in ipairs(entries) do
    local response = entry.early
    if not response and done.set[entry.id] then
      response = err_response(entry.id, "duplicate", "request " .. entry.id .. " was already executed")
    elseif not response then
      local ok, resp = pcall(M.execute, reaper, entry.request, ctx)
      response = ok and resp or caught(entry.id, resp)
      remember_id(reaper, done, entry.id)
    end
    respond(box, entry, response, summary)
  end
  return summary
end

return M

ardour {
  ["type"]    = "EditorHook",
  name        = "daw-bridge bridge",
  author      = "daw-bridge",
  license     = "MIT",
  description = [[Executes daw-bridge requests (markers, render, monitor chain, project state) from the
daw-bridge mailbox folder, as described in docs/bridge-protocol.md. Polls every 100 ms.]],
}

-- The same file runs headless: daw_bridge_session.lua defines `ardour`, sets the global DAW_BRIDGE_CONFIG
-- and the global Session, calls factory() and then the returned function in a loop.
-- Everything lives inside factory(): Ardour keeps only the closure it returns.

function signals ()
  return LuaSignal.Set():add ({ [LuaSignal.LuaTimerDS] = true })
end

function factory ()
  local PROTOCOL = 1
  local MAX_REQUEST = 1024 * 1024
  local MARKER_TAG = "[daw-bridge]"
  local DONE_KEEP = 256
  local PRESET_24 = "6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6e024"
  local PRESET_FLOAT = "6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6e032"
  local PRESET_WAV16 = "75969a1c-3133-4694-864b-a1fa50e43348"
  local cfg = DAW_BRIDGE_CONFIG or {}
  local headless = cfg.headless == true
  local bridge_dir = cfg.bridge_dir or os.getenv ("DAW_BRIDGE_DIR")
    or ((os.getenv ("XDG_DATA_HOME") or ((os.getenv ("HOME") or "") .. "/.local/share")) .. "/daw-bridge/bridge")
  local allowed = cfg.allowed or { bridge_dir, (os.getenv ("DAW_BRIDGE_BOUNCE_DIR") or
    (bridge_dir:gsub ("/bridge$", "") .. "/bounces")) }

  ---------------------------------------------------------------- JSON
  local json = {}
  local function esc (s)
    return (s:gsub ('[%c"\\]', function (c)
      local map = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
      return map[c] or string.format ("\\u%04x", c:byte ())
    end))
  end
  json.null = setmetatable ({}, { __tostring = function () return "null" end })
  local function is_array (t)
    if next (t) == nil then return getmetatable (t) == "array" end
    local n = 0
    for k in pairs (t) do
      if math.type (k) ~= "integer" or k < 1 then return false end
      n = n + 1
    end
    return n == #t
  end
  function json.encode (v)
    local t = type (v)
    if v == nil or v == json.null then return "null"
    elseif t == "boolean" then return tostring (v)
    elseif t == "number" then
      if v ~= v or v == math.huge or v == -math.huge then return "null" end
      if math.type (v) == "integer" then return tostring (v) end
      return string.format ("%.17g", v)
    elseif t == "string" then return '"' .. esc (v) .. '"'
    elseif t == "table" then
      local out = {}
      if is_array (v) then
        for _, x in ipairs (v) do out[#out + 1] = json.encode (x) end
        return "[" .. table.concat (out, ",") .. "]"
      end
      local keys = {}
      for k in pairs (v) do keys[#keys + 1] = tostring (k) end
      table.sort (keys)
      for _, k in ipairs (keys) do out[#out + 1] = '"' .. esc (k) .. '":' .. json.encode (v[k]) end
      return "{" .. table.concat (out, ",") .. "}"
    end
    error ("cannot encode " .. t)
  end
  function json.decode (s)
    local pos = 1
    local function ws () pos = s:find ("[^ \t\r\n]", pos) or #s + 1 end
    local value
    local function str ()
      local out, i = {}, pos + 1
      while true do
        local c = s:sub (i, i)
        if c == "" then error ("unterminated string") end
        if c == '"' then pos = i + 1; return table.concat (out) end
        if c == "\\" then
          local e = s:sub (i + 1, i + 1)
          local map = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
          if e == "u" then
            local cp = tonumber (s:sub (i + 2, i + 5), 16) or error ("bad \\u escape")
            if cp >= 0xD800 and cp <= 0xDBFF and s:sub (i + 6, i + 7) == "\\u" then
              local lo = tonumber (s:sub (i + 8, i + 11), 16) or 0
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
              i = i + 6
            end
            out[#out + 1] = utf8.char (cp)
            i = i + 6
          else
            out[#out + 1] = map[e] or error ("bad escape")
            i = i + 2
          end
        else
          out[#out + 1] = c
          i = i + 1
        end
      end
    end
    value = function ()
      ws ()
      local c = s:sub (pos, pos)
      if c == "{" then
        local obj = {}
        pos = pos + 1; ws ()
        if s:sub (pos, pos) == "}" then pos = pos + 1; return obj end
        while true do
          ws ()
          if s:sub (pos, pos) ~= '"' then error ("expected key at " .. pos) end
          local k = str (); ws ()
          if s:sub (pos, pos) ~= ":" then error ("expected ':' at " .. pos) end
          pos = pos + 1
          obj[k] = value (); ws ()
          local d = s:sub (pos, pos); pos = pos + 1
          if d == "}" then return obj end
          if d ~= "," then error ("expected ',' at " .. pos) end
        end
      elseif c == "[" then
        local arr = setmetatable ({}, { __metatable = "array" })
        pos = pos + 1; ws ()
        if s:sub (pos, pos) == "]" then pos = pos + 1; return arr end
        while true do
          arr[#arr + 1] = value (); ws ()
          local d = s:sub (pos, pos); pos = pos + 1
          if d == "]" then return arr end
          if d ~= "," then error ("expected ',' at " .. pos) end
        end
      elseif c == '"' then return str ()
      elseif s:sub (pos, pos + 3) == "true" then pos = pos + 4; return true
      elseif s:sub (pos, pos + 4) == "false" then pos = pos + 5; return false
      elseif s:sub (pos, pos + 3) == "null" then pos = pos + 4; return json.null
      end
      local num = s:match ("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not num or num == "" then error ("unexpected character at " .. pos) end
      pos = pos + #num
      return math.tointeger (tonumber (num)) or tonumber (num)
    end
    local v = value (); ws ()
    if pos <= #s then error ("trailing data at " .. pos) end
    return v
  end

  ---------------------------------------------------------------- files
  local function read_file (path, limit)
    -- with `limit`, at most limit + 1 bytes are read (a file growing while it is read, or /dev/zero, stops there)
    local f = io.open (path, "rb")
    if not f then return nil end
    local data = limit and f:read (limit + 1) or f:read ("a")
    f:close ()
    return data or ""
  end
  local function write_atomic (path, text)
    local tmp = path .. ".tmp-" .. tostring (math.random (1, 1 << 30))
    local f = assert (io.open (tmp, "wb"))
    f:write (text)
    f:close ()
    assert (os.rename (tmp, path))
  end
  local function list_json (dir)
    -- Lua has no directory listing; the folder comes from our config, never from a request.
    if dir:find ("'", 1, true) then return {} end
    -- -F marks what is not a regular file (dir/, fifo|, link@, socket=, door>), so the name pattern below drops
    -- FIFOs (opening one would block Ardour's GUI thread), links (/dev/zero) and folders named like a request
    local p = io.popen ("ls -1trF -- '" .. dir .. "' 2>/dev/null")
    if not p then return {} end
    local out = {}
    for name in p:lines () do
      if name:match ("^[A-Za-z0-9_-]+%.json$") then out[#out + 1] = name end
    end
    p:close ()
    return out
  end
  local function normalize (path)
    local parts = {}
    for part in path:gmatch ("[^/]+") do
      if part == ".." then table.remove (parts) elseif part ~= "." then parts[#parts + 1] = part end
    end
    return "/" .. table.concat (parts, "/")
  end
  local function path_allowed (path)
    if type (path) ~= "string" or path:sub (1, 1) ~= "/" then return false end
    local p = normalize (path)
    for _, root in ipairs (allowed) do
      local r = normalize (root)
      if p == r or p:sub (1, #r + 1) == r .. "/" then return true end
    end
    return false
  end

  ---------------------------------------------------------------- project state (a side file in the session)
  local function session_dir () local p = Session:path (); return p:sub (-1) == "/" and p or (p .. "/") end
  local function state_path () return session_dir () .. "daw-bridge-state.json" end
  local function load_state ()
    local text = read_file (state_path ())
    local ok, st = pcall (json.decode, text or "{}")
    if not ok or type (st) ~= "table" then st = {} end
    st.values = st.values or {}
    st.colors = st.colors or {}
    st.done_ids = st.done_ids or {}
    st.monitor = st.monitor or {}
    st.ours = st.ours or {}
    return st
  end
  local function save_state (st) write_atomic (state_path (), json.encode (st)) end
  local function save_session ()
    if headless then Session:save_state ("", false, false, false, false, false) end
  end

  ---------------------------------------------------------------- helpers
  local Refused = {}
  local function refuse (code, message) error (setmetatable ({ code = code, message = message }, Refused), 0) end
  local function rate () return Session:nominal_sample_rate () end
  local function secs (pos) return pos:samples () / rate () end
  local function num_arg (t, key, where, min)
    local v = t[key]
    if type (v) ~= "number" or (min and v < min) then
      refuse ("bad_args", where .. "." .. key .. " must be a number" .. (min and (" >= " .. min) or ""))
    end
    return v
  end
  local function user_location (l)
    return not (l:is_session_range () or l:is_auto_loop () or l:is_auto_punch ())
  end
  -- Ours are the locations we wrote, recorded in st.ours as name, kind and exact sample positions: a user's
  -- marker called "[daw-bridge] ..." elsewhere stays. Not by Ardour's location ID: Location:id () reads 0 through
  -- the Lua binding (Location is bound as a StatefulDestructible, and the multiple-inheritance cast is missing),
  -- so unlike REAPER a marker of ours the user renamed is no longer known as ours (docs/ardour.md).
  local function location_key (l)
    local is_range = l:is_range_marker () and l:_end ():samples () > l:start ():samples ()
    return string.format ("%s|%d|%d|%s", is_range and "range" or "mark", l:start ():samples (),
                          is_range and l:_end ():samples () or l:start ():samples (), l:name ())
  end
  local function owned_set (st)
    local set = {}
    for _, key in ipairs (st.ours) do set[key] = true end
    return set
  end
  local function our_locations (st)
    local ours, out = owned_set (st), {}
    for l in Session:locations ():list ():iter () do
      if user_location (l) and ours[location_key (l)] then out[#out + 1] = l end
    end
    return out
  end

  local function markers_state ()
    local st = load_state ()
    local ours = owned_set (st)
    local list, n = {}, 0
    for l in Session:locations ():list ():iter () do
      if user_location (l) then list[#list + 1] = l end
    end
    table.sort (list, function (a, b) return a:start ():samples () < b:start ():samples () end)
    local out = setmetatable ({}, { __metatable = "array" })
    for _, l in ipairs (list) do
      n = n + 1
      local is_range = l:is_range_marker () and l:_end ():samples () > l:start ():samples ()
      local key = location_key (l)
      out[#out + 1] = { number = n, time_s = secs (l:start ()), name = l:name (),
        end_s = is_range and secs (l:_end ()) or json.null, color = st.colors[key] or json.null,
        ours = ours[key] == true }
    end
    return out
  end

  ---------------------------------------------------------------- markers
  local function add_point_marker (name, sample)
    if Editor then
      -- The GUI adds a mark named by Ardour ("markN", a name no location has yet): find it by that name, so a
      -- user's marker at the same position is never renamed. The "name new markers" preference would open a
      -- modal dialog from inside this timer callback: switch it off around the call.
      local before = {}
      for l in Session:locations ():list ():iter () do before[l:name ()] = true end
      local okc, uic = pcall (function () return ArdourUI.config () end)
      local asks = okc and uic and uic:get_name_new_markers ()
      if asks then uic:set_name_new_markers (false) end
      local okm, err = pcall (function ()
        Editor:mouse_add_new_marker (Temporal.timepos_t (sample), ARDOUR.LocationFlags.IsMark, 0)
      end)
      if asks then uic:set_name_new_markers (true) end
      if not okm then refuse ("error", "Ardour could not add marker " .. name .. ": " .. tostring (err)) end
      for l in Session:locations ():list ():iter () do
        if l:is_mark () and l:start ():samples () == sample and not before[l:name ()] then
          l:set_name (name)
          return l
        end
      end
      refuse ("error", "Ardour did not create marker " .. name)
    end
    -- Headless: Ardour's Lua API creates only ranges, so locate and ask our own OSC surface for a marker.
    local port = cfg.osc_port or refuse ("unsupported", "no OSC port configured for headless markers")
    Session:request_locate (sample, false, ARDOUR.LocateTransportDisposition.MustStop,
                            ARDOUR.TransportRequestSource.TRS_UI)
    for _ = 1, 400 do
      if Session:transport_sample () == sample and not Session:transport_rolling () then break end
      ARDOUR.LuaAPI.usleep (2500)
    end
    ARDOUR.LuaOSC.Address ("osc.udp://127.0.0.1:" .. port):send ("/add_marker", "s", name)
    for _ = 1, 400 do
      for l in Session:locations ():list ():iter () do
        if l:is_mark () and l:name () == name and l:start ():samples () == sample then
          return l
        end
      end
      ARDOUR.LuaAPI.usleep (2500)
    end
    refuse ("error", "Ardour did not create marker " .. name)
  end

  local function delete_ours ()
    local st = load_state ()
    local n = 0
    for _, l in ipairs (our_locations (st)) do
      Session:locations ():remove (l)
      n = n + 1
    end
    st.ours = setmetatable ({}, { __metatable = "array" })
    st.colors = {}
    save_state (st)
    return n
  end

  local ops = {}
  function ops.ping () return { host = "Ardour " .. tostring (ARDOUR.revision) .. (headless and " (headless)" or ""),
                                protocol = PROTOCOL } end

  function ops.replace_markers (args)
    local specs = args.markers
    if type (specs) ~= "table" then refuse ("bad_args", "args.markers must be a list") end
    for i, m in ipairs (specs) do
      local where = "args.markers[" .. (i - 1) .. "]"
      num_arg (m, "time_s", where, 0)
      if type (m.name) ~= "string" then refuse ("bad_args", where .. ".name must be a string") end
      if m.end_s ~= nil and m.end_s ~= json.null and (type (m.end_s) ~= "number" or m.end_s < m.time_s) then
        refuse ("bad_args", where .. ".end_s must be a number >= time_s or null")
      end
      if m.color ~= nil and m.color ~= json.null and not (type (m.color) == "string" and m.color:match ("^#%x%x%x%x%x%x$")) then
        refuse ("bad_args", where .. ".color must be #rrggbb")
      end
    end
    local deleted = delete_ours ()
    local st = load_state ()
    for _, m in ipairs (specs) do
      local name = MARKER_TAG .. " " .. m.name
      local start = math.floor (m.time_s * rate () + 0.5)
      local l
      if type (m.end_s) == "number" then
        l = Session:locations ():add_range (Temporal.timepos_t (start),
                                            Temporal.timepos_t (math.floor (m.end_s * rate () + 0.5)))
        l:set_name (name)
      else
        l = add_point_marker (name, start)
      end
      local key = location_key (l)
      st.ours[#st.ours + 1] = key
      if type (m.color) == "string" then st.colors[key] = m.color:lower () end
    end
    save_state (st)
    save_session ()
    return { deleted = deleted, added = #specs }
  end

  function ops.clear_markers ()
    local n = delete_ours ()
    save_session ()
    return { deleted = n }
  end

  ---------------------------------------------------------------- monitoring chain (the monitor section)
  local function monitor_fx ()
    local out = setmetatable ({}, { __metatable = "array" })
    local mon = Session:monitor_out ()
    if mon:isnil () then return out end
    local st, i, k = load_state (), 0, 0
    local ours = {}
    for _, id in ipairs (st.monitor) do ours[id] = true end
    while true do
      local proc = mon:nth_plugin (i)
      if proc:isnil () then break end
      k = k + 1
      local id = proc:to_stateful ():id ():to_s ()
      local entry = { index = k, name = proc:display_name (), enabled = proc:active (), ours = ours[id] == true,
                      id = id }
      if entry.ours then -- our parameters by label (an effect switched off is there with pass-through values)
        local plug, params = proc:to_insert ():plugin (0), {}
        for p = 0, plug:parameter_count () - 1 do
          if plug:parameter_is_input (p) then
            params[plug:parameter_label (p)] = ARDOUR.LuaAPI.get_processor_param (proc, p, true)
          end
        end
        entry.params = params
      end
      out[#out + 1] = entry
      i = i + 1
    end
    return out
  end

  local function clamp (v, lo, hi, what)
    if v < lo or v > hi then refuse ("bad_args", what .. " " .. v .. " is outside " .. lo .. ".." .. hi) end
    return v
  end

  -- Our effects are Lua DSP processors named "daw-bridge <kind>" (daw_bridge/ardour/dsp_scripts.py writes them
  -- into Ardour's script folder); their parameters are our JSFX sliders, found by the description the
  -- controller sends in `labels` (or the slider name). Enum values travel as their choice name.
  local OURS = { correction = true, crossfeed = true, simulation = true, bandsolo = true }
  -- choice names of our enum sliders (daw_bridge/dsp/params.py): filter types, and on/off (off is 0 in both)
  local FILTER_TYPES = { off = 0, peak = 1, lowshelf = 2, highshelf = 3, lowpass = 4, highpass = 5, on = 1 }

  local function plugins_for (fx, where)
    local params = fx.params or {}
    if type (params) ~= "table" then refuse ("bad_args", where .. ".params must be an object") end
    if fx.kind == "trim" then
      local g = params.gain_db or 0
      if type (g) ~= "number" then refuse ("bad_args", where .. ".params.gain_db must be a number") end
      return { uri = "ACE Amplifier", kind = fx.kind, set = { [0] = clamp (g, -20, 20, where .. ".params.gain_db") } }
    end
    if not OURS[fx.kind] then
      refuse ("unsupported", "monitoring effect " .. tostring (fx.kind) .. " is unknown to the Ardour bridge")
    end
    local values = {}
    for name, v in pairs (params) do
      if type (v) == "string" then
        v = FILTER_TYPES[v:lower ()] or refuse ("bad_args", where .. ".params." .. name .. ": unknown choice " .. v)
      elseif type (v) ~= "number" or v ~= v then
        refuse ("bad_args", where .. ".params." .. name .. " must be a number or a choice name")
      end
      values[name] = v
    end
    local labels = type (fx.labels) == "table" and fx.labels or {}
    return { uri = "daw-bridge " .. fx.kind, kind = fx.kind, values = values, labels = labels, where = where }
  end

  -- Parameter index (0-based) -> value for plugin `proc`, by label; refuses a parameter the plugin lacks.
  local function param_settings (proc, p)
    if p.set then return p.set end
    local plug = proc:to_insert ():plugin (0)
    local by_label = {}
    for i = 0, plug:parameter_count () - 1 do
      if plug:parameter_is_input (i) then by_label[plug:parameter_label (i):lower ()] = i end
    end
    local set = {}
    for name, v in pairs (p.values) do
      local label = type (p.labels[name]) == "string" and p.labels[name] or name
      local idx = by_label[label:lower ()] or by_label[name:lower ()]
      if idx == nil then refuse ("bad_args", p.where .. ".params." .. name .. ": " .. p.uri .. " has no such parameter") end
      set[idx] = v
    end
    return set
  end

  local function new_processor (p)
    local ok, proc = pcall (function () return ARDOUR.LuaAPI.new_plugin (Session, p.uri, ARDOUR.PluginType.Lua, "") end)
    if not ok or proc:isnil () then return nil end
    return proc
  end

  function ops.set_monitor_chain (args)
    local chain = args.chain
    if type (chain) ~= "table" then refuse ("bad_args", "args.chain must be a list") end
    local planned = {}
    for i, fx in ipairs (chain) do
      local where = "args.chain[" .. (i - 1) .. "]"
      if type (fx) ~= "table" or type (fx.kind) ~= "string" then refuse ("bad_args", where .. ".kind must be a string") end
      for j = 1, i - 1 do
        if chain[j].kind == fx.kind then refuse ("bad_args", where .. ".kind " .. fx.kind .. " appears twice") end
      end
      local p = plugins_for (fx, where)
      p.enabled = fx.enabled ~= false
      planned[#planned + 1] = p
    end
    -- Every processor is made (and its parameters resolved) before the monitor section is touched; an effect
    -- whose processor is not installed is skipped with a message, the others are applied.
    local made, skipped = {}, setmetatable ({}, { __metatable = "array" })
    for _, p in ipairs (planned) do
      local proc = new_processor (p)
      if proc then
        made[#made + 1] = { proc = proc, set = param_settings (proc, p), enabled = p.enabled }
      else
        skipped[#skipped + 1] = { kind = p.kind, message = "monitoring effect " .. p.kind .. ": Ardour has no " ..
          "processor '" .. p.uri .. "' (install our scripts: python -m daw_bridge.ardour.dsp_scripts, then " ..
          "restart Ardour); not applied" }
      end
    end
    if Session:monitor_out ():isnil () then
      ARDOUR.config ():set_use_monitor_bus (true)
      if Session:monitor_out ():isnil () then refuse ("unsupported", "Ardour has no monitor section to host the chain") end
    end
    local mon = Session:monitor_out ()
    local st = load_state ()
    local mine = {}
    for _, id in ipairs (st.monitor) do mine[id] = true end
    local i, current = 0, {}
    while true do
      local proc = mon:nth_plugin (i)
      if proc:isnil () then break end
      if mine[proc:to_stateful ():id ():to_s ()] then current[#current + 1] = proc end
      i = i + 1
    end
    -- An effect that is already there keeps its processor (only its parameters change; the processor settles and
    -- crossfades to a fresh filter chain itself, monitor_dsp.lua); ours that are no longer wanted go; new ones are
    -- inserted at their place. Ours sit first, in chain order; other plugins in the monitor section are left alone.
    local by_name, keep = {}, {}
    for _, proc in ipairs (current) do by_name[proc:display_name ()] = by_name[proc:display_name ()] or proc end
    for _, m in ipairs (made) do
      local old = by_name[m.proc:display_name ()]
      if old then m.proc = old; keep[old:to_stateful ():id ():to_s ()] = true; m.reused = true end
    end
    for _, proc in ipairs (current) do
      if not keep[proc:to_stateful ():id ():to_s ()] then mon:remove_processor (proc, nil, true) end
    end
    st.monitor = {}
    for idx, m in ipairs (made) do
      for param, value in pairs (m.set) do ARDOUR.LuaAPI.set_processor_param (m.proc, param, value) end
      if not m.reused then mon:add_processor_by_index (m.proc, idx - 1, nil, true) end
      if m.enabled then m.proc:activate () else m.proc:deactivate () end
      st.monitor[#st.monitor + 1] = m.proc:to_stateful ():id ():to_s ()
    end
    save_state (st)
    save_session ()
    return { fx = monitor_fx (), skipped = skipped }
  end

  ---------------------------------------------------------------- render
  function ops.render (args)
    if not path_allowed (args.directory) then refuse ("path_refused", "render directory " .. tostring (args.directory) .. " is outside the allowed folders") end
    local name = args.file_name
    if type (name) ~= "string" or not name:match ("^[^/]+%.wav$") then refuse ("bad_args", "args.file_name must be a plain *.wav name") end
    local dir = normalize (args.directory)
    local target = dir .. "/" .. name
    if read_file (target) then refuse ("exists", target .. " exists; daw-bridge never overwrites a render") end
    if args.sample_rate ~= nil and args.sample_rate ~= json.null and args.sample_rate ~= rate () then
      refuse ("bad_args", "args.sample_rate " .. tostring (args.sample_rate) .. ": Ardour renders at the session rate " .. rate ())
    end
    if args.channels ~= nil and args.channels ~= 2 then refuse ("bad_args", "args.channels must be 2 (the master bus)") end
    local depth = args.bit_depth or 24
    local preset = ({ [16] = PRESET_WAV16, [24] = PRESET_24, [32] = PRESET_FLOAT })[depth]
      or refuse ("bad_args", "args.bit_depth must be 16, 24 or 32")
    local first = Session:current_start_sample ()
    local last = Session:current_end_sample ()
    if type (args.start_s) == "number" then first = math.floor (args.start_s * rate () + 0.5) end
    if type (args.end_s) == "number" then last = math.floor (args.end_s * rate () + 0.5) end
    if last <= first then refuse ("bad_args", "nothing to render: the range is empty") end
    local stem = name:gsub ("%.wav$", "")
    local e = Session:simple_export ()
    if not e:set_preset (preset) and not e:set_preset (PRESET_WAV16) then refuse ("error", "no WAV export preset") end
    e:set_folder (dir)
    e:set_name (stem)
    e:set_range (first, last)
    if not e:run_export () then refuse ("render_failed", "Ardour's export of " .. target .. " failed") end
    -- Ardour appends the timespan name; move the file it wrote to the requested name
    if not read_file (target) then
      local written
      local p = io.popen ("ls -1t -- '" .. dir:gsub ("'", "") .. "' 2>/dev/null")
      for f in p:lines () do
        if f:sub (1, #stem) == stem and f:match ("%.wav$") then written = f; break end
      end
      p:close ()
      if not written then refuse ("render_failed", "Ardour wrote no file for " .. target) end
      os.rename (dir .. "/" .. written, target)
    end
    return { files = { target }, duration_s = (last - first) / rate () }
  end

  ---------------------------------------------------------------- media, state
  function ops.insert_media (args)
    if not path_allowed (args.path) then refuse ("path_refused", "media path " .. tostring (args.path) .. " is outside the allowed folders") end
    if type (args.track_name) ~= "string" then refuse ("bad_args", "args.track_name must be a string") end
    if not Editor then
      refuse ("unsupported", "Ardour 7.3 cannot import audio headless; close the session and inject the file " ..
              "with daw_bridge.ardour.session.inject_audio")
    end
    local files = C.StringVector ()
    files:push_back (args.path)
    local track = Session:route_by_name (args.track_name)
    local pos = Temporal.timepos_t (math.floor ((args.position_s or 0) * rate () + 0.5))
    if track:isnil () then
      Editor:do_import (files, Editing.ImportDistinctFiles, Editing.ImportAsTrack, ARDOUR.SrcQuality.SrcBest,
        ARDOUR.MidiTrackNameSource.SMFTrackName, ARDOUR.MidiTempoMapDisposition.SMFTempoIgnore, pos,
        ARDOUR.PluginInfo (), ARDOUR.Track (), false)
    else
      local function regions ()
        local n = 0
        for _ in track:to_track ():playlist ():region_list ():iter () do n = n + 1 end
        return n
      end
      local had = regions ()
      Editor:do_import (files, Editing.ImportDistinctFiles, Editing.ImportToTrack, ARDOUR.SrcQuality.SrcBest,
        ARDOUR.MidiTrackNameSource.SMFTrackName, ARDOUR.MidiTempoMapDisposition.SMFTempoIgnore, pos,
        ARDOUR.PluginInfo (), track:to_track (), false)
      -- Seen under Xvfb with 7.3: the file is copied into the session but no region lands on the track.
      if regions () == had then
        refuse ("unsupported", "Ardour imported " .. args.path .. " but placed nothing on track " ..
                args.track_name .. "; drag it from the Regions list, or close the session and inject it")
      end
    end
    return { track = 0 }
  end

  -- The track's (first) region plays its source's time 0 at offset_s: later for a positive offset, the start
  -- trimmed off for a negative one (as the REAPER bridge's align_item).
  function ops.align_item (args)
    if type (args.track_name) ~= "string" then refuse ("bad_args", "args.track_name must be a string") end
    local offset = num_arg (args, "offset_s", "args")
    if math.abs (offset) > 600 then refuse ("bad_args", "args.offset_s must be within +-600 s") end
    local route = Session:route_by_name (args.track_name)
    if route:isnil () or route:to_track ():isnil () then refuse ("not_found", "no track named " .. args.track_name) end
    local region
    for r in route:to_track ():playlist ():region_list ():iter () do region = r; break end
    if not region then refuse ("not_found", "track " .. args.track_name .. " has no region") end
    local source_len = region:source (0):length ():samples ()
    local start = offset < 0 and math.floor (-offset * rate () + 0.5) or 0
    if start >= source_len then refuse ("bad_args", "args.offset_s skips the whole region") end
    local pos = offset > 0 and math.floor (offset * rate () + 0.5) or 0
    region:set_start (Temporal.timepos_t (start))
    region:set_length (Temporal.timecnt_t (source_len - start))
    region:set_position (Temporal.timepos_t (pos))
    save_session ()
    return { track = 0, offset_s = offset }
  end

  function ops.set_project_state (args)
    if type (args.key) ~= "string" or args.key == "" then refuse ("bad_args", "args.key must be a non-empty string") end
    if type (args.value) ~= "string" then refuse ("bad_args", "args.value must be a string") end
    local st = load_state ()
    st.values[args.key] = args.value ~= "" and args.value or nil -- "" deletes the key, as in REAPER
    save_state (st)
    return {}
  end

  function ops.get_project_state (args)
    if type (args.key) ~= "string" then refuse ("bad_args", "args.key must be a string") end
    local v = load_state ().values[args.key]
    return { value = v == nil and json.null or v }
  end

  function ops.get_state (args)
    local keys = args.keys or { "sample_rate", "length_s", "project_path", "markers", "monitor_fx" }
    local out = {}
    for _, k in ipairs (keys) do
      if k == "sample_rate" then out[k] = rate ()
      elseif k == "length_s" then out[k] = (Session:current_end_sample () - Session:current_start_sample ()) / rate ()
      elseif k == "project_path" then out[k] = session_dir () .. Session:snap_name () .. ".ardour"
      elseif k == "markers" then out[k] = markers_state ()
      elseif k == "monitor_fx" then out[k] = monitor_fx ()
      elseif k == "time_selection" then out[k] = json.null
      elseif k == "loop" then
        local l = Session:locations ():auto_loop_location ()
        out[k] = l and { start_s = secs (l:start ()), end_s = secs (l:_end ()) } or json.null
      else refuse ("bad_args", "args.keys: unknown key " .. tostring (k)) end
    end
    return out
  end

  ---------------------------------------------------------------- mailbox
  local function respond (id, ok, payload)
    local msg = { protocol = PROTOCOL, id = id, ok = ok }
    if ok then msg.result = payload else msg.error = payload end
    write_atomic (bridge_dir .. "/responses/" .. id .. ".json", json.encode (msg))
  end

  local function handle (file)
    local path = bridge_dir .. "/requests/" .. file
    local id = file:gsub ("%.json$", "")
    local text = read_file (path, MAX_REQUEST)
    if not text then return end
    os.remove (path)
    if #text > MAX_REQUEST then return respond (id, false, { code = "too_large", message = "request over 1 MiB" }) end
    local okp, req = pcall (json.decode, text)
    if not okp or type (req) ~= "table" then return respond (id, false, { code = "bad_json", message = tostring (req) }) end
    if req.protocol ~= PROTOCOL then return respond (id, false, { code = "protocol", message = "protocol must be 1" }) end
    if req.id ~= id or not id:match ("^[A-Za-z0-9_-]+$") or #id < 8 or #id > 64 then
      return respond (id, false, { code = "bad_args", message = "id must match the file name" })
    end
    if type (req.expires) == "number" and os.time () > req.expires + 1 then
      return respond (id, false, { code = "stale", message = "request expired" })
    end
    local st = load_state ()
    for _, done in ipairs (st.done_ids) do
      if done == id then return respond (id, false, { code = "duplicate", message = "id already executed" }) end
    end
    local op = ops[req.op]
    if type (req.op) ~= "string" or not op then
      return respond (id, false, { code = "unknown_op", message = "unknown op " .. tostring (req.op) })
    end
    local args = type (req.args) == "table" and req.args or {}
    local ok, result = pcall (op, args)
    st = load_state ()
    st.done_ids[#st.done_ids + 1] = id
    while #st.done_ids > DONE_KEEP do table.remove (st.done_ids, 1) end
    save_state (st)
    if ok then return respond (id, true, result) end
    if getmetatable (result) == Refused then return respond (id, false, { code = result.code, message = result.message }) end
    respond (id, false, { code = "error", message = tostring (result) })
  end

  local function heartbeat ()
    write_atomic (bridge_dir .. "/bridge.json",
      json.encode ({ protocol = PROTOCOL, host = "Ardour " .. tostring (ARDOUR.revision), time = os.time () }))
  end

  -- In the GUI a long operation (an export runs the GUI main loop while it waits) lets the timer call us again:
  -- `busy` keeps requests strictly one after the other. Nothing may escape this function: Ardour drops a hook
  -- whose callback raises an error.
  local last_beat, busy = 0, false
  return function (signal, ref, ...)
    if busy then return end
    busy = true
    if os.time () ~= last_beat then
      last_beat = os.time ()
      pcall (heartbeat)
    end
    local okl, files = pcall (list_json, bridge_dir .. "/requests")
    for _, file in ipairs (okl and files or {}) do
      local ok, err = pcall (handle, file)
      if not ok then print ("daw-bridge: " .. tostring (err)) end
    end
    busy = false
  end
end

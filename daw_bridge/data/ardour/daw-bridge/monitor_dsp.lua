-- daw-bridge monitoring effect for Ardour's monitor section: the processing of our JSFX
-- (daw_bridge/data/reaper/daw-bridge/daw-bridge_<kind>.jsfx) as an Ardour Lua DSP processor.
--
-- This is the shared body. daw_bridge.ardour.dsp_scripts writes one script per effect kind into Ardour's
-- script folder: the `ardour { ... }` header, then `local KIND = "<kind>"` and `local PARAMS = {...}` (the
-- slider list of daw_bridge/dsp/params.py, in order), then this body. Filters run in Ardour's C++ biquad
-- (ARDOUR.DSP.Biquad, coefficients set directly with set_coefficients; 7.3 binds `configure` to something else) with the RBJ formulas of daw_bridge/dsp/biquad.py, so the
-- response is the JSFX's and the Python DSP's.

local MAX_BLOCK = 8192

function dsp_ioconfig ()
  return { { audio_in = 2, audio_out = 2 } }
end

function dsp_params ()
  local out = {}
  for i, p in ipairs (PARAMS) do
    local d = { ["type"] = "input", name = p.label, min = p.min, max = p.max, default = p.default }
    if p.choices then
      d.enum = true
      d.scalepoints = {}
      for k, c in ipairs (p.choices) do d.scalepoints[c] = k - 1 end
    end
    out[i] = d
  end
  return out
end

local rate = 48000
local filters = { {}, {} }   -- per channel: ARDOUR.DSP.Biquad instances in use
local cross = {}             -- crossfeed: lo_l, lo_r, hi_l, hi_r
local xfeed_on = true        -- crossfeed: its "on" slider
local shm                    -- scratch: two blocks of MAX_BLOCK floats
local seen = {}              -- parameter values the filters were built for
local mat = { 1, 0 }         -- output matrix: L' = a*L + b*R, R' = a*R + b*L
local outgain = 1

-- RBJ cookbook coefficients {b0, b1, b2, a1, a2} (a0 = 1), as daw-bridge_biquad.jsfx-inc's rbj().
local function rbj (kind, f, g, q)
  f = math.min (math.max (f, 1), rate * 0.49)
  q = math.max (q, 0.01)
  local w0 = 2 * math.pi * f / rate
  local cw, al, A = math.cos (w0), math.sin (w0) / (2 * q), 10 ^ (g / 40)
  if kind == 1 then
    local a0 = 1 + al / A
    return { (1 + al * A) / a0, -2 * cw / a0, (1 - al * A) / a0, -2 * cw / a0, (1 - al / A) / a0 }
  elseif kind == 2 or kind == 3 then
    local s = kind == 2 and 1 or -1
    local sq = 2 * math.sqrt (A) * al
    local a0 = (A + 1) + s * (A - 1) * cw + sq
    return { A * ((A + 1) - s * (A - 1) * cw + sq) / a0, s * 2 * A * ((A - 1) - s * (A + 1) * cw) / a0,
             A * ((A + 1) - s * (A - 1) * cw - sq) / a0, -s * 2 * ((A - 1) + s * (A + 1) * cw) / a0,
             ((A + 1) + s * (A - 1) * cw - sq) / a0 }
  elseif kind == 4 or kind == 5 then
    local a0 = 1 + al
    local b0 = (kind == 4 and (1 - cw) or (1 + cw)) / 2 / a0
    return { b0, (kind == 4 and 1 or -1) * 2 * b0, b0, -2 * cw / a0, (1 - al) / a0 }
  end
  return nil
end

-- A biquad with coefficients c; `reuse` (an existing one) keeps its state, so a parameter change does not click.
local function biquad (c, reuse)
  local b = reuse or ARDOUR.DSP.Biquad (rate)
  b:set_coefficients (c[4], c[5], c[1], c[2], c[3]) -- (a1, a2, b0, b1, b2), checked with an impulse in 7.3
  return b
end

-- (Re)build the filters from the controls; keeps filter state when nothing changed.
local function build (v)
  local secs = {}
  mat = { 1, 0 }
  local gain_db = v.gain_db or 0
  if KIND == "correction" or KIND == "simulation" then
    local n = 1
    while v["band" .. n .. "_type"] ~= nil do
      local c = rbj (math.floor (v["band" .. n .. "_type"] + 0.5), v["band" .. n .. "_freq"],
                     v["band" .. n .. "_gain"], v["band" .. n .. "_q"])
      if c then secs[#secs + 1] = c end
      n = n + 1
    end
    if KIND == "correction" then gain_db = gain_db + v.preamp_db end
    if KIND == "simulation" and v.width < 1 then mat = { (1 + v.width) / 2, (1 - v.width) / 2 } end
  elseif KIND == "bandsolo" then
    local sections = math.floor (v.order / 2 + 0.001)
    for _, edge in ipairs ({ { v.low_hz, 5 }, { v.high_hz, 4 } }) do
      if edge[1] > 0 and edge[1] < 0.45 * rate then
        for k = 1, sections do
          secs[#secs + 1] = rbj (edge[2], edge[1], 0, 1 / (2 * math.cos ((2 * k - 1) * math.pi / (4 * sections))))
        end
      end
    end
  elseif KIND == "crossfeed" and (v.on or 1) < 0.5 then
    xfeed_on = false -- the "on" slider off: a pass-through (no crossfade here; see docs/monitoring.md)
  elseif KIND == "crossfeed" then
    xfeed_on = true
    -- bs2b (formulas of libbs2b, MIT; see daw_bridge/dsp/crossfeed.py): one-pole low-pass on the fed
    -- signal, one-pole high shelf on the direct one, then the centre trim (mid/side) as a 2x2 matrix.
    local gb_lo, gb_hi = v.feed_db * -5 / 6 - 3, v.feed_db / 6 - 3
    local g_lo, g_hi = 10 ^ (gb_lo / 20), 1 - 10 ^ (gb_hi / 20)
    local fc_hi = v.cut_hz * 2 ^ ((gb_lo - 20 * math.log (g_hi, 10)) / 12)
    local x, y = math.exp (-2 * math.pi * v.cut_hz / rate), math.exp (-2 * math.pi * fc_hi / rate)
    local lo = { g_lo * (1 - x), 0, 0, -x, 0 }
    local hi = { 1 - g_hi * (1 - y), -y, 0, -y, 0 }
    cross = { biquad (lo, cross[1]), biquad (lo, cross[2]), biquad (hi, cross[3]), biquad (hi, cross[4]) }
    local centre = 10 ^ (v.centre_db / 20)
    mat = { (centre + 1) / 2, (centre - 1) / 2 }
    gain_db = gain_db + 20 * math.log (1 / (1 - g_hi + g_lo), 10)
  end
  outgain = 10 ^ (gain_db / 20)
  for ch = 1, 2 do
    local keep = #filters[ch] == #secs  -- same sections: new coefficients, same filter state
    local out = {}
    for i, c in ipairs (secs) do out[i] = biquad (c, keep and filters[ch][i] or nil) end
    filters[ch] = out
  end
end

function dsp_init (r)
  rate = r
  shm = ARDOUR.DSP.DspShm (2 * MAX_BLOCK)
end

local function controls ()
  local ctrl = CtrlPorts:array ()
  local v, changed = {}, false
  for i, p in ipairs (PARAMS) do
    v[p.name] = ctrl[i]
    if seen[p.name] ~= ctrl[i] then changed = true end
  end
  if changed then
    build (v)
    seen = v
  end
end

local function run_block (l, r, n)
  for i, b in ipairs (filters[1]) do
    b:run (l, n)
    filters[2][i]:run (r, n)
  end
  local s1, s2 = shm:to_float (0), shm:to_float (MAX_BLOCK)
  if KIND == "crossfeed" and xfeed_on then
    ARDOUR.DSP.copy_vector (s1, l, n)            -- s1: left, low-passed -> fed to the right
    ARDOUR.DSP.copy_vector (s2, r, n)
    cross[1]:run (s1, n); cross[2]:run (s2, n)
    cross[3]:run (l, n); cross[4]:run (r, n)
    ARDOUR.DSP.mix_buffers_no_gain (l, s2, n)    -- l = hi(L) + lo(R)
    ARDOUR.DSP.mix_buffers_no_gain (r, s1, n)
  end
  if mat[2] ~= 0 then
    ARDOUR.DSP.copy_vector (s1, l, n)
    ARDOUR.DSP.copy_vector (s2, r, n)
    ARDOUR.DSP.apply_gain_to_buffer (l, n, mat[1])
    ARDOUR.DSP.mix_buffers_with_gain (l, s2, n, mat[2])
    ARDOUR.DSP.apply_gain_to_buffer (r, n, mat[1])
    ARDOUR.DSP.mix_buffers_with_gain (r, s1, n, mat[2])
  elseif mat[1] ~= 1 then
    ARDOUR.DSP.apply_gain_to_buffer (l, n, mat[1])
    ARDOUR.DSP.apply_gain_to_buffer (r, n, mat[1])
  end
  ARDOUR.DSP.apply_gain_to_buffer (l, n, outgain)
  ARDOUR.DSP.apply_gain_to_buffer (r, n, outgain)
end

function dsp_run (ins, outs, n_samples)
  controls ()
  for c = 1, 2 do
    if ins[c] ~= outs[c] then ARDOUR.DSP.copy_vector (outs[c], ins[c], n_samples) end
  end
  local off = 0
  while off < n_samples do
    local n = math.min (MAX_BLOCK, n_samples - off)
    run_block (outs[1]:offset (off), outs[2]:offset (off), n)
    off = off + n
  end
end

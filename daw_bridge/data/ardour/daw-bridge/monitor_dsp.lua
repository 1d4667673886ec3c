-- daw-bridge monitoring effect for Ardour's monitor section: the processing of our JSFX
-- (daw_bridge/data/reaper/daw-bridge/daw-bridge_<kind>.jsfx) as an Ardour Lua DSP processor.
--
-- This is the shared body. daw_bridge.ardour.dsp_scripts writes one script per effect kind into Ardour's
-- script folder: the `ardour { ... }` header, then `local KIND = "<kind>"` and `local PARAMS = {...}` (the
-- slider list of daw_bridge/dsp/params.py, in order), then this body. Filters run in Ardour's C++ biquad
-- (ARDOUR.DSP.Biquad, coefficients set directly with set_coefficients; 7.3 binds `configure` to something else) with the RBJ formulas of daw_bridge/dsp/biquad.py, so the
-- response is the JSFX's and the Python DSP's.
--
-- Changes never touch a running filter (the scheme of daw_bridge/dsp/switching.py and daw-bridge_biquad.jsfx-inc,
-- sample for sample): a control change first settles for SETTLE_MS (a further change restarts the wait; only the
-- complete set of values is used), then a complete new chain (biquads with zero state, gain, matrix, crossfeed
-- filters) starts next to the old one and the output fades linearly from old to new over FADE_MS (weights k / N,
-- k = 1..N); the old chain is then dropped. A change arriving during a fade waits for it to end. A change that
-- builds the same chain as the running one fades nothing. "Off" is a pass-through chain, reached by the same fade.

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

local SETTLE_MS, FADE_MS = 10, 30

local rate = 48000
local shm                    -- scratch: four blocks of MAX_BLOCK floats
local seen = {}              -- the control values read last cycle
local cur                    -- the running chain (see make_chain)
local old                    -- the chain fading out (nil when no fade runs)
local pending                -- the spec a settled change will build (nil: none)
local settle, fade_pos, fade_n, settle_n = 0, 0, 1, 1

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

-- The complete chain the controls `v` ask for, as numbers only (no filter objects yet): `secs` (coefficient rows
-- run in series on each channel), `cross` (crossfeed: lo and hi one-pole rows; nil = no crossfeed), `mat` (output
-- matrix L' = a*L + b*R, R' = a*R + b*L) and `gain` (linear output gain). Pass-through states give no sections,
-- no crossfeed, the identity matrix and unity gain.
local function spec_of (v)
  local secs, mat, gain_db, cross = {}, { 1, 0 }, v.gain_db or 0, nil
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
    gain_db = 0 -- the "on" slider off: a pass-through (its gain is the compensation of the crossfeed, unused)
  elseif KIND == "crossfeed" then
    -- bs2b (formulas of libbs2b, MIT; see daw_bridge/dsp/crossfeed.py): one-pole low-pass on the fed
    -- signal, one-pole high shelf on the direct one, then the centre trim (mid/side) as a 2x2 matrix.
    local gb_lo, gb_hi = v.feed_db * -5 / 6 - 3, v.feed_db / 6 - 3
    local g_lo, g_hi = 10 ^ (gb_lo / 20), 1 - 10 ^ (gb_hi / 20)
    local fc_hi = v.cut_hz * 2 ^ ((gb_lo - 20 * math.log (g_hi, 10)) / 12)
    local x, y = math.exp (-2 * math.pi * v.cut_hz / rate), math.exp (-2 * math.pi * fc_hi / rate)
    cross = { { g_lo * (1 - x), 0, 0, -x, 0 }, { 1 - g_hi * (1 - y), -y, 0, -y, 0 } }
    local centre = 10 ^ (v.centre_db / 20)
    mat = { (centre + 1) / 2, (centre - 1) / 2 }
    gain_db = gain_db + 20 * math.log (1 / (1 - g_hi + g_lo), 10)
  end
  return { secs = secs, cross = cross, mat = mat, gain = 10 ^ (gain_db / 20) }
end

-- Whether two coefficient rows are equal.
local function same_row (a, b)
  for k = 1, 5 do
    if a[k] ~= b[k] then return false end
  end
  return true
end

-- Whether two specs build the same chain (then a change fades nothing).
local function same_spec (a, b)
  if #a.secs ~= #b.secs or (a.cross == nil) ~= (b.cross == nil) then return false end
  if a.gain ~= b.gain or a.mat[1] ~= b.mat[1] or a.mat[2] ~= b.mat[2] then return false end
  for i, r in ipairs (a.secs) do
    if not same_row (r, b.secs[i]) then return false end
  end
  return a.cross == nil or (same_row (a.cross[1], b.cross[1]) and same_row (a.cross[2], b.cross[2]))
end

-- A new biquad (zero state) with coefficients c = {b0, b1, b2, a1, a2}.
local function biquad (c)
  local b = ARDOUR.DSP.Biquad (rate)
  b:set_coefficients (c[4], c[5], c[1], c[2], c[3]) -- (a1, a2, b0, b1, b2), checked with an impulse in 7.3
  return b
end

-- A runnable chain for `spec`: every filter new, so no state of another filter is ever fed into it.
local function make_chain (spec)
  local c = { spec = spec, f = { {}, {} }, mat = spec.mat, gain = spec.gain }
  for ch = 1, 2 do
    for i, s in ipairs (spec.secs) do c.f[ch][i] = biquad (s) end
  end
  if spec.cross then
    c.cross = { biquad (spec.cross[1]), biquad (spec.cross[1]), biquad (spec.cross[2]), biquad (spec.cross[2]) }
  end
  return c
end

-- Run chain `c` in place on l, r (n samples); s1, s2 are scratch.
local function run_chain (c, l, r, n, s1, s2)
  for i, b in ipairs (c.f[1]) do
    b:run (l, n)
    c.f[2][i]:run (r, n)
  end
  if c.cross then
    local x = c.cross
    ARDOUR.DSP.copy_vector (s1, l, n)            -- s1: left, low-passed -> fed to the right
    ARDOUR.DSP.copy_vector (s2, r, n)
    x[1]:run (s1, n); x[2]:run (s2, n)
    x[3]:run (l, n); x[4]:run (r, n)
    ARDOUR.DSP.mix_buffers_no_gain (l, s2, n)    -- l = hi(L) + lo(R)
    ARDOUR.DSP.mix_buffers_no_gain (r, s1, n)
  end
  local a, b = c.mat[1], c.mat[2]
  if b ~= 0 then
    ARDOUR.DSP.copy_vector (s1, l, n)
    ARDOUR.DSP.copy_vector (s2, r, n)
    ARDOUR.DSP.apply_gain_to_buffer (l, n, a)
    ARDOUR.DSP.mix_buffers_with_gain (l, s2, n, b)
    ARDOUR.DSP.apply_gain_to_buffer (r, n, a)
    ARDOUR.DSP.mix_buffers_with_gain (r, s1, n, b)
  elseif a ~= 1 then
    ARDOUR.DSP.apply_gain_to_buffer (l, n, a)
    ARDOUR.DSP.apply_gain_to_buffer (r, n, a)
  end
  if c.gain ~= 1 then
    ARDOUR.DSP.apply_gain_to_buffer (l, n, c.gain)
    ARDOUR.DSP.apply_gain_to_buffer (r, n, c.gain)
  end
end

-- Also called again when Ardour's rate changes: the next cycle builds the running chain at the new rate.
function dsp_init (r)
  rate = r
  cur, old, pending, seen = nil, nil, nil, {}
  shm = ARDOUR.DSP.DspShm (4 * MAX_BLOCK)
  settle_n = math.max (1, math.floor (SETTLE_MS * rate / 1000 + 0.5)) -- rounding half up, as switching.py
  fade_n = math.max (1, math.floor (FADE_MS * rate / 1000 + 0.5))
end

-- Read the controls; a change (re)starts the settle time with the complete new set. The first read builds the
-- running chain at once (nothing plays yet).
local function controls ()
  local ctrl = CtrlPorts:array ()
  local v, changed = {}, false
  for i, p in ipairs (PARAMS) do
    v[p.name] = ctrl[i]
    if seen[p.name] ~= ctrl[i] then changed = true end
  end
  if not changed then return end
  seen = v
  if cur == nil then
    cur = make_chain (spec_of (v))
  else
    pending, settle = spec_of (v), settle_n
  end
end

-- The settled change starts its fade now (nothing to do when it builds the running chain).
local function start_fade ()
  local spec = pending
  pending = nil
  if same_spec (spec, cur.spec) then return end
  old, cur, fade_pos = cur, make_chain (spec), 0
end

-- n samples (n <= MAX_BLOCK) of a fade: both chains run (vectorised), then the linear weights, sample by sample.
local function run_fade (l, r, n)
  local s1, s2, o1, o2 = shm:to_float (0), shm:to_float (MAX_BLOCK), shm:to_float (2 * MAX_BLOCK),
                         shm:to_float (3 * MAX_BLOCK)
  ARDOUR.DSP.copy_vector (o1, l, n)
  ARDOUR.DSP.copy_vector (o2, r, n)
  run_chain (old, o1, o2, n, s1, s2)
  run_chain (cur, l, r, n, s1, s2)
  local la, ra, oa, ob = l:array (), r:array (), o1:array (), o2:array ()
  for i = 1, n do
    local w = (fade_pos + i) / fade_n
    la[i] = oa[i] * (1 - w) + la[i] * w
    ra[i] = ob[i] * (1 - w) + ra[i] * w
  end
  fade_pos = fade_pos + n
  if fade_pos >= fade_n then old = nil end
end

-- One block (n <= MAX_BLOCK): settle and fade placed at exact samples, as SwitchedEffect.process.
local function run_block (l, r, n)
  local off = 0
  while off < n do
    if pending and not old and settle <= 1 then start_fade () end
    local seg
    if old then
      seg = math.min (n - off, fade_n - fade_pos)
    elseif pending then
      seg = math.min (n - off, settle - 1)
    else
      seg = n - off
    end
    if pending then settle = math.max (0, settle - seg) end
    local bl, br = l:offset (off), r:offset (off)
    if old then
      run_fade (bl, br, seg)
    else
      run_chain (cur, bl, br, seg, shm:to_float (0), shm:to_float (MAX_BLOCK))
    end
    off = off + seg
  end
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

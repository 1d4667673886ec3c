-- Runs one of our Ardour Lua DSP scripts (daw_bridge.ardour.dsp_scripts) outside Ardour, with stand-ins for the
-- ARDOUR.DSP calls it uses (double precision; the biquad is Ardour's transposed direct form II):
--   lua5.4 monitor_dsp_harness.lua SCRIPT RATE INPUT PLAN
-- INPUT: one "left right" sample per line. PLAN: one block per line, "FRAMES v1 v2 ... vP" (every control's
-- value for that block, in dsp_params order). Prints one "left right" output sample per line.
local script, rate, input, plan = arg[1], tonumber (arg[2]), arg[3], arg[4]

local function float_array (data, off)
  local a = { data = data, off = off or 0 }
  function a:offset (k) return float_array (self.data, self.off + k) end
  function a:array ()
    local base, d = self.off, self.data
    return setmetatable ({}, { __index = function (_, i) return d[base + i] end,
                               __newindex = function (_, i, v) d[base + i] = v end })
  end
  return a
end
local function at (buf, i) return buf.data[buf.off + i] end
local function put (buf, i, v) buf.data[buf.off + i] = v end

local Biquad = {}
Biquad.__index = Biquad
function Biquad:set_coefficients (a1, a2, b0, b1, b2)
  self.a1, self.a2, self.b0, self.b1, self.b2 = a1, a2, b0, b1, b2
end
function Biquad:run (buf, n)
  for i = 1, n do
    local x = at (buf, i)
    local y = self.b0 * x + self.z1
    self.z1 = self.b1 * x - self.a1 * y + self.z2
    self.z2 = self.b2 * x - self.a2 * y
    put (buf, i, y)
  end
end

ARDOUR = { DSP = {
  Biquad = function (_) return setmetatable ({ z1 = 0, z2 = 0, a1 = 0, a2 = 0, b0 = 1, b1 = 0, b2 = 0 }, Biquad) end,
  DspShm = function (n)
    local d = {}
    for i = 1, n do d[i] = 0 end
    return { to_float = function (_, k) return float_array (d, k) end }
  end,
  copy_vector = function (dst, src, n) for i = 1, n do put (dst, i, at (src, i)) end end,
  apply_gain_to_buffer = function (buf, n, g) for i = 1, n do put (buf, i, at (buf, i) * g) end end,
  mix_buffers_no_gain = function (dst, src, n) for i = 1, n do put (dst, i, at (dst, i) + at (src, i)) end end,
  mix_buffers_with_gain = function (dst, src, n, g)
    for i = 1, n do put (dst, i, at (dst, i) + at (src, i) * g) end
  end,
} }
local controls = {}
CtrlPorts = { array = function (_) return controls end }
function ardour (_) end
dofile (script)
dsp_init (rate)

local xl, xr = {}, {}
for line in io.lines (input) do
  local l, r = line:match ("^(%S+) (%S+)$")
  xl[#xl + 1], xr[#xr + 1] = tonumber (l), tonumber (r)
end
local yl, yr = {}, {}
local pos = 0
local out = {}
for line in io.lines (plan) do
  local values = {}
  for v in line:gmatch ("%S+") do values[#values + 1] = tonumber (v) end
  local n = table.remove (values, 1)
  for i, v in ipairs (values) do controls[i] = v end
  local il, ir = float_array (xl, pos), float_array (xr, pos)
  local ol, or_ = float_array (yl, pos), float_array (yr, pos)
  dsp_run ({ il, ir }, { ol, or_ }, n)
  for i = 1, n do out[#out + 1] = string.format ("%.17g %.17g", yl[pos + i], yr[pos + i]) end
  pos = pos + n
end
io.write (table.concat (out, "\n"), "\n")

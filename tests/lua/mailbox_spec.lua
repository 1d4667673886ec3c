-- lib.mailbox against entries that are not regular files (issue 17): read_file's size limit must hold for
-- /dev/zero (seek("end") is 0 there) and a FIFO must be refused at once, not block REAPER's UI thread.
local H = require("helpers")
local mailbox = require("lib.mailbox")
local bridge = require("lib.bridge")
local json = require("lib.json")
local mock_reaper = require("mock_reaper")

--- Make a FIFO at `path`, and a bounded helper that opens its write end after 2 s: if read_file blocks on it
-- (the bug), the spec fails after 2 s instead of hanging the whole run.
local function fifo(path)
  assert(os.execute("mkfifo '" .. path .. "'"))
  os.execute("timeout 4 sh -c 'sleep 2; : > \"" .. path .. "\"' >/dev/null 2>&1 &")
end

describe("lib.mailbox on odd entries", function()
  local cfg
  before_each(function() cfg = H.mailbox() end)
  after_each(function() H.rmtree(cfg.root) end)

  it("refuses a FIFO at once instead of blocking", function()
    local path = cfg.bridge_dir .. "/requests/fifo000001.json"
    fifo(path)
    local t0 = os.time()
    local text, code, message = mailbox.read_file(path, 1024)
    assert.is_nil(text)
    assert.are.equal("not_regular", code, message)
    assert.is_true(os.time() - t0 <= 1, "read_file waited for the FIFO's writer")
    assert.is_true(mailbox.exists(path))
  end)

  -- Run in a child lua5.4 capped at 256 MB of address space (ulimit -v): without the limit holding, read_file
  -- reads /dev/zero until memory runs out, and the child must die, not the machine's memory.
  local function read_in_child(path, limit)
    local code = string.format(
      "package.path = %q .. package.path; local m = require('lib.mailbox'); " ..
      "local t, c = m.read_file(%q, %d); io.write(tostring(c))",
      H.SCRIPTS_DIR .. "/?.lua;", path, limit)
    local out = cfg.root .. "/child.out"
    os.execute(string.format("sh -c 'ulimit -v 262144; exec timeout 10 lua5.4 -e \"$0\"' %q > %q 2>&1",
      code, out))
    return H.read(out)
  end

  it("holds the size limit for /dev/zero (seek says 0 bytes) and reads at most limit + 1 bytes", function()
    assert.are.equal("too_large", read_in_child("/dev/zero", 4096))
    local link = cfg.bridge_dir .. "/requests/zerolink01.json"
    assert(os.execute("ln -s /dev/zero '" .. link .. "'"))
    assert.are.equal("too_large", read_in_child(link, mailbox.MAX_REQUEST_BYTES))
  end)

  it("still reads regular files up to the limit, and refuses one over it", function()
    local path = cfg.bridge_dir .. "/requests/plain00001.json"
    H.write(path, string.rep("a", 100))
    assert.are.equal(string.rep("a", 100), mailbox.read_file(path, 100))
    assert.are.equal("too_large", select(2, mailbox.read_file(path, 99)))
    assert.are.equal("missing", select(2, mailbox.read_file(path .. ".gone", 99)))
    assert.is_false(mailbox.exists(path .. ".gone"))
  end)

  it("refuses a folder, and reads a read-only file only when allowed (the user's config)", function()
    assert.are.equal("io", select(2, mailbox.read_file(cfg.bridge_dir .. "/events", 100)))
    assert.is_true(mailbox.exists(cfg.bridge_dir .. "/events"))
    local path = cfg.root .. "/config.json"
    H.write(path, '{"a": 1}')
    assert(os.execute("chmod 0444 '" .. path .. "'"))
    if io.open(path, "r+b") then return end -- running as root: permissions do not bite
    assert.are.equal("io", select(2, mailbox.read_file(path, 100)))
    assert.are.same({ a = 1 }, mailbox.read_json(path, 100, true))
    assert.is_true(mailbox.exists(path))
  end)

  it("lets the bridge answer a FIFO request with an error, remove it and answer the next", function()
    local mock = mock_reaper.new({ fx_catalog = H.FX_CATALOG })
    local R = mock.api
    local listed = R.EnumerateFiles
    R.EnumerateFiles = function(dir, i) -- REAPER lists every non-folder entry, FIFOs included
      if i < 0 then return nil end
      local names = {}
      for name in require("lfs").dir(dir) do
        local mode = require("lfs").symlinkattributes(dir .. "/" .. name, "mode")
        if name ~= "." and name ~= ".." and mode ~= "directory" then names[#names + 1] = name end
      end
      table.sort(names)
      return names[i + 1]
    end
    fifo(cfg.bridge_dir .. "/requests/aafifo0001.json")
    local id = H.request(cfg, "ping", {}, { created = 1000.0, expires = 99999.0 })
    local t0 = os.time()
    bridge.run(R, cfg, { now = function() return 1500.0 end })
    R.EnumerateFiles = listed
    assert.is_true(os.time() - t0 <= 1, "the bridge waited for the FIFO's writer")
    local bad = json.decode(H.read(cfg.bridge_dir .. "/responses/aafifo0001.json"))
    assert.is_false(bad.ok); assert.are.equal("io", bad.error.code)
    assert.is_false(H.exists(cfg.bridge_dir .. "/requests/aafifo0001.json"))
    assert.is_true(H.response(cfg, id).ok)
  end)
end)

local H = require("helpers")
local bridge = require("lib.bridge")
local json = require("lib.json")
local mock_reaper = require("mock_reaper")

local NOW = 1500.0

describe("lib.bridge", function()
  local cfg, mock, R

  before_each(function()
    cfg = H.mailbox()
    mock = mock_reaper.new({ fx_catalog = H.FX_CATALOG })
    R = mock.api
  end)
  after_each(function() H.rmtree(cfg.root) end)

  local function run() return bridge.run(R, cfg, { now = function() return NOW end }) end

  local function call(op, args, fields)
    local id = H.request(cfg, op, args, fields)
    run()
    assert.is_nil(H.read(cfg.bridge_dir .. "/requests/" .. id .. ".json"), "request file must be deleted")
    return H.response(cfg, id), id
  end

  local function ok(op, args)
    local resp = call(op, args)
    assert.is_true(resp.ok, resp.error and (resp.error.code .. ": " .. resp.error.message))
    return resp.result
  end

  local function refused(code, op, args, fields)
    local resp = call(op, args, fields)
    assert.is_false(resp.ok)
    assert.are.equal(code, resp.error.code, resp.error.message)
    return resp.error.message
  end

  describe("mailbox listing", function()
    it("sees a request written after an earlier poll although REAPER caches directory listings", function()
      run() -- lists the empty requests folder: the stand-in, like REAPER, caches that listing
      local resp = call("ping")
      assert.is_true(resp.ok)
    end)
  end)

  describe("ping and bridge.json", function()
    it("answers ping with the host and protocol, and writes bridge.json", function()
      local result = ok("ping")
      assert.are.same({ host = "REAPER 7.22/linux-x86_64", protocol = 1 }, result)
      local info = json.decode(H.read(cfg.bridge_dir .. "/bridge.json"))
      assert.are.equal(1, info.protocol); assert.are.equal(NOW, info.time)
      assert.are.equal(0, #mock.undo.points, "read-only ops make no undo point")
    end)
  end)

  describe("markers", function()
    local function names()
      local out = {}
      for _, m in ipairs(mock.markers) do out[#out + 1] = m.name end
      return out
    end

    it("replace_markers deletes only the markers it wrote and adds coloured ones in one undo point", function()
      R.AddProjectMarker2(0, false, 5.0, 0, "Chorus", -1, 0)
      ok("replace_markers", { markers = { { time_s = 7.0, name = "old finding" },
                                          { time_s = 8.0, end_s = 9.0, name = "old region" } } })
      R.AddProjectMarker2(0, false, 9.0, 0, "Verse [daw-bridge]", -1, 0)
      mock.undo.points = {}
      local result = ok("replace_markers", { markers = {
        { time_s = 12.0, end_s = json.null, name = "reverb 4.2 dB drier", color = "#3399ff" },
        { time_s = 20.0, end_s = 30.0, name = "too wide", color = "#ff0000" },
      } })
      assert.are.same({ deleted = 2, added = 2 }, result)
      assert.are.same({ "Chorus", "Verse [daw-bridge]", "[daw-bridge] reverb 4.2 dB drier", "[daw-bridge] too wide" },
                      names())
      local blue = mock.markers[3]
      assert.are.equal(R.ColorToNative(0x33, 0x99, 0xff) | 0x1000000, blue.color)
      assert.is_true(mock.markers[4].isrgn); assert.are.equal(30.0, mock.markers[4].rgnend)
      assert.are.same({ "daw-bridge: replace_markers" }, mock.undo.points)
      assert.are.equal(0, mock.undo.depth)
    end)

    it("a user's marker named like ours is never touched, and one of ours the user renamed still goes", function()
      R.AddProjectMarker2(0, false, 3.0, 0, "[daw-bridge] user's own note", -1, 0)
      ok("replace_markers", { markers = { { time_s = 4.0, name = "drier" }, { time_s = 6.0, name = "wider" } } })
      mock.markers[2].name = "my chorus (was drier)" -- the user renames one of ours in REAPER
      mock.markers[2].number = 42                      -- and renumbers it
      ok("replace_markers", { markers = { { time_s = 5.0, name = "brighter" } } })
      assert.are.same({ "[daw-bridge] user's own note", "[daw-bridge] brighter" }, names())
      assert.are.same({ deleted = 1 }, ok("clear_markers"))
      assert.are.same({ "[daw-bridge] user's own note" }, names())
    end)

    it("records the GUIDs it wrote in the project, and get_state says which markers are ours", function()
      R.AddProjectMarker2(0, false, 1.0, 0, "[daw-bridge] user", -1, 0)
      ok("replace_markers", { markers = { { time_s = 2.0, name = "ours" } } })
      local record = json.decode(mock.proj_ext.daw_bridge.our_markers)
      assert.are.same({ { guid = mock.markers[2].guid, number = json.null, region = false } }, record)
      local listed = ok("get_state", { keys = { "markers" } }).markers
      assert.are.same({ false, true }, { listed[1].ours, listed[2].ours })
      assert.are.equal(mock.markers[2].guid, listed[2].id)
    end)

    it("keeps the GUIDs an undo may bring back, and deletes those markers on the next replace", function()
      ok("replace_markers", { markers = { { time_s = 2.0, name = "first" } } })
      local first = mock.markers[1]
      ok("replace_markers", { markers = { { time_s = 3.0, name = "second" } } })
      table.insert(mock.markers, 1, first) -- the user undoes the marker removal, not the record
      ok("replace_markers", { markers = { { time_s = 4.0, name = "third" } } })
      assert.are.same({ "[daw-bridge] third" }, names())
    end)

    it("before REAPER 7.62 (no marker GUIDs) knows ours by region-ness and number", function()
      mock.without_marker_guids()
      R.AddProjectMarker2(0, false, 1.0, 0, "[daw-bridge] user", -1, 0) -- marker 1
      R.AddProjectMarker2(0, true, 1.0, 2.0, "user region", -1, 0)      -- region 1
      ok("replace_markers", { markers = { { time_s = 4.0, name = "drier" }, { time_s = 5.0, end_s = 6.0, name = "r" } } })
      assert.are.same({ { number = 2, region = false }, { number = 2, region = true } },
        (function()
          local out = {}
          for _, e in ipairs(json.decode(mock.proj_ext.daw_bridge.our_markers)) do
            out[#out + 1] = { number = e.number, region = e.region }
          end
          return out
        end)())
      mock.markers[3].name = "renamed by the user"
      assert.are.same({ deleted = 2 }, ok("clear_markers"))
      assert.are.same({ "[daw-bridge] user", "user region" }, names())
      assert.is_nil(mock.proj_ext.daw_bridge.our_markers)
      assert.are.equal(0, mock.called("AddRegionOrMarker"))
    end)

    for _, platform in ipairs({ "7.22/linux-x86_64", "7.22/win64", "7.22/macOS-arm64" }) do
      it("writes and reads marker colours in the native byte order of " .. platform, function()
        mock.app_version = platform
        ok("replace_markers", { markers = { { time_s = 1.0, name = "hot", color = "#ff8000" } } })
        local native = mock.markers[1].color & 0xFFFFFF
        local windows = platform:find("win", 1, true) ~= nil
        assert.are.equal(windows and 0x0080ff or 0xff8000, native)
        assert.are.equal("#ff8000", ok("get_state", { keys = { "markers" } }).markers[1].color)
      end)
    end

    it("get_state reports markers with colours as #rrggbb", function()
      R.AddProjectMarker2(0, false, 1.5, 0, "plain", -1, 0)
      R.AddProjectMarker2(0, true, 2.0, 4.0, "[daw-bridge] r", -1, R.ColorToNative(255, 128, 0) | 0x1000000)
      local result = ok("get_state", { keys = { "markers" } })
      assert.are.same({
        { number = 1, time_s = 1.5, end_s = json.null, name = "plain", color = json.null, ours = false,
          id = mock.markers[1].guid },
        { number = 1, time_s = 2.0, end_s = 4.0, name = "[daw-bridge] r", color = "#ff8000", ours = false,
          id = mock.markers[2].guid },
      }, result.markers)
    end)

    it("clear_markers removes only ours", function()
      ok("replace_markers", { markers = { { time_s = 1.0, name = "a" } } })
      R.AddProjectMarker2(0, false, 2, 0, "mine", -1, 0)
      assert.are.same({ deleted = 1 }, ok("clear_markers"))
      assert.are.equal(1, #mock.markers); assert.are.equal("mine", mock.markers[1].name)
    end)

    it("a bad marker list changes nothing", function()
      ok("replace_markers", { markers = { { time_s = 1.0, name = "keep me" } } })
      local msg = refused("bad_args", "replace_markers", { markers = { { time_s = 1, name = "ok" },
                                                                        { time_s = -2, name = "bad" } } })
      assert.truthy(msg:find("args.markers[2].time_s", 1, true), msg)
      assert.are.equal(1, #mock.markers)
      assert.are.equal(0, mock.called("DeleteProjectMarkerByIndex"))
      refused("bad_args", "replace_markers", { markers = { { time_s = 1, name = "x", color = "blue" } } })
      refused("bad_args", "replace_markers", { markers = { { time_s = 5, end_s = 4, name = "x" } } })
      refused("bad_args", "replace_markers", { markers = "no" })
    end)
  end)

  describe("get_state", function()
    it("reports every key", function()
      mock.loop = { 10.0, 20.0 }
      R.TrackFX_AddByName(R.GetMasterTrack(0), "JS: daw-bridge/crossfeed", true, -1)
      local r = ok("get_state", { keys = { "sample_rate", "length_s", "project_path", "monitor_fx", "time_selection" } })
      assert.are.equal(48000, r.sample_rate); assert.are.equal(120.0, r.length_s)
      assert.are.equal("/home/u/song.rpp", r.project_path)
      assert.are.same({ { index = 1, name = "JS: daw-bridge/crossfeed", enabled = true } }, r.monitor_fx)
      assert.are.same({ start_s = 10.0, end_s = 20.0 }, r.time_selection)
    end)

    it("reports the safety ceiling's gain-reduction meter with its entry", function()
      local master = R.GetMasterTrack(0)
      R.TrackFX_AddByName(master, "JS: daw-bridge/crossfeed", true, -1)
      local idx = R.TrackFX_AddByName(master, "JS: daw-bridge/ceiling", true, -1)
      R.TrackFX_SetParam(master, idx, 1, 3.5) -- the JSFX writes its meter slider (reduction_db)
      local r = ok("get_state", { keys = { "monitor_fx" } })
      assert.are.same({ { index = 1, name = "JS: daw-bridge/crossfeed", enabled = true },
                        { index = 2, name = "JS: daw-bridge/ceiling", enabled = true, reduction_db = 3.5 } },
                      r.monitor_fx)
    end)

    it("refuses unknown keys", function()
      local msg = refused("bad_args", "get_state", { keys = { "sample_rate", "password" } })
      assert.truthy(msg:find("password"))
    end)
  end)

  describe("render", function()
    it("renders to the bounce folder with format, rate and bounds, reports the file and restores settings", function()
      R.GetSetProjectInfo_String(0, "RENDER_FILE", "/user/renders", true)
      R.GetSetProjectInfo(0, "RENDER_BOUNDSFLAG", 2, true)
      local result = ok("render", { directory = cfg.bounce_dir, file_name = "mix-003.wav", sample_rate = 44100,
                                    channels = 2, bit_depth = 16, start_s = 10.0, end_s = 41.5 })
      assert.are.same({ files = { cfg.bounce_dir .. "/mix-003.wav" }, duration_s = 31.5 }, result)
      assert.is_true(H.exists(cfg.bounce_dir .. "/mix-003.wav"))
      local used = mock.last_render
      assert.are.equal(cfg.bounce_dir, used.RENDER_FILE); assert.are.equal("mix-003", used.RENDER_PATTERN)
      assert.are.equal(44100, used.RENDER_SRATE); assert.are.equal(2, used.RENDER_CHANNELS)
      assert.are.equal(0, used.RENDER_BOUNDSFLAG); assert.are.equal(10.0, used.RENDER_STARTPOS)
      assert.are.equal(41.5, used.RENDER_ENDPOS); assert.are.equal(0, used.RENDER_SETTINGS)
      assert.are.equal("ZXZhdxAAAA==", used.RENDER_FORMAT) -- "evaw", 16, 0, 0
      assert.are.equal("/user/renders", mock.project_info.RENDER_FILE, "the user's render settings come back")
      assert.are.equal(2, mock.project_info.RENDER_BOUNDSFLAG)
      assert.are.same({ "daw-bridge: render" }, mock.undo.points)
    end)

    it("reports the targets REAPER lists (';'-separated) and writes no secondary-format file of the user's", function()
      R.GetSetProjectInfo_String(0, "RENDER_FORMAT2", "bDNwbQ==", true) -- the user renders an mp3 alongside
      local result = ok("render", { directory = cfg.bounce_dir, file_name = "mix-004.wav" })
      assert.are.same({ cfg.bounce_dir .. "/mix-004.wav" }, result.files)
      assert.is_nil(H.read(cfg.bounce_dir .. "/mix-004.mp3"))
      assert.are.equal("", mock.last_render.RENDER_FORMAT2)
      assert.are.equal("bDNwbQ==", mock.project_info.RENDER_FORMAT2, "the user's secondary format comes back")
    end)

    it("renders the whole project when no bounds are given", function()
      local result = ok("render", { directory = cfg.bounce_dir, file_name = "all.wav" })
      assert.are.equal(120.0, result.duration_s)
      assert.are.equal(1, mock.last_render.RENDER_BOUNDSFLAG)
      assert.are.equal("ZXZhdxgAAA==", mock.last_render.RENDER_FORMAT)
    end)

    it("refuses paths outside the configured folders, even through ..", function()
      for _, dir in ipairs({ "/tmp", cfg.bounce_dir .. "/../elsewhere", "relative/dir", cfg.root }) do
        refused("path_refused", "render", { directory = dir, file_name = "x.wav" })
      end
      assert.are.equal(0, mock.called("Main_OnCommand"))
    end)

    it("never overwrites an existing file and reports a render that wrote nothing", function()
      H.write(cfg.bounce_dir .. "/taken.wav", "old")
      refused("exists", "render", { directory = cfg.bounce_dir, file_name = "taken.wav" })
      assert.are.equal("old", H.read(cfg.bounce_dir .. "/taken.wav"))
      mock.render_writes = false
      refused("render_failed", "render", { directory = cfg.bounce_dir, file_name = "none.wav" })
    end)

    it("refuses bad file names and formats", function()
      refused("bad_args", "render", { directory = cfg.bounce_dir, file_name = "../x.wav" })
      refused("bad_args", "render", { directory = cfg.bounce_dir, file_name = "x.mp3" })
      refused("bad_args", "render", { directory = cfg.bounce_dir, file_name = "x.wav", bit_depth = 12 })
      refused("bad_args", "render", { directory = cfg.bounce_dir, file_name = "x.wav", start_s = 3 })
    end)
  end)

  describe("set_monitor_chain", function()
    local master
    before_each(function() master = R.GetMasterTrack(0) end)

    it("adds our effects to the monitoring chain in order and sets parameters by slider name", function()
      local eq_params = { preamp_db = -6.1, band1_type = 1, band1_freq = 105 }
      local result = ok("set_monitor_chain", { chain = {
        { kind = "correction", enabled = true, params = eq_params, labels = H.labels("correction", eq_params) },
        { kind = "crossfeed", enabled = false, params = { feed_db = 9.5 },
          labels = H.labels("crossfeed", { feed_db = true }) },
      } })
      assert.are.same({ { index = 1, name = "JS: daw-bridge/correction", enabled = true },
                        { index = 2, name = "JS: daw-bridge/crossfeed", enabled = false } }, result.fx)
      local eq = master.rec_fx[1].params
      assert.are.equal(-6.1, eq[1].value); assert.are.equal(1, eq[2].value); assert.are.equal(105, eq[3].value)
      assert.are.equal(9.5, master.rec_fx[2].params[2].value)
      for _, c in ipairs(mock.calls_named("TrackFX_SetParam")) do
        assert.is_true(c.args[2] >= 0x1000000, "monitoring FX are addressed as 0x1000000 + index")
      end
      for _, c in ipairs(mock.calls_named("TrackFX_AddByName")) do
        assert.are.equal(master, c.args[1]); assert.is_true(c.args[3])
      end
    end)

    it("switches an effect off by its sliders, writing REAPER's bypass only when it changes", function()
      local on = { on = "on", feed_db = 9.5 }
      ok("set_monitor_chain", { chain = { { kind = "crossfeed", enabled = true, params = on,
                                            labels = H.labels("crossfeed", on) } } })
      local off = { on = "off" }
      ok("set_monitor_chain", { chain = { { kind = "crossfeed", enabled = true, params = off,
                                            labels = H.labels("crossfeed", off) } } })
      assert.are.equal(0, mock.called("TrackFX_SetEnabled"), "an enabled effect is left enabled: no bypass write")
      local flag
      for _, p in ipairs(master.rec_fx[1].params) do if p.name == H.SLIDER_LABELS.crossfeed.on then flag = p end end
      assert.are.equal(0, flag.value)
      assert.is_true(master.rec_fx[1].enabled)
      master.rec_fx[1].enabled = false -- bypassed by hand: the next apply enables it again
      ok("set_monitor_chain", { chain = { { kind = "crossfeed", enabled = true, params = off,
                                            labels = H.labels("crossfeed", off) } } })
      assert.are.equal(1, mock.called("TrackFX_SetEnabled")); assert.is_true(master.rec_fx[1].enabled)
    end)

    it("reuses present effects, reorders them and leaves other monitoring FX alone", function()
      R.TrackFX_AddByName(master, "JS: daw-bridge/crossfeed", true, -1)
      R.TrackFX_AddByName(master, "JS: ReaEQ-like user effect", true, -1)
      R.TrackFX_AddByName(master, "JS: daw-bridge/correction", true, -1)
      ok("set_monitor_chain", { chain = { { kind = "correction", params = { band1_type = "highshelf" },
                                            labels = H.labels("correction", { band1_type = true }) },
                                          { kind = "crossfeed" } } })
      local names = {}
      for i, fx in ipairs(master.rec_fx) do names[i] = fx.name end
      assert.are.same({ "JS: daw-bridge/correction", "JS: daw-bridge/crossfeed", "JS: ReaEQ-like user effect" }, names)
      assert.are.equal(3, master.rec_fx[1].params[2].value, "enum slider set by its choice name")
    end)

    it("an unknown slider name fails and removes the effects it added", function()
      R.TrackFX_AddByName(master, "JS: daw-bridge/crossfeed", true, -1)
      local msg = refused("bad_args", "set_monitor_chain", { chain = {
        { kind = "crossfeed", params = { feed_db = 12 }, labels = H.labels("crossfeed", { feed_db = true }) },
        { kind = "correction", params = { no_such_slider = 1 } },
      } })
      assert.truthy(msg:find("no_such_slider"))
      assert.are.equal(1, #master.rec_fx)
      assert.are.equal(4.5, master.rec_fx[1].params[2].value, "no parameter changed")
    end)

    it("finds sliders by the description REAPER reports, not by their variable names", function()
      -- TrackFX_GetParamName gives "Preamp (dB)" for slider1:preamp_db=...: without labels nothing matches
      local msg = refused("bad_args", "set_monitor_chain", { chain = {
        { kind = "correction", params = { preamp_db = -3 } } } })
      assert.truthy(msg:find("preamp_db"))
      refused("bad_args", "set_monitor_chain", { chain = {
        { kind = "correction", params = { preamp_db = -3 }, labels = { preamp_db = 7 } } } })
      ok("set_monitor_chain", { chain = {
        { kind = "correction", params = { preamp_db = -3 }, labels = { preamp_db = "PREAMP (dB)" } } } })
      assert.are.equal("Preamp (dB)", master.rec_fx[1].params[1].name)
      assert.are.equal(-3, master.rec_fx[1].params[1].value)
    end)

    it("reports an effect that is not installed", function()
      local msg = refused("fx_missing", "set_monitor_chain", { chain = { { kind = "nonexistent" } } })
      assert.truthy(msg:find("daw%-bridge reaper install"))
    end)

    it("refuses malformed chains", function()
      refused("bad_args", "set_monitor_chain", { chain = { { kind = "Bad Kind" } } })
      refused("bad_args", "set_monitor_chain", { chain = { { kind = "crossfeed" }, { kind = "crossfeed" } } })
      refused("bad_args", "set_monitor_chain", { chain = { { kind = "crossfeed", params = { feed_db = {} } } } })
      refused("bad_args", "set_monitor_chain", { chain = { { kind = "crossfeed", enabled = "yes" } } })
    end)
  end)

  describe("insert_media", function()
    it("creates the named track and inserts the file at the position, restoring the edit cursor", function()
      mock.add_track("MIX")
      mock.cursor_s = 3.0
      local path = cfg.bridge_dir .. "/ref.wav"
      H.write(path, "RIFF")
      assert.are.same({ track = 2 }, ok("insert_media", { track_name = "REF 1", path = path, position_s = 1.0 }))
      local ref = mock.track("REF 1")
      assert.are.same({ { path = path, pos = 1.0 } }, ref.items)
      assert.are.equal(3.0, mock.cursor_s)
      assert.are.same({}, mock.track("MIX").items)
      assert.are.same({ track = 2 }, ok("insert_media", { track_name = "REF 1", path = path }))
      assert.are.equal(2, #mock.tracks, "an existing track is reused")
    end)

    it("lands on the named track even when the user last touched another one", function()
      local mix = mock.add_track("MIX")
      local ref = mock.add_track("REF 1")
      mock.last_touched = mix -- the user clicked the mix track last; selecting REF 1 does not change that
      local path = cfg.bridge_dir .. "/ref.wav"
      H.write(path, "RIFF")
      assert.are.same({ track = 2 }, ok("insert_media", { track_name = "REF 1", path = path }))
      assert.are.same({ { path = path, pos = 0.0 } }, ref.items)
      assert.are.same({}, mix.items)
      assert.are.equal(ref, mock.last_touched)
    end)

    it("refuses files outside the folders and missing files", function()
      refused("path_refused", "insert_media", { track_name = "REF 1", path = "/etc/passwd" })
      refused("not_found", "insert_media", { track_name = "REF 1", path = cfg.bounce_dir .. "/missing.wav" })
      assert.are.equal(0, mock.called("InsertMedia"))
    end)
  end)

  describe("align_item", function()
    it("moves the item right for a positive offset and trims its start for a negative one", function()
      local ref = mock.add_track("REF 1")
      ref.items[1] = { path = "/x/ref.wav", pos = 0.0, length = 30.0 }
      assert.are.same({ track = 1, offset_s = 0.25 }, ok("align_item", { track_name = "REF 1", offset_s = 0.25 }))
      assert.are.same({ path = "/x/ref.wav", pos = 0.25, length = 30.0, startoffs = 0.0 }, ref.items[1])
      ok("align_item", { track_name = "REF 1", offset_s = -1.5 })
      assert.are.same({ path = "/x/ref.wav", pos = 0.0, length = 28.5, startoffs = 1.5 }, ref.items[1])
      ok("align_item", { track_name = "REF 1", offset_s = 0.0 })
      assert.are.same({ path = "/x/ref.wav", pos = 0.0, length = 30.0, startoffs = 0.0 }, ref.items[1])
    end)

    it("refuses unknown tracks, empty tracks and bad offsets without changing anything", function()
      mock.add_track("EMPTY")
      refused("not_found", "align_item", { track_name = "NOPE", offset_s = 1.0 })
      refused("not_found", "align_item", { track_name = "EMPTY", offset_s = 1.0 })
      refused("bad_args", "align_item", { track_name = "EMPTY", offset_s = "1" })
      refused("bad_args", "align_item", { track_name = "EMPTY", offset_s = 1e6 })
      assert.are.equal(0, mock.called("SetMediaItemInfo_Value"))
    end)
  end)

  describe("project state", function()
    it("stores and reads values under the daw_bridge section", function()
      assert.are.same({ value = json.null }, ok("get_project_state", { key = "match_gains" }))
      ok("set_project_state", { key = "match_gains", value = '{"REF 1": -3.2}' })
      assert.are.equal('{"REF 1": -3.2}', mock.proj_ext.daw_bridge.match_gains)
      assert.are.same({ value = '{"REF 1": -3.2}' }, ok("get_project_state", { key = "match_gains" }))
      refused("bad_args", "set_project_state", { key = "../x", value = "v" })
      refused("bad_args", "set_project_state", { key = "k", value = 3 })
    end)
  end)

  describe("bad requests", function()
    it("answers bad JSON, wrong protocol, unknown ops, bad args and stale requests with error codes", function()
      local id = "badjson00001"
      H.write(cfg.bridge_dir .. "/requests/" .. id .. ".json", "{not json")
      run()
      assert.are.equal("bad_json", H.response(cfg, id).error.code)
      refused("protocol", "ping", nil, { protocol = 2 })
      refused("unknown_op", "os.execute", { cmd = "rm -rf /" })
      refused("unknown_op", "names")
      refused("unknown_op", "__index")
      refused("bad_args", "ping", json.array())
      refused("bad_args", "ping", nil, { args = "x" })
      refused("bad_args", "ping", { extra = 1 })
      refused("stale", "clear_markers", nil, { expires = NOW - 1 })
      refused("bad_request", "ping", nil, { id = "someotherid1" })
      assert.are.equal(0, #mock.undo.points, "nothing was executed")
    end)

    it("answers non-object JSON and oversized requests", function()
      H.write(cfg.bridge_dir .. "/requests/arrayreq01.json", "[1,2]")
      H.write(cfg.bridge_dir .. "/requests/hugereq0001.json", '{"pad":"' .. string.rep("x", 1024 * 1024) .. '"}')
      run()
      assert.are.equal("bad_request", H.response(cfg, "arrayreq01").error.code)
      assert.are.equal("too_large", H.response(cfg, "hugereq0001").error.code)
    end)

    it("ignores temporary files and removes files whose name is not an id", function()
      H.write(cfg.bridge_dir .. "/requests/abcdefgh.tmp-1234", "{")
      H.write(cfg.bridge_dir .. "/requests/bad name!.json", "{}")
      local summary = run()
      assert.are.equal(1, summary.ignored)
      assert.is_true(H.exists(cfg.bridge_dir .. "/requests/abcdefgh.tmp-1234"))
      assert.is_false(H.exists(cfg.bridge_dir .. "/requests/bad name!.json"))
    end)

    it("never executes an id twice and never overwrites a response", function()
      local id = H.request(cfg, "clear_markers")
      local text = H.read(cfg.bridge_dir .. "/requests/" .. id .. ".json")
      run()
      assert.is_true(H.response(cfg, id).ok)
      H.write(cfg.bridge_dir .. "/requests/" .. id .. ".json", text)
      run()
      assert.is_true(H.response(cfg, id).ok, "the first response is kept")
      os.remove(cfg.bridge_dir .. "/responses/" .. id .. ".json")
      H.write(cfg.bridge_dir .. "/requests/" .. id .. ".json", text)
      run()
      assert.are.equal("duplicate", H.response(cfg, id).error.code)
      assert.are.equal(1, #mock.undo.points)
    end)

    it("processes pending requests oldest first", function()
      local late = H.request(cfg, "set_project_state", { key = "k", value = "late" }, { created = 50.0 })
      local early = H.request(cfg, "set_project_state", { key = "k", value = "early" }, { created = 10.0 })
      run()
      assert.is_true(H.response(cfg, late).ok and H.response(cfg, early).ok)
      assert.are.equal("late", mock.proj_ext.daw_bridge.k)
    end)

    it("turns an error inside REAPER into an 'internal' response, not a crash", function()
      local master = R.GetMasterTrack(0)
      master.rec_fx = nil -- the next TrackFX_GetRecCount raises
      local msg = refused("internal", "get_state", { keys = { "monitor_fx" } })
      assert.truthy(msg:find("internal error"))
    end)
  end)
end)

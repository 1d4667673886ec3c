-- The shortcut scripts themselves, run as REAPER runs them (a global `reaper`, dofile of the file).
local H = require("helpers")
local json = require("lib.json")
local lfs = require("lfs")
local mock_reaper = require("mock_reaper")

local events_in = H.events_in

describe("shortcut scripts", function()
  local cfg, mock, resource

  local function run(title) H.run_script(mock, title) end
  local function controller_running() H.controller_running(cfg) end

  local function store_ab(state)
    mock.proj_ext.daw_bridge = mock.proj_ext.daw_bridge or {}
    mock.proj_ext.daw_bridge.ab_state = json.encode(state)
  end

  before_each(function()
    cfg = H.mailbox()
    resource = H.resource(cfg)
    mock = mock_reaper.new({ fx_catalog = H.FX_CATALOG, resource_path = resource })
    mock.add_track("MIX"); mock.add_track("REF 1", { mute = 1 }); mock.add_track("REF 2", { mute = 1 })
    store_ab({ mix = "MIX", references = { "REF 1", "REF 2" }, gains_db = { ["REF 1"] = -3.2, ["REF 2"] = 1.4 },
               current = "mix", mode = "loudness" })
  end)
  after_each(function() H.rmtree(cfg.root) end)

  local function audible()
    local out = {}
    for _, t in ipairs(mock.tracks) do if t.mute == 0 then out[#out + 1] = t.name end end
    return out
  end

  describe("A/B toggle", function()
    local function assert_one_step_switch()
      local first, last, vol_at
      for i, c in ipairs(mock.calls) do
        if c.name == "SetMediaTrackInfo_Value" and c.args[2] == "B_MUTE" then
          first = first or i; last = i
          assert.is_true(c.ui_freeze > 0, "mutes are written with UI refresh held")
        elseif c.name == "SetMediaTrackInfo_Value" and c.args[2] == "D_VOL" then
          vol_at = i
        end
      end
      assert.is_truthy(first)
      for i = first, last do
        local c = mock.calls[i]
        assert.are.same({ "SetMediaTrackInfo_Value", "B_MUTE" }, { c.name, c.args[2] },
          "nothing runs between the first and the last mute write")
      end
      if vol_at then assert.is_true(vol_at < first, "the matched gain is set before the switch") end
      assert.are.equal(3, last - first + 1, "mix and both references written in one pass")
    end

    it("switches to the reference level-matched without the controller, and back", function()
      run("Toggle mix and reference (A-B)")
      assert.are.same({ "REF 1" }, audible())
      assert.are.near(10 ^ (-3.2 / 20), mock.track("REF 1").vol, 1e-12)
      assert_one_step_switch()
      assert.are.equal(1, mock.toggles["0:55001"]); assert.are.same({ "0:55001" }, mock.refreshed_toolbars)
      assert.are.same({}, mock.messages, "no controller needed, so no message")
      assert.are.same({}, events_in(cfg), "no controller: nothing written")
      assert.are.same({}, mock.undo.points); assert.are.equal(1, mock.deferred)
      assert.are.equal("REF 1", json.decode(mock.proj_ext.daw_bridge.ab_state).current)

      mock.calls = {}
      run("Toggle mix and reference (A-B)")
      assert.are.same({ "MIX" }, audible())
      assert_one_step_switch()
      assert.are.equal(0, mock.toggles["0:55001"])
    end)

    it("switches the same way with the controller running, and tells it", function()
      controller_running()
      run("Toggle mix and reference (A-B)")
      assert.are.same({ "REF 1" }, audible())
      assert_one_step_switch()
      local evs = events_in(cfg)
      assert.are.equal(1, #evs)
      assert.are.equal("ab", evs[1].event); assert.are.equal("REF 1", evs[1].current); assert.are.equal(1, evs[1].protocol)
      assert.are.same({}, mock.messages)
    end)

    it("keeps fields it does not know in the stored state", function()
      local state = json.decode(mock.proj_ext.daw_bridge.ab_state); state.future_field = { 1, 2 }
      store_ab(state)
      run("Toggle mix and reference (A-B)")
      assert.are.same({ 1, 2 }, json.decode(mock.proj_ext.daw_bridge.ab_state).future_field)
    end)

    it("explains what to do when the project has no A/B set-up, changing nothing", function()
      mock.proj_ext.daw_bridge.ab_state = nil
      run("Toggle mix and reference (A-B)")
      assert.are.equal(1, #mock.messages)
      assert.truthy(mock.messages[1]:find("Level%-match now"))
      assert.are.equal(0, mock.called("SetMediaTrackInfo_Value"))
    end)

    it("names a missing track instead of switching half-way", function()
      mock.track("REF 2").name = "renamed"
      run("Toggle mix and reference (A-B)")
      assert.truthy(mock.messages[1]:find('"REF 2"', 1, true))
      assert.are.equal(0, mock.called("SetMediaTrackInfo_Value"))
    end)

    it("a corrupt stored state gives a message, not a script error", function()
      mock.proj_ext.daw_bridge.ab_state = "{broken"
      run("Toggle mix and reference (A-B)")
      assert.truthy(mock.messages[1]:find("not valid JSON"))
    end)
  end)

  describe("next reference", function()
    it("selects the next reference while on the mix, and switches at once while on a reference", function()
      run("Next reference")
      assert.are.same({ "MIX" }, audible())
      run("Toggle mix and reference (A-B)")
      assert.are.same({ "REF 2" }, audible())
      assert.are.near(10 ^ (1.4 / 20), mock.track("REF 2").vol, 1e-12)
      run("Next reference")
      assert.are.same({ "REF 1" }, audible(), "wraps around, switching immediately")
    end)
  end)

  describe("actions that need the controller", function()
    for _, case in ipairs({ { "Level-match now", "match" }, { "Bounce and check", "check" },
                            { "Next headphone preset", "preset_next" }, { "Next band solo", "band_next" },
                            { "Next translation simulation", "simulation_next" },
                            { "Next virtual room", "speakers_next" } }) do
      local title, event = case[1], case[2]
      it(title .. ": tells the user when the controller is not running, and writes nothing", function()
        run(title)
        assert.are.same({ "daw-bridge controller is not running: start it with `daw-bridge serve`" }, mock.messages)
        assert.are.same({}, events_in(cfg))
      end)
      it(title .. ": writes a '" .. event .. "' event for a running controller", function()
        controller_running()
        run(title)
        local evs = events_in(cfg)
        assert.are.equal(1, #evs); assert.are.equal(event, evs[1].event)
        assert.are.same({}, mock.messages)
      end)
    end

    it("treats a stale heartbeat as not running", function()
      H.write(cfg.bridge_dir .. "/controller.json", json.encode({ pid = 1, time = os.time() - 60.0 }))
      run("Bounce and check")
      assert.are.equal(1, #mock.messages); assert.are.same({}, events_in(cfg))
    end)

    it("tells the user to install when there is no config", function()
      os.remove(resource .. "/Scripts/daw-bridge/daw-bridge.config.json")
      run("Bounce and check")
      assert.truthy(mock.messages[1]:find("daw%-bridge reaper install"))
    end)
  end)

  describe("local monitoring actions", function()
    -- Switching on or off is the effects' own crossfade (their sliders), never REAPER's bypass, which is abrupt.
    local function slider(fx, label)
      for _, p in ipairs(fx.params) do if p.name == label then return p.value end end
      error("no slider " .. label)
    end
    local ON = "Crossfeed on, off = pass-through"

    it("crossfeed on-off adds the effect (a pass-through at its defaults), then switches its on slider", function()
      run("Crossfeed on-off")
      local master = mock.master
      assert.are.equal("JS: daw-bridge/crossfeed", master.rec_fx[1].name)
      assert.are.equal(1, slider(master.rec_fx[1], ON)); assert.are.equal(1, mock.toggles["0:55001"])
      run("Crossfeed on-off")
      assert.are.equal(0, slider(master.rec_fx[1], ON)); assert.are.equal(0, mock.toggles["0:55001"])
      assert.is_true(master.rec_fx[1].enabled, "still enabled: off is its pass-through state")
      run("Crossfeed on-off")
      assert.are.equal(1, slider(master.rec_fx[1], ON))
      assert.are.equal(0, mock.called("TrackFX_SetEnabled"), "REAPER's bypass is never touched")
      assert.are.equal(1, #master.rec_fx)
    end)

    it("crossfeed on-off re-enables an effect the user bypassed by hand, switched on by its slider", function()
      run("Crossfeed on-off"); run("Crossfeed on-off")
      mock.master.rec_fx[1].enabled = false -- the user's bypass
      run("Crossfeed on-off")
      assert.is_true(mock.master.rec_fx[1].enabled); assert.are.equal(1, slider(mock.master.rec_fx[1], ON))
    end)

    it("band solo off and simulation off set the effects' pass-through sliders, quietly when absent", function()
      run("Band solo off")
      assert.are.same({}, mock.messages); assert.are.equal(0, #mock.master.rec_fx)
      local R = mock.api
      local master = R.GetMasterTrack(0)
      R.TrackFX_AddByName(master, "JS: daw-bridge/bandsolo", true, -1)
      R.TrackFX_AddByName(master, "JS: daw-bridge/simulation", true, -1)
      local band, sim = mock.master.rec_fx[1], mock.master.rec_fx[2]
      -- a sub solo and a phone simulation, as the controller set them
      for _, p in ipairs(band.params) do
        if p.name:find("^Band high edge") then p.value = 60 elseif p.name:find("^Output gain") then p.value = 9 end
      end
      for _, p in ipairs(sim.params) do
        if p.name:find("^Stereo width") then p.value = 0
        elseif p.name:find("^Band %d type") then p.value = 2 elseif p.name:find("^Output gain") then p.value = -4 end
      end
      run("Band solo off"); run("Translation simulation off")
      assert.are.same({}, mock.messages)
      assert.is_true(band.enabled); assert.is_true(sim.enabled)
      assert.are.equal(0, mock.called("TrackFX_SetEnabled"), "REAPER's bypass is never touched")
      assert.are.equal(0, slider(band, "Band low edge, 0 = none (Hz)"))
      assert.are.equal(0, slider(band, "Band high edge, 0 = none (Hz)"))
      assert.are.equal(0, slider(band, "Output gain (loudness compensation) (dB)"))
      assert.are.equal(1, slider(sim, "Stereo width, 0 = mono sum (ratio)"))
      assert.are.equal(0, slider(sim, "Output gain (loudness compensation) (dB)"))
      for i = 1, 8 do assert.are.equal(0, slider(sim, "Band " .. i .. " type")) end
    end)
  end)

  describe("clear markers", function()
    it("deletes only our markers (known by ID, not by name) in one undo point", function()
      local R = mock.api
      local tracks = require("lib.tracks")
      local owned = {}
      tracks.add_ours(R, owned, false, 1, 0, "renamed by the user", 0)
      tracks.save_owned(R, owned)
      R.AddProjectMarker2(0, false, 2, 0, "user", -1, 0)
      R.AddProjectMarker2(0, false, 3, 0, "[daw-bridge] user", -1, 0)
      mock.calls = {}
      run("Clear markers")
      assert.are.equal(2, #mock.markers); assert.are.equal("user", mock.markers[1].name)
      assert.are.same({ "daw-bridge: clear markers" }, mock.undo.points)
    end)
  end)

  describe("the bridge action", function()
    it("answers pending requests using the installed config", function()
      H.request(cfg, "ping")
      run("Bridge")
      local names = {}
      for name in lfs.dir(cfg.bridge_dir .. "/responses") do if name:match("%.json$") then names[#names + 1] = name end end
      assert.are.equal(1, #names)
      assert.are.same({}, mock.console)
    end)

    it("logs to the console, without a dialog, when it is not configured", function()
      os.remove(resource .. "/Scripts/daw-bridge/daw-bridge.config.json")
      run("Bridge")
      assert.truthy(mock.console[1]:find("daw%-bridge reaper install"))
      assert.are.same({}, mock.messages)
    end)
  end)
end)

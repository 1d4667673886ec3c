-- The journal shortcuts run as REAPER runs them: form -> tagged marker -> journal_note event; next checklist step.
local H = require("helpers")
local json = require("lib.json")
local mock_reaper = require("mock_reaper")

local events_in = H.events_in

describe("journal shortcuts", function()
  local cfg, mock, resource

  local function run(title) H.run_script(mock, title) end
  local function controller_running() H.controller_running(cfg) end

  before_each(function()
    cfg = H.mailbox()
    resource = H.resource(cfg)
    mock = mock_reaper.new({ fx_catalog = H.FX_CATALOG, resource_path = resource })
    mock.cursor_s = 12.5
  end)
  after_each(function() H.rmtree(cfg.root) end)

  describe("note at playhead", function()
    it("turns the form into a tagged, coloured marker and a journal_note event", function()
      controller_running()
      mock.user_inputs = { { "bass", "more", "3", "kick boomy, bass line fine" } }
      run("Journal note at playhead")
      assert.are.equal(1, #mock.forms)
      assert.are.equal(4, mock.forms[1].num)
      assert.is_truthy(mock.forms[1].captions:find("separator=\n", 1, true), "values come back newline-separated")
      assert.are.equal(1, #mock.markers)
      local m = mock.markers[1]
      assert.are.equal(12.5, m.pos)
      assert.are.equal("[daw-bridge journal] bass more (3): kick boomy, bass line fine", m.name)
      assert.are.equal(mock.api.ColorToNative(230, 126, 34) | 0x1000000, m.color)
      assert.are.same({ "daw-bridge: journal note" }, mock.undo.points)
      local evs = events_in(cfg)
      assert.are.equal(1, #evs)
      local e = evs[1]
      assert.are.same({ "journal_note", "bass", "more", 3, "kick boomy, bass line fine", 12.5, m.number },
        { e.event, e.aspect, e.direction, e.strength, e.text, e.position_s, e.marker })
      assert.are.same({}, mock.messages)
    end)

    it("takes the audible play position while playing", function()
      controller_running()
      mock.play_state = 1; mock.play_position_s = 73.25
      mock.user_inputs = { { "highs", "less", "1", "" } }
      run("Journal note at playhead")
      assert.are.equal(73.25, mock.markers[1].pos)
      assert.are.equal("[daw-bridge journal] highs less (1)", mock.markers[1].name)
      assert.are.equal(73.25, events_in(cfg)[1].position_s)
    end)

    it("shows the form again, values kept, until they check; nothing is written for the bad try", function()
      controller_running()
      mock.user_inputs = { { "bass", "louder-ish", "2", "x" }, { "bass", "as expected", "2", "x" } }
      run("Journal note at playhead")
      assert.are.equal(2, #mock.forms)
      assert.is_truthy(mock.messages[1]:find("Direction must be", 1, true))
      assert.are.equal("bass\nlouder-ish\n2\nx", mock.forms[2].defaults)
      assert.are.equal(1, #mock.markers)
      assert.are.equal(1, #events_in(cfg))
      assert.are.equal("as expected", events_in(cfg)[1].direction)
    end)

    it("rejects an unknown aspect and a strength out of 1-3", function()
      controller_running()
      mock.user_inputs = { { "vibe", "more", "2", "" }, { "bass", "more", "5", "" } }
      run("Journal note at playhead")
      assert.is_truthy(mock.messages[1]:find("not one of", 1, true))
      assert.is_truthy(mock.messages[2]:find("Strength must be", 1, true))
      assert.are.equal(0, #mock.markers)
      assert.are.equal(0, #events_in(cfg))
    end)

    it("does nothing when the form is cancelled", function()
      controller_running()
      mock.user_inputs = { false }
      run("Journal note at playhead")
      assert.are.equal(0, #mock.markers)
      assert.are.equal(0, #events_in(cfg))
      assert.are.same({}, mock.messages)
    end)

    it("keeps the note in the mailbox when the controller is not running, and says so", function()
      mock.user_inputs = { { "mids", "more", "2", "vocal up front" } }
      run("Journal note at playhead")
      assert.are.equal(1, #events_in(cfg))
      assert.are.equal(1, #mock.markers)
      assert.is_truthy(mock.messages[1]:find("waits in the mailbox", 1, true))
    end)

    it("pre-fills the aspect from the checklist step on show and notes its band", function()
      controller_running()
      mock.proj_ext.daw_bridge = { journal_step = json.encode({ key = "band:low-highs", aspect = "highs",
        band = "low-highs", prompt = "low-highs band soloed", number = 13, total = 14 }) }
      mock.user_inputs = { { "", "more", "2", "sibilant" } }
      run("Journal note at playhead")
      assert.are.equal("highs\n\n2\n", mock.forms[1].defaults)
      assert.is_truthy(mock.forms[1].title:find("step 13/14", 1, true))
      assert.are.equal("[daw-bridge journal] low-highs band more (2): sibilant", mock.markers[1].name)
      local e = events_in(cfg)[1]
      assert.are.same({ "highs", "low-highs" }, { e.aspect, e.band })
    end)

    it("survives bounce-and-check's marker clean-up (Clear markers only removes the markers it wrote)", function()
      controller_running()
      local tracks = require("lib.tracks")
      local owned = {}
      tracks.add_ours(mock.api, owned, false, 1.0, 0, "[daw-bridge] reverb +4.1 dB", 0)
      tracks.save_owned(mock.api, owned)
      mock.user_inputs = { { "ambience", "less", "2", "" } }
      run("Journal note at playhead")
      run("Clear markers")
      assert.are.equal(1, #mock.markers)
      assert.are.equal("[daw-bridge journal] ambience less (2)", mock.markers[1].name)
    end)
  end)

  describe("next checklist step", function()
    it("asks the running controller", function()
      controller_running()
      run("Next checklist step")
      local evs = events_in(cfg)
      assert.are.equal(1, #evs)
      assert.are.equal("journal_step", evs[1].event)
    end)

    it("tells the user to start the controller when it does not run, writing nothing", function()
      run("Next checklist step")
      assert.are.equal(0, #events_in(cfg))
      assert.is_truthy(mock.messages[1]:find("daw-bridge serve", 1, true))
    end)
  end)
end)

"""``daw-bridge demo``: the whole job, end to end, on the embedded REAPER emulator over real loopback OSC.

Builds the demo session, starts the emulator, applies a headphone preset and crossfeed on the monitoring path,
level-matches the references, switches A/B, runs bounce-and-check, and shuts everything down, narrating each
step so a newcomer understands what happened from the output alone. Nothing outside ``folder`` is touched (the
monitoring state and guidance are kept in the demo folder, not the user's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from ..analysis.loudness import integrated_loudness
from ..daw import Daw, MonitorFx
from ..headphones.guidance import GuidanceStore, guidance_for
from ..monitoring import MonitoringState, apply_monitoring
from .ab import ABLoop
from .bounce import CheckResult, bounce_and_check
from .embedded import embedded_reaper
from .levels import apply_chain_offline, match_levels
from .renders import render_source

DEMO_HEADPHONES = "Sennheiser HD 650"
DEMO_CROSSFEED = "default"

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced (for tests and scripts)."""

    folder: Path
    check: CheckResult
    matched_within_lu: float
    elapsed_s: float


def _tracks_table(daw: Daw) -> list[str]:
    rows = [f"    {'#':>2}  {'track':<8} {'volume':>8} {'pan':>5}  state"]
    for t in daw.tracks():
        state = ", ".join(s for s, on in (("muted", t.mute), ("solo", t.solo)) if on) or "playing"
        rows.append(f"    {t.index:>2}  {t.name:<8} {t.volume_db:>+6.1f} dB {t.pan:>+5.2f}  {state}")
    return rows


def _audible(daw: Daw, mix: str, refs: tuple[str, ...]) -> str:
    heard = [t.name for t in daw.tracks() if t.name in (mix, *refs) and not t.mute]
    return ", ".join(heard) or "nothing"


def run_demo(folder: Path, *, say: Say = print) -> DemoResult:
    """Run the demo in ``folder`` (created); returns what it produced."""
    start = time.monotonic()
    folder = Path(folder)

    def step(n: int, title: str) -> None:
        say("")
        say(f"[{n}/6] {title}  ({time.monotonic() - start:.1f} s)")

    step(1, "Building a demo session: generated drums, bass, keys, vocal and a reverb return under a MIX folder,")
    say("      plus two finished reference mixes of the same song (REF 1, REF 2). The mix's chorus (10-20 s) was")
    say("      made on headphones: drier, narrower and duller than the references. Let's see if the tool notices.")
    with embedded_reaper(folder) as session:
        daw, cfg, server = session.daw, session.config, session.server
        assert server is not None
        step(2, "REAPER emulator started; connected over OSC exactly as to REAPER")
        say(f"      emulator listens on 127.0.0.1:{server.listen_port}, feedback to 127.0.0.1:{cfg.receive_port}, "
            f"pattern file daw-bridge.ReaperOSC; bridge mailbox {cfg.bridge_dir}")
        say("      The project as mirrored from REAPER's OSC feedback (action 41743 sync):")
        for row in _tracks_table(daw):
            say(row)

        step(3, f"Headphone correction for the {DEMO_HEADPHONES} + bs2b crossfeed on the master's MONITORING chain")
        state = MonitoringState(headphones=DEMO_HEADPHONES, crossfeed=DEMO_CROSSFEED)
        chain = apply_monitoring(daw, state)
        for fx in chain:
            if fx.enabled:
                net = float(fx.params.get("gain_db", 0.0)) + float(fx.params.get("preamp_db", 0.0))
                if fx.kind == "correction":
                    net += state.headroom_db
                say(f"      {fx.kind:<10} on  (level compensation {net:+.1f} dB: switching keeps the perceived level)")
        say(f"      plus a constant {state.headroom_db:.0f} dB monitoring headroom, so the corrected signal never "
            "clips: turn your headphone amp up once")
        monitored = [f.name for f in session.emulator.project.monitor_fx]
        say(f"      REAPER's monitoring FX now: {', '.join(monitored)}; monitoring FX never reach a render.")
        notes = guidance_for("preset_applied", DEMO_HEADPHONES, {"purpose": "mixing", "crossfeed": True},
                             store=GuidanceStore(folder / "guidance.json"))
        for note in notes:
            say(f"      note: {note}")

        step(4, "Level matching: each reference set to the mix's loudness (BS.1770), as heard through that chain")
        active = [fx for fx in chain if fx.enabled]
        match = match_levels(daw, cfg, mode="loudness", monitor_chain=active)
        say(f"      mix: {match.mix_heard_level:.1f} LUFS as heard (render {match.mix_level:.1f} LUFS)")
        for r in match.references:
            say(f"      {r.name}: {r.heard_level:.1f} LUFS as heard (render {r.level:.1f} LUFS) "
                f"-> fader {r.volume_after_db:+.1f} dB")
        ab = ABLoop(daw, cfg)
        worst = 0.0
        mix_render = render_source(daw, ab.state(), "mix", cfg.bounce_dir / "verify", "mix")
        mix_lufs = _heard_lufs(mix_render.files[0], active)
        for r in match.references:
            render = render_source(daw, ab.state(), r.name, cfg.bounce_dir / "verify", r.name.replace(" ", ""))
            worst = max(worst, abs(_heard_lufs(render.files[0], active) - mix_lufs))
        say(f"      check: re-rendered and heard through the chain, each reference is within {worst:.2f} LU of the mix")
        say("      (gains stored in the project, so REAPER's A/B shortcut stays matched without this controller)")

        step(5, "A/B loop: one OSC bundle per switch, loop on the chorus")
        ab.loop(10.0, 20.0)
        for action, switch in (("toggle", ab.toggle), ("next", ab.next_reference), ("toggle", ab.toggle)):
            result = switch()
            gain = f" at {result.gain_db:+.1f} dB" if result.gain_db is not None else ""
            say(f"      ab {action:<6} -> now hearing {result.current}{gain}   "
                f"(audible: {_audible(daw, ab.roles.mix, ab.roles.references)})")

        step(6, "Bounce-and-check: render the mix, analyze it against the references, mark the deviations")
        check = bounce_and_check(daw, cfg, monitoring=state)
        dev = check.comparison.to_dict()["deviation"]
        say(f"      bounce: {check.bounce}")
        say(f"      overall: highs {_db(dev.get('highs_db'))}, width {_db(dev.get('width_db'))}, "
            f"reverb {_db(dev.get('reverb_db'))} (mix minus references)")
        for f, tip in zip(check.comparison.findings, check.advice, strict=True):
            say(f"      finding {f.start_s:4.1f}-{f.end_s:4.1f} s  [{f.area}] {f.message}")
            say(f"        change: {tip.action}")
        ours = [m for m in daw.markers() if m.ours]
        say(f"      {len(ours)} coloured region(s) placed in REAPER: "
            + "; ".join(f"{m.color} {m.name}" for m in ours))
        say(f"      report: {check.report}")
    elapsed = time.monotonic() - start
    say("")
    say(f"Done in {elapsed:.1f} s. Emulator stopped. Open the report in a browser to see the plots.")
    return DemoResult(folder=folder, check=check, matched_within_lu=worst, elapsed_s=elapsed)


def _heard_lufs(path: Path, chain: list[MonitorFx]) -> float:
    """Integrated loudness (LUFS) of a render as heard through the monitoring ``chain``."""
    audio, rate = sf.read(str(path), always_2d=True)
    return float(integrated_loudness(apply_chain_offline(audio, rate, chain), rate))


def _db(value: object) -> str:
    return f"{value:+.1f} dB" if isinstance(value, int | float) else "n/a"

"""``daw-bridge process IN.wav OUT.wav``: run the monitoring chain on a file, block by block (any length).

``--at SECONDS KEY=VALUE`` (repeatable) changes the chain mid-stream exactly as the live chain does: the same
settle time and crossfade as the JSFX (:mod:`daw_bridge.dsp.switching`), the safety ceiling at the end. OUT is
aligned with IN (the ceiling's look-ahead delay is taken out).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click
import numpy as np

from ..dsp.ceiling import latency_frames
from ..dsp.chain import Processor
from ..dsp.switching import CeilingStage, Factory, LiveChain, Params
from ..errors import InvalidAudio, InvalidParameter
from ..monitoring import (
    SCHEDULE_KEYS,
    MonitoringState,
    ScheduledChange,
    chain,
    live_effects,
    parse_change,
    schedule_states,
    validate_state,
)
from ..speakers.rooms import room_name
from ..units import gain_to_db
from .output import echo_json, json_option, stderr_progress

#: Frames per processing block.
BLOCK_FRAMES = 32768
CEILING_OFF_WARNING = ("warning: the safety ceiling is off: nothing limits what reaches the headphones "
                       "(turn it back on with --ceiling -1)")  # fmt: skip


def process_file(src: Path, dst: Path, state: MonitoringState, *, schedule: Sequence[ScheduledChange] = (),
                 block_frames: int = BLOCK_FRAMES,
                 progress: Callable[[float, str], None] | None = None) -> dict[str, object]:  # fmt: skip
    """Process ``src`` through the chain for ``state`` into ``dst`` (stereo float WAV), applying ``schedule``
    changes at their times; returns figures. Every scheduled state is checked before anything is written."""
    import soundfile as sf  # where used: 'headphones list' (which registers this module) starts without it

    from ..audio import audio_info, iter_blocks

    validate_state(state)
    info = audio_info(src)
    if info.channels > 2:
        raise InvalidAudio(f"{src}: {info.channels} channels; the monitoring chain takes mono or stereo")
    duration_s = info.frames / info.rate
    for change in schedule:
        if change.time_s > duration_s:
            raise InvalidParameter(f"--at {change.time_s:g}: after the end of {src.name} ({duration_s:.3f} s)")
    timeline = schedule_states(state, schedule)
    effects = [(round(t * info.rate), live_effects(s, info.rate)) for t, s in timeline]
    live = LiveChain(effects[0][1], info.rate, factories=_speaker_factories(state))
    ceiling = next(s for s in live.stages if isinstance(s, CeilingStage))
    delay = latency_frames(info.rate) if ceiling.limiter is not None else 0
    if any(s.speakers for _, s in timeline):  # the convolution's partition delay (REAPER compensates it from pdc_delay)
        from ..speakers.convolve import BLOCK_FRAMES as SPEAKER_LATENCY_FRAMES

        delay += SPEAKER_LATENCY_FRAMES
    pending = effects[1:]
    peak, done, written, reduction = 0.0, 0, 0, 0.0
    try:
        with sf.SoundFile(str(dst), "w", samplerate=info.rate, channels=2, subtype="FLOAT") as out:

            def run(block: np.ndarray) -> np.ndarray:
                nonlocal done, reduction
                parts, start = [], 0
                while start < block.shape[0]:
                    while pending and pending[0][0] <= done:
                        live.apply(pending.pop(0)[1])
                    stop = block.shape[0] if not pending else min(block.shape[0], start + pending[0][0] - done)
                    parts.append(live.process(block[start:stop]))
                    if ceiling.limiter is not None:
                        reduction = max(reduction, ceiling.limiter.reduction_db)
                    done += stop - start
                    start = stop
                return np.concatenate(parts) if parts else np.zeros((0, 2))

            def write(result: np.ndarray) -> None:
                nonlocal peak, written
                skip = max(0, min(result.shape[0], delay - written))
                written += result.shape[0]
                kept = result[skip:]
                if kept.size:
                    peak = max(peak, float(np.max(np.abs(kept))))
                    out.write(kept)

            for block in iter_blocks(src, block_frames):
                write(run(block))
                if progress is not None:
                    progress(done / max(info.frames, 1), src.name)
            if delay:
                write(run(np.zeros((delay, 2))))  # flush the ceiling's look-ahead
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise InvalidAudio(f"{dst}: cannot write output ({exc})") from exc
    return {"input": src, "output": dst, "frames": info.frames, "sample_rate": info.rate,
            "chain": chain(state, info.rate), "changes": [{"time_s": t, "state": s} for t, s in timeline[1:]],
            "ceiling_off": any(s.ceiling_db is None for _, s in timeline),
            "ceiling_reduction_db": round(reduction, 2), "peak_dbfs": gain_to_db(peak)}  # fmt: skip


def _speaker_factories(state: MonitoringState) -> dict[str, Factory]:
    """Virtual speakers from the user's SOFA file, when one is given."""
    if not state.speakers_sofa:
        return {}
    sofa = state.speakers_sofa

    def build(params: Params, rate: int) -> Processor:
        from ..speakers.stage import SpeakerStage

        return SpeakerStage(str(params["room"]), rate, gain_db=float(params.get("gain_db", 0.0)), sofa=sofa)

    return {"speakers": build}


def _ceiling(value: str) -> float | None:
    if value.strip().lower() == "off":
        return None
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a level in dBFS or 'off'") from None



@click.command("process")
@click.argument("src", metavar="IN", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("dst", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--headphones", "model", help="Headphone correction preset (see `headphones list`).")
@click.option("--strength", "strength_pct", type=float, default=100.0, show_default=True, help="Strength 0-100 %.")
@click.option("--bass-trim", "bass_trim_db", type=float, default=0.0, show_default=True, help="Bass trim in dB.")
@click.option("--crossfeed", help="Crossfeed preset: default, cmoy, jmeier.")
@click.option("--centre", "centre_db", type=float, default=0.0, show_default=True, help="Centre trim in dB.")
@click.option("--band", help="Solo one band: sub, bass, low-mid, mid, high-mid, low-highs, highs.")
@click.option("--simulate", "system", help="Playback system: phone, laptop, earbuds, car, cube.")
@click.option("--speakers", "room", help="Virtual speakers in a room (see `speakers list`).")
@click.option("--sofa", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Head-related responses for --speakers (SOFA file; default: the system's MIT KEMAR set).")
@click.option("--ceiling", "ceiling", default="-1", show_default=True, metavar="DBFS|off",
              help="Safety ceiling (true peak) at the end of the chain; 'off' removes the protection.")
@click.option("--at", "at", nargs=2, multiple=True, metavar="SECONDS KEY=VALUE",
              help=f"Change the chain mid-stream, as live (repeatable). Keys: {', '.join(SCHEDULE_KEYS)}; "
                   "VALUE 'off' switches an effect off.")  # fmt: skip
@json_option
def process_cmd(src: Path, dst: Path, model: str | None, strength_pct: float, bass_trim_db: float,
                crossfeed: str | None, centre_db: float, band: str | None, system: str | None,
                room: str | None, sofa: Path | None, ceiling: str, at: tuple[tuple[str, str], ...],
                as_json: bool) -> None:  # fmt: skip
    """Run the monitoring chain on IN and write OUT (32-bit float WAV): audition a bounce, preview a simulation, or
    render what you heard while switching (--at 5.0 band=sub --at 9 crossfeed=off)."""
    if src.resolve() == dst.resolve():
        raise click.UsageError("OUT must differ from IN")
    state = MonitoringState(headphones=model, strength_pct=strength_pct, bass_trim_db=bass_trim_db,
                            crossfeed=crossfeed, centre_db=centre_db, band=band, simulation=system,
                            speakers=room_name(room) if room else None,
                            speakers_sofa=str(sofa) if sofa else None,
                            ceiling_db=_ceiling(ceiling))  # fmt: skip
    schedule = [parse_change(time_text, assignment) for time_text, assignment in at]
    figures = process_file(src, dst, state, schedule=schedule,
                           progress=None if as_json else stderr_progress("process"))  # fmt: skip
    if figures["ceiling_off"]:
        click.echo(CEILING_OFF_WARNING, err=True)
    if as_json:
        echo_json(figures)
        return
    on = [f.kind for f in figures["chain"] if f.enabled] if isinstance(figures["chain"], list) else []
    changes = figures["changes"] if isinstance(figures["changes"], list) else []
    click.echo(f"Wrote {dst} ({figures['frames']} frames at {figures['sample_rate']} Hz) through: "
               f"{', '.join(on) or 'nothing (pass-through)'}"
               + (f", {len(changes)} scheduled change(s)" if changes else "")
               + f"; peak {figures['peak_dbfs']:.1f} dBFS"
               + (f"; ceiling reduced up to {figures['ceiling_reduction_db']:.1f} dB"
                  if figures["ceiling_reduction_db"] else ""))  # fmt: skip


def register(cli: click.Group) -> None:
    cli.add_command(process_cmd)

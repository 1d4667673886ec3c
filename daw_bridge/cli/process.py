"""``daw-bridge process IN.wav OUT.wav``: run the monitoring chain on a file, block by block (any length)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np
import soundfile as sf

from ..audio import audio_info, iter_blocks
from ..dsp.chain import make_chain
from ..errors import InvalidAudio
from ..monitoring import MonitoringState, chain, validate_state
from ..speakers.rooms import room_name
from ..units import gain_to_db
from .output import echo_json, json_option, stderr_progress

#: Frames per processing block.
BLOCK_FRAMES = 32768


def process_file(src: Path, dst: Path, state: MonitoringState, *, block_frames: int = BLOCK_FRAMES,
                 progress: Callable[[float, str], None] | None = None) -> dict[str, object]:  # fmt: skip
    """Process ``src`` through the chain for ``state`` into ``dst`` (stereo float WAV); returns figures."""
    validate_state(state)
    info = audio_info(src)
    if info.channels > 2:
        raise InvalidAudio(f"{src}: {info.channels} channels; the monitoring chain takes mono or stereo")
    fx = chain(state, info.rate)
    processor = make_chain([(f.kind, f.params) for f in fx if f.enabled], info.rate)
    latency = _speakers_stage(processor, state, info.rate)
    peak, done, skip = 0.0, 0, latency
    try:
        with sf.SoundFile(str(dst), "w", samplerate=info.rate, channels=2, subtype="FLOAT") as out:
            flush = [np.zeros((latency, 2))] if latency else []  # pushes the delayed last frames out
            for block in itertools.chain(iter_blocks(src, block_frames), flush):
                result = processor.process(block)
                cut = min(skip, result.shape[0])  # output delayed by the chain's latency: keep it aligned
                result, skip = result[cut:], skip - cut
                peak = max(peak, float(np.max(np.abs(result))) if result.size else 0.0)
                out.write(result)
                done = min(done + block.shape[0], info.frames)
                if progress is not None:
                    progress(done / max(info.frames, 1), src.name)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise InvalidAudio(f"{dst}: cannot write output ({exc})") from exc
    return {"input": src, "output": dst, "frames": done, "sample_rate": info.rate, "chain": fx,
            "peak_dbfs": gain_to_db(peak)}  # fmt: skip


def _speakers_stage(processor: object, state: MonitoringState, rate: int) -> int:
    """Give the virtual-speakers stage the user's SOFA file; returns the chain's latency in frames (trimmed)."""
    from ..speakers.stage import SpeakerStage

    stages = getattr(processor, "stages", [])
    for i, stage in enumerate(stages):
        if isinstance(stage, SpeakerStage) and state.speakers_sofa:
            stages[i] = SpeakerStage(stage.room, rate, sofa=state.speakers_sofa)
    return sum(int(getattr(stage, "latency_frames", 0)) for stage in stages)


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
@json_option
def process_cmd(src: Path, dst: Path, model: str | None, strength_pct: float, bass_trim_db: float,
                crossfeed: str | None, centre_db: float, band: str | None, system: str | None,
                room: str | None, sofa: Path | None, as_json: bool) -> None:  # fmt: skip
    """Run the monitoring chain on IN and write OUT (32-bit float WAV): audition a bounce or preview a simulation."""
    if src.resolve() == dst.resolve():
        raise click.UsageError("OUT must differ from IN")
    state = MonitoringState(headphones=model, strength_pct=strength_pct, bass_trim_db=bass_trim_db,
                            crossfeed=crossfeed, centre_db=centre_db, band=band, simulation=system,
                            speakers=room_name(room) if room else None,
                            speakers_sofa=str(sofa) if sofa else None)  # fmt: skip
    figures = process_file(src, dst, state, progress=None if as_json else stderr_progress("process"))
    if as_json:
        echo_json(figures)
        return
    on = [f.kind for f in figures["chain"] if f.enabled] if isinstance(figures["chain"], list) else []
    click.echo(f"Wrote {dst} ({figures['frames']} frames at {figures['sample_rate']} Hz) through: "
               f"{', '.join(on) or 'nothing (pass-through)'}; peak {figures['peak_dbfs']:.1f} dBFS")  # fmt: skip


def register(cli: click.Group) -> None:
    cli.add_command(process_cmd)

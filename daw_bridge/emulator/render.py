"""Real mixdown of an emulator project to a WAV, block by block. Monitoring FX never reach a render.

Signal flow per block (audio is float64 ``(frames, 2)`` at the render rate):

    track = (own item + sum of heard children + its receives) -> track FX -> volume (dB) -> pan
            [muted/solo-ed out: silence]; a send adds the source's post-fader output at the send's level and pan
    master = sum of heard top-level tracks and folder buses -> master FX -> master volume -> master pan
    [render_monitor_preview only: -> monitoring FX]

* Items are decoded with soundfile and resampled with ``scipy.signal.resample_poly`` when the file's rate differs
  from the render rate; each block reads its input with enough margin that blockwise equals whole-file resampling.
* Mono files feed both channels. Files with more than two channels are refused.
* Pan: REAPER's default pan mode "stereo balance / mono pan" with a 0 dB pan law, as we model it (an
  approximation, documented in docs/emulator.md): centre leaves both channels untouched; panning toward one side
  attenuates the other channel on a sine taper, ``g_far = min(1, sqrt(2) * cos/sin((pan + 1) * pi/4))``.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import resample_poly

from ..daw import RenderResult
from ..errors import InvalidAudio, RenderError
from ..units import db_to_gain, seconds_to_frames
from .fx import FxChain
from .project import Project, Send, Track

Audio = npt.NDArray[np.float64]
Progress = Callable[[float, str], None]

#: Frames per render block (about 1.4 s at 48 kHz).
BLOCK_FRAMES = 65536
_SUBTYPES = {16: "PCM_16", 24: "PCM_24", 32: "FLOAT"}


def pan_gains(pan: float) -> tuple[float, float]:
    """(left, right) gains for ``pan`` -1..+1: stereo balance, 0 dB law, sine taper on the far side."""
    theta = (max(-1.0, min(1.0, pan)) + 1.0) * math.pi / 4.0
    left = min(1.0, math.sqrt(2.0) * math.cos(theta))
    right = min(1.0, math.sqrt(2.0) * math.sin(theta))
    return max(0.0, left), max(0.0, right)


def _apply_fader(block: Audio, volume_db: float, pan: float) -> Audio:
    gain = db_to_gain(volume_db)
    left, right = pan_gains(pan)
    return block * np.array([gain * left, gain * right])


class ItemReader:
    """One track item: the file at ``path`` placed at ``offset_s``, read at ``rate`` Hz as (frames, 2)."""

    def __init__(self, path: Path, offset_s: float, rate: int) -> None:
        try:
            self.file = sf.SoundFile(str(path))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise InvalidAudio(f"{path}: cannot decode audio ({exc})") from exc
        if self.file.channels > 2:
            self.file.close()
            raise InvalidAudio(f"{path}: {self.file.channels} channels; the emulator mixes mono or stereo items")
        self.path = path
        self.offset = seconds_to_frames(offset_s, rate)
        ratio = Fraction(rate, self.file.samplerate)
        self.up, self.down = ratio.numerator, ratio.denominator
        #: Margin in input frames covering resample_poly's filter (half length 10*max(up, down) upsampled).
        self.margin = (10 * max(self.up, self.down)) // self.up + 2

    def close(self) -> None:
        self.file.close()

    def _read_input(self, start: int, stop: int) -> Audio:
        """Input frames [start, stop) of the file, zeros outside it, as (frames, 2)."""
        out = np.zeros((stop - start, 2))
        lo, hi = max(start, 0), min(stop, self.file.frames)
        if hi > lo:
            self.file.seek(lo)
            data = self.file.read(hi - lo, dtype="float64", always_2d=True)
            if data.shape[1] == 1:
                data = np.repeat(data, 2, axis=1)
            out[lo - start: lo - start + data.shape[0]] = data
        return out

    def read(self, start: int, stop: int) -> Audio:
        """Render-rate frames [start, stop) of the timeline (zeros where the item is absent)."""
        a, b = start - self.offset, stop - self.offset
        if self.up == self.down == 1:
            return self._read_input(a, b)
        length_out = -(-self.file.frames * self.up // self.down)
        if b <= 0 or a >= length_out:
            return np.zeros((stop - start, 2))
        # input start aligned to a multiple of `down`, so output index k maps to segment index k - s*up/down
        s = ((a * self.down // self.up) - self.margin) // self.down * self.down
        e = -(-(b * self.down) // self.up) + self.margin
        y = resample_poly(self._read_input(s, e), self.up, self.down, axis=0)
        first = a - s * self.up // self.down
        seg = y[first: first + (b - a)]
        out = np.zeros((b - a, 2))
        out[: seg.shape[0]] = seg
        valid = np.arange(a, b)
        out[(valid < 0) | (valid >= length_out)] = 0.0
        return out


@dataclass
class _Node:
    track: Track
    item: ItemReader | None
    chain: FxChain
    children: list[_Node]
    heard: bool
    receives: list[tuple[_Node, Send]]


class Mixer:
    """The project's mix graph at ``rate`` Hz; ``block(start, stop)`` gives the master bus for those frames.

    ``strict=False`` lets effects the emulator cannot run pass audio unchanged (meters), instead of raising.
    """

    def __init__(self, project: Project, rate: int, *, monitor: bool = False, strict: bool = True) -> None:
        self.project = project
        self.rate = rate
        self.strict = strict
        self._readers: list[ItemReader] = []
        self._nodes: dict[str, _Node] = {}
        try:
            _check_routing(project)
            heard = _heard(project)
            for t in project.tracks:
                self._nodes[t.guid] = _Node(t, self._reader(t) if heard[t.guid] else None,
                                            FxChain(t.fx, rate, strict=strict), [], heard[t.guid], [])
            for t in project.tracks:
                node = self._nodes[t.guid]
                parent = project.parent_of(t)
                if parent is not None:
                    self._nodes[parent.guid].children.append(node)
                for snd in t.sends:
                    dest = self._nodes.get(snd.dest)
                    if dest is not None and dest is not node:
                        dest.receives.append((node, snd))
            self.roots = [self._nodes[t.guid] for t in project.children_of(None)]
            self.master_chain = FxChain(project.master.fx, rate, strict=strict)
            self.monitor_chain = FxChain(project.monitor_fx, rate, strict=strict) if monitor else None
            self.master_item = self._reader(project.master)
        except BaseException:
            self.close()
            raise

    def _reader(self, track: Track) -> ItemReader | None:
        if track.audio is None:
            return None
        reader = ItemReader(track.audio, track.offset_s, self.rate)
        self._readers.append(reader)
        return reader

    def close(self) -> None:
        for r in self._readers:
            r.close()

    def _track_block(self, node: _Node, start: int, stop: int, memo: dict[str, Audio]) -> Audio:
        """Post-fader output of ``node`` for frames [start, stop) (silence when it is not heard), memoized."""
        done = memo.get(node.track.guid)
        if done is not None:
            return done
        if not node.heard:
            out = np.zeros((stop - start, 2))
        else:
            block = node.item.read(start, stop) if node.item is not None else np.zeros((stop - start, 2))
            for child in node.children:
                block = block + self._track_block(child, start, stop, memo)
            for source, snd in node.receives:
                if not snd.mute:
                    block = block + _apply_fader(self._track_block(source, start, stop, memo), snd.volume_db,
                                                 snd.pan)
            block = node.chain.process(block)
            out = _apply_fader(block, node.track.volume_db, node.track.pan)
        memo[node.track.guid] = out
        return out

    def block(self, start: int, stop: int, *, taps: dict[str, Audio] | None = None) -> Audio:
        """Master output (frames, 2) for render-rate frames [start, stop); ``taps`` receives each track's
        post-fader output by guid."""
        master = self.project.master
        memo: dict[str, Audio] = {} if taps is None else taps
        mix = self.master_item.read(start, stop) if self.master_item is not None else np.zeros((stop - start, 2))
        for node in self.roots:
            mix = mix + self._track_block(node, start, stop, memo)
        for node in self._nodes.values():  # tracks only reached by sends still run (their state, their taps)
            self._track_block(node, start, stop, memo)
        mix = self.master_chain.process(mix)
        mix = _apply_fader(mix, master.volume_db, master.pan)
        if master.mute:
            mix = np.zeros_like(mix)
        if self.monitor_chain is not None:
            mix = self.monitor_chain.process(mix)
        return mix


def _check_routing(project: Project) -> None:
    """Refuse a feedback loop through folders and sends (REAPER refuses to create one)."""
    feeds: dict[str, set[str]] = {t.guid: set() for t in project.tracks}  # guid -> guids it feeds
    for t in project.tracks:
        if t.parent in feeds:
            feeds[t.guid].add(t.parent)
        feeds[t.guid].update(s.dest for s in t.sends if s.dest in feeds)
    state: dict[str, int] = {}

    def visit(guid: str) -> None:
        state[guid] = 1
        for nxt in feeds[guid]:
            if state.get(nxt) == 1:
                track = project.by_guid(nxt)
                raise RenderError(f"routing loop through track {track.name if track else nxt!r}: "
                                  "folders and sends must not feed back")
            if nxt not in state:
                visit(nxt)
        state[guid] = 2

    for guid in feeds:
        if guid not in state:
            visit(guid)


def _heard(project: Project) -> dict[str, bool]:
    """Which tracks pass audio: REAPER's mute/solo rules, plus send destinations of a heard, soloed source
    (a soloed track's reverb send stays audible; the emulator's reading of REAPER's solo routing)."""
    heard = {t.guid: project.is_heard(t) for t in project.tracks}
    if project.any_solo():
        changed = True
        while changed:
            changed = False
            for t in project.tracks:
                if not heard[t.guid] or t.mute:
                    continue
                for snd in t.sends:
                    dest = project.by_guid(snd.dest)
                    if dest is not None and not heard[dest.guid] and not dest.mute and not any(
                        a.mute for a in project.ancestors(dest)
                    ):
                        heard[dest.guid] = changed = True
    return heard


def iter_mix(
    project: Project, *, sample_rate: int | None = None, start_s: float | None = None, end_s: float | None = None,
    monitor: bool = False, block_frames: int = BLOCK_FRAMES,
) -> Iterator[Audio]:
    """Yield the master mix as (frames, 2) blocks; ``monitor`` adds the monitoring FX (preview only)."""
    rate = sample_rate or project.sample_rate
    start_s = 0.0 if start_s is None else start_s
    end_s = project.length_s() if end_s is None else end_s
    if start_s < 0 or end_s < start_s:
        raise RenderError(f"render bounds {start_s}..{end_s} s are not 0 <= start <= end")
    first, last = seconds_to_frames(start_s, rate), seconds_to_frames(end_s, rate)
    mixer = Mixer(project, rate, monitor=monitor)
    try:
        for a in range(first, last, block_frames):
            yield mixer.block(a, min(a + block_frames, last))
    finally:
        mixer.close()


def render_project(
    project: Project, out_path: str | Path, *, sample_rate: int | None = None, channels: int = 2,
    bit_depth: int = 24, start_s: float | None = None, end_s: float | None = None,
    progress: Progress | None = None, monitor: bool = False,
) -> RenderResult:
    """Bounce the master mix (monitoring FX excluded) to a new WAV at ``out_path``; never overwrites."""
    out_path = Path(out_path)
    rate = sample_rate or project.sample_rate
    if channels not in (1, 2):
        raise RenderError(f"channels = {channels}: the emulator renders 1 or 2 channels")
    if bit_depth not in _SUBTYPES:
        raise RenderError(f"bit_depth = {bit_depth}: choose 16, 24 or 32 (float)")
    if out_path.exists():
        raise RenderError(f"{out_path} already exists; renders never overwrite a file")
    if not out_path.parent.is_dir():
        raise RenderError(f"{out_path.parent}: render folder does not exist")
    start = 0.0 if start_s is None else start_s
    total_s = max((project.length_s() if end_s is None else end_s) - start, 0.0)
    tmp = out_path.with_name(f".{out_path.stem}.{uuid.uuid4().hex[:8]}.tmp.wav")
    frames = 0
    try:
        with sf.SoundFile(str(tmp), "w", samplerate=rate, channels=channels, subtype=_SUBTYPES[bit_depth],
                          format="WAV") as out:
            for block in iter_mix(project, sample_rate=rate, start_s=start_s, end_s=end_s, monitor=monitor):
                out.write(block.mean(axis=1) if channels == 1 else block)
                frames += block.shape[0]
                if progress is not None and total_s > 0:
                    progress(min(1.0, frames / rate / total_s), f"rendering {out_path.name}")
        try:
            os.link(tmp, out_path)  # atomic and refuses to replace a file that appeared meanwhile
        except FileExistsError as exc:
            raise RenderError(f"{out_path} already exists; renders never overwrite a file") from exc
    finally:
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0, f"rendered {out_path.name}")
    return RenderResult(files=(out_path,), duration_s=frames / float(rate))


def render_monitor_preview(
    project: Project, out_path: str | Path, *, sample_rate: int | None = None, channels: int = 2,
    bit_depth: int = 24, start_s: float | None = None, end_s: float | None = None,
) -> RenderResult:
    """Like :func:`render_project` but through the monitoring FX: what the listener hears, never a bounce."""
    return render_project(project, out_path, sample_rate=sample_rate, channels=channels, bit_depth=bit_depth,
                          start_s=start_s, end_s=end_s, monitor=True)

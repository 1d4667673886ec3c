"""Our Ardour export presets: WAV at the session rate, no dither, no normalization, no analysis.

Ardour's shipped WAV preset writes 16-bit with shaped dither; level checks want 24-bit or float. The bridge
(``daw_bridge_hook.lua``) selects these by id and falls back to the shipped preset for 16-bit.
"""

from __future__ import annotations

from pathlib import Path

#: bit depth -> (preset id, format id, Ardour sample-format name). Ids must match daw_bridge_hook.lua.
PRESETS: dict[int, tuple[str, str, str]] = {
    24: ("6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6e024", "6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6f024", "SF_24"),
    32: ("6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6e032", "6c5e0d2a-3c1f-4f4e-9d51-0da0b1d6f032", "SF_Float"),
}


def format_xml(format_id: str, sample_format: str, bits: int) -> str:
    """The ``.format`` file text for one WAV format."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ExportFormatSpecification name="daw-bridge WAV {bits}" id="{format_id}" analyse="0">
  <Encoding id="F_WAV" type="T_Sndfile" extension="wav" name="WAV" has-sample-format="true" channel-limit="256"/>
  <SampleRate rate="SR_Session"/>
  <SRCQuality quality="SRC_SincBest"/>
  <EncodingOptions>
    <Option name="sample-format" value="{sample_format}"/>
    <Option name="dithering" value="D_None"/>
    <Option name="tag-metadata" value="false"/>
    <Option name="tag-support" value="false"/>
    <Option name="broadcast-info" value="false"/>
  </EncodingOptions>
  <Processing>
    <Normalize enabled="false" loudness="no" dbfs="0" lufs="-23" dbtp="-1"/>
    <Silence>
      <Start><Trim enabled="false"/><Add enabled="false">
        <Duration format="Timecode" hours="0" minutes="0" seconds="0" frames="0"/></Add></Start>
      <End><Trim enabled="false"/><Add enabled="false">
        <Duration format="Timecode" hours="0" minutes="0" seconds="0" frames="0"/></Add></End>
    </Silence>
  </Processing>
</ExportFormatSpecification>
"""


def preset_xml(preset_id: str, format_id: str, bits: int) -> str:
    """The ``.preset`` file text pointing at one format."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ExportPreset id="{preset_id}" name="daw-bridge WAV {bits}">
  <ExportFormat id="{format_id}"/>
  <ExportFilename>
    <Folder relative="1" path="export"/>
    <Field name="label" enabled="0"/>
    <Field name="session" enabled="0"/>
    <Field name="snapshot" enabled="0"/>
    <Field name="timespan" enabled="1"/>
    <Field name="revision" enabled="0"/>
    <Field name="time" enabled="0" value="T_None"/>
    <Field name="date" enabled="0" value="D_None"/>
  </ExportFilename>
</ExportPreset>
"""


def install(export_dir: Path) -> list[Path]:
    """Write our formats and presets into an Ardour user ``export`` folder; returns the files written."""
    export_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for bits, (preset_id, format_id, sample_format) in PRESETS.items():
        fmt = export_dir / f"daw-bridge-wav{bits}.format"
        fmt.write_text(format_xml(format_id, sample_format, bits), encoding="utf-8")
        pre = export_dir / f"daw-bridge-wav{bits}.preset"
        pre.write_text(preset_xml(preset_id, format_id, bits), encoding="utf-8")
        written += [fmt, pre]
    return written

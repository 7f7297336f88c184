"""Sound card lookup by name or index, with errors that list what is there."""

from __future__ import annotations

from typing import Any

from ..errors import AudioError


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing
        raise AudioError(
            f"the audio library PortAudio is not available ({exc})",
            hint="install it: `sudo apt-get install libportaudio2`",
        ) from None
    return sounddevice


def list_devices(kind: str) -> list[tuple[int, str]]:
    """(index, name) of the devices that can capture (kind "input") or play ("output")."""
    sd = _sounddevice()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    return [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d[key] > 0]


def resolve_device(spec: str, kind: str) -> int | None:
    """Turn a configured device ("" = default, an index, or a name substring) into an index.

    Raises AudioError naming the available devices when nothing matches, because "device not
    found" without the list leaves the user guessing.
    """
    devices = list_devices(kind)
    if not spec:
        if not devices:
            raise AudioError(f"no audio {kind} device found", hint="plug one in and check `companion devices`")
        return None
    if spec.isdigit():
        index = int(spec)
        if any(i == index for i, _ in devices):
            return index
    else:
        matches = [i for i, name in devices if spec.lower() in name.lower()]
        if matches:
            return matches[0]
    available = ", ".join(f"{i}: {name}" for i, name in devices) or "none"
    raise AudioError(
        f"no audio {kind} device matches {spec!r}",
        where=f"audio.{kind}_device",
        hint=f"available {kind} devices: {available}",
    )


def rescan_devices() -> None:
    """Make PortAudio enumerate the sound cards again (a re-plugged USB mic gets a new entry).

    PortAudio lists devices once, at initialisation; re-initialising closes every open stream,
    so call this only when nothing is playing or recording.
    """
    sd = _sounddevice()
    sd._terminate()
    sd._initialize()

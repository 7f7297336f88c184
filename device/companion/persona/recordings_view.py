"""What `persona show` says about the recordings a bundle holds: how many, how long, per import
(counts and names only, never a transcript)."""

from __future__ import annotations

from typing import Any


def recordings_payload(bundle: Any) -> dict[str, Any]:
    """Totals, and per import that holds any: its short id, file names and counts."""
    from .bundle.imports import list_imports
    from .bundle.recording_claims import total_counts

    payload = total_counts(bundle.db).to_dict()
    payload["by_import"] = [{"import": i.short_id, "files": [f["filename"] for f in i.files], **i.recordings.to_dict()}
                            for i in list_imports(bundle) if i.recordings.recordings]
    return payload


def recordings_line(counts: dict[str, Any]) -> str:
    """"3 recordings (4.2 min), 2 in their voice" (``counts`` as RecordingCounts.to_dict)."""
    n = counts["recordings"]
    return (f"{n} recording{'' if n == 1 else 's'} ({counts['minutes']:.1f} min), "
            f"{counts['in_their_voice']} in their voice")


def recordings_lines(payload: dict[str, Any]) -> list[str]:
    if not payload["recordings"]:
        return ["recordings: none"]
    lines = [f"recordings: {recordings_line(payload)}"]
    for entry in payload["by_import"]:
        lines.append(f"  {entry['import']} ({', '.join(entry['files']) or 'no journal entry'}): "
                     f"{recordings_line(entry)}")
    return lines

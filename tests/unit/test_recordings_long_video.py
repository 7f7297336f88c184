"""A real 2-hour video in an export (issue 20, bad input): one clear line, the rest of the import
kept, memory bounded. The video is made here with PyAV (16x16 pixels, one frame a second, a
silent AAC track whose one encoded second is repeated: a few seconds to write, under 1 MB) and
imported in a child process (data segment capped) that reports its own peak RSS (VmHWM)."""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from unit.test_recordings_store import opus

TWO_HOURS = 2 * 3600
RATE = 8000


def long_video(seconds: int) -> bytes:
    """An MP4 (MPEG-4 video + AAC audio), ``seconds`` long, both tracks all the way."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        video = container.add_stream("mpeg4", rate=1)
        video.width = video.height = 16
        video.pix_fmt = "yuv420p"
        audio = container.add_stream("aac", rate=RATE, layout="mono")
        silence = av.AudioFrame.from_ndarray(np.zeros((1, 2 * RATE), np.int16), format="s16", layout="mono")
        silence.sample_rate, silence.pts = RATE, 0
        encoded = list(audio.encode(silence))
        step = encoded[1].pts - encoded[0].pts
        second = [(bytes(p), p.pts - encoded[2].pts) for p in encoded[2:2 + RATE // step]]
        picture = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
        for s in range(seconds):
            picture.pts = s
            for packet in video.encode(picture):
                container.mux(packet)
            for data, offset in second:
                packet = av.Packet(data)
                packet.stream, packet.time_base = audio, encoded[0].time_base
                packet.pts = packet.dts = s * RATE + offset
                packet.duration = step
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
    return out.getvalue()


CHAT = """\
12/03/2019, 09:15 - Tom: What did you grow?
12/03/2019, 09:16 - Rose: Tomatoes, love.
12/03/2019, 09:17 - Rose: \u200ePTT-20190312-WA0001.opus (file attached)
12/03/2019, 09:20 - Rose: \u200eVID-20190312-WA0002.mp4 (file attached)
"""

CHILD = """
import json, sys
from pathlib import Path
from companion.persona.bundle import recordings as store
from companion.persona.bundle.store import Bundle
from companion.voice.recordings.importer import RecordingsSummary, store_candidates
from companion.voice.recordings.sources import find

with Bundle.open(Path(sys.argv[1]), sys.argv[2].encode()) as bundle:
    summary = RecordingsSummary()
    store_candidates(bundle, find([Path(sys.argv[3])], lambda r: r.speaker == "Rose").candidates, summary,
                     progress=False, speaker="Rose")
    kept = [r.filename for r in store.recordings(bundle.db)]
# VmHWM: this process's own peak (ru_maxrss would carry the forking parent's size across exec)
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"problems": summary.problems, "stored": summary.stored, "kept": kept,
                  "peak_rss_mb": peak_kb / 1024}))
"""


def test_a_two_hour_video_costs_one_line_and_bounded_memory(tmp_path: Path) -> None:
    from unit.test_bundle_review import SECRET, make_bundle

    video = long_video(TWO_HOURS)
    import av

    with av.open(io.BytesIO(video)) as container:  # what the test made is what it says it is
        assert container.duration / 1e6 == TWO_HOURS and {s.type for s in container.streams} == {"video", "audio"}
        assert container.streams.audio[0].duration * container.streams.audio[0].time_base >= TWO_HOURS - 1
    archive = tmp_path / "WhatsApp Chat with Tom.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("WhatsApp Chat with Tom.txt", CHAT)
        z.writestr("PTT-20190312-WA0001.opus", opus(2.0))
        z.writestr("VID-20190312-WA0002.mp4", video)
    make_bundle(tmp_path / "rose").close()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    limit = 1024**3  # the decoded sound alone (2 h at 16 kHz, float32) would be 460 MB; everything stays far under

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    done = subprocess.run([sys.executable, str(script), str(tmp_path / "rose"), SECRET, str(archive)],
                          capture_output=True, text=True, timeout=600, preexec_fn=cap)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["stored"] == 1 and result["kept"] == ["PTT-20190312-WA0001.opus"]
    [line] = result["problems"]
    assert line.startswith(f"{archive}!VID-20190312-WA0002.mp4: skipped, 120 minutes long, more than the 15-minute")
    assert "\n" not in line and "persona add-recordings" in line
    print(f"peak RSS of the import with a 2-hour video: {result['peak_rss_mb']:.0f} MB")
    assert result["peak_rss_mb"] < 300, result


def test_a_films_length_is_read_from_its_header_before_its_bytes(tmp_path: Path) -> None:
    """However large (up to the size limit), a film is refused from its container's header: its
    bytes are never read into memory."""
    from companion.voice.recordings.importer import RecordingsSummary, store_candidates
    from companion.voice.recordings.sources import Candidate
    from unit.test_bundle_review import make_bundle

    video = long_video(1200)  # 20 minutes
    reads: list[str] = []

    def read() -> bytes:
        reads.append("read")
        return video

    film = Candidate(filename="VID.mp4", where="export.zip!VID.mp4", source="whatsapp", conversation="Tom",
                     speaker="Rose", time=None, message_origin="", context=None, size=len(video), read=read,
                     input=str(tmp_path / "export.zip"), open=lambda: io.BytesIO(video))
    with make_bundle(tmp_path / "rose") as bundle:
        summary = RecordingsSummary()
        store_candidates(bundle, [film], summary, progress=False)
    assert reads == [] and summary.stored == 0
    assert summary.problems == ["export.zip!VID.mp4: skipped, 20 minutes long, more than the 15-minute limit for a "
                                "recording; cut out the part where the person speaks and add it with "
                                "`persona add-recordings`"]

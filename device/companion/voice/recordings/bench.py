"""`python -m companion.voice.recordings.bench`: how long importing recordings takes per minute of audio.

Synthesizes ``--notes`` voice notes (Piper, the installed voice) into a WhatsApp zip, imports
them into a fresh bundle in a temporary folder and prints JSON: seconds per stage (store =
read/probe/decode/encrypt; check+transcribe = speaker embedding and Whisper), per minute of
audio. Nothing is kept afterwards.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

SENTENCES = (
    "We planted the apple tree the summer your mother was born, and it still gives the sweetest apples.",
    "Every Sunday we drove to the coast, and your grandfather always forgot the sandwiches on the kitchen table.",
    "I learned to swim in the river behind the mill when I was seven, the water was freezing cold.",
    "Our first house had a blue door and a tiny garden where I grew sweet peas along the fence.",
)


def _opus(audio: np.ndarray, rate: int) -> bytes:
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=6)
    args = parser.parse_args(argv)
    from ...config import load_settings
    from ...consent import new_record
    from ...persona.bundle.store import Bundle, PersonaCard, new_bundle_id
    from ...tts.piper_tts import PiperSynthesizer
    from .importer import RecordingsSummary, check_and_transcribe, store_candidates
    from .sources import find

    settings = load_settings(None)
    tts = PiperSynthesizer(settings.paths.models / settings.tts.voice)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chat, members = [], {}
        for i in range(args.notes):
            name = f"PTT-20200101-WA{i:04d}.opus"
            text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(2))
            members[name] = _opus(tts.synthesize(text), tts.sample_rate)
            chat.append(f"01/01/2020, 10:{i:02d} - Rose: \u200e{name} (file attached)")
        archive = folder / "WhatsApp Chat with Rose.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("WhatsApp Chat with Rose.txt", "\n".join(chat) + "\n")
            for name, data in members.items():
                z.writestr(name, data)
        bundle_id = new_bundle_id()
        consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                             audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
        card = PersonaCard(name="Rose", display_name="Rose", language="en", fallback_replies=("I forget.",))
        with Bundle.create(folder / "b", b"passphrase-123", card, consent) as bundle:
            from ...persona.bundle.importer import default_redactor
            from ...voice.speaker import SpeakerEncoder
            from .transcribe import load_transcriber

            t0 = time.perf_counter()
            encoder = SpeakerEncoder()
            transcriber = load_transcriber(settings.paths.models, settings.voice.asr_model, "en")[0]
            load_s = time.perf_counter() - t0
            summary = RecordingsSummary()
            t0 = time.perf_counter()
            store_candidates(bundle, find([archive], lambda r: r.speaker == "Rose").candidates, summary,
                             progress=False)
            store_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            check_and_transcribe(bundle, encoder=encoder, transcriber_factory=lambda: transcriber,
                                 threshold=settings.voice.min_speaker_similarity, summary=summary,
                                 redactor=default_redactor(), progress=False)
            check_s = time.perf_counter() - t0
    minutes = summary.audio_s / 60.0
    print(json.dumps({
        "notes": args.notes, "audio_min": round(minutes, 2), "asr_model": settings.voice.asr_model,
        "models_load_s": round(load_s, 2), "store_s": round(store_s, 2), "check_transcribe_s": round(check_s, 2),
        "seconds_per_audio_minute": round((store_s + check_s) / minutes, 1) if minutes else None,
        "mean_note_s": round(summary.audio_s / args.notes, 1),
        "persona_voice": summary.persona, "passages": summary.passages,
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`companion voice ...` end to end at tiny scale, with the real models (Piper, Whisper, resemblyzer).

The "family recordings" are made here: the target is the bundled Piper voice (en_US-joe-medium);
the impostor is a formant- and pitch-shifted rendering of it (every resonance x1.3, tempo kept),
which the speaker encoder measures as a different person (similarity to the enrolment ~0.5-0.65 vs
~0.83-0.88 for the target; asserted below). Training runs a tiny VITS from scratch for one epoch on
CPU, exports, speaks through PiperVoice, and resumes.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from companion.voice.media import write_wav_float
from support.cli import run_companion

pytestmark = pytest.mark.integration

RATE = 22050
SHIFT = 1.3
TARGET = [
    "The weather was lovely at the lake this morning.",
    "Remember to call your mother on Sunday afternoon.",
    "I planted tomatoes and beans in the garden last spring.",
    "We drove up the coast road and stopped for fish and chips.",
    "Your grandfather always said the best bread comes from patience.",
    "Put your boots on before you go out into the snow.",
]
IMPOSTOR = [
    "Hello, this is your neighbour calling about the fence.",
    "Can you bring the ladder back when you are done with it?",
    "The bus was late again so I walked all the way home.",
]


@pytest.fixture(scope="module")
def joe(models_dir: Path):  # type: ignore[no-untyped-def]
    from piper import PiperVoice

    onnx = sorted((models_dir / "tts-joe-medium").glob("*.onnx"))[0]
    return PiperVoice.load(onnx, config_path=onnx.with_suffix(".onnx.json"))


def speak(voice, text: str, length_scale: float = 1.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    from piper import SynthesisConfig

    chunks = voice.synthesize(text, SynthesisConfig(length_scale=length_scale))
    return np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)


def speak_impostor(voice, text: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Slow speech played back 1.3x faster: same tempo, pitch and formants x1.3 (another vocal tract)."""
    slow = speak(voice, text, length_scale=SHIFT)
    n = int(len(slow) / SHIFT)
    return np.interp(np.arange(n) * SHIFT, np.arange(len(slow)), slow).astype(np.float32)


def encode(path: Path, audio: np.ndarray, codec: str, out_rate: int) -> None:
    """Write a compressed container (Opus voice note, AAC .m4a) as phones do."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=out_rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=out_rate)
        frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1).astype(np.float32), format="flt", layout="mono")
        frame.sample_rate = RATE
        for f in resampler.resample(frame):
            for packet in stream.encode(f):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.fixture(scope="module")
def recordings(joe, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[no-untyped-def]
    """A two-voice voice note with background noise, a bad-quality .m4a, and where each sentence lies."""
    folder = tmp_path_factory.mktemp("recordings")
    rng = np.random.default_rng(7)
    gap = np.zeros(int(0.7 * RATE), dtype=np.float32)
    order = [("target", TARGET[0]), ("impostor", IMPOSTOR[0]), ("target", TARGET[1]), ("target", TARGET[2]),
             ("impostor", IMPOSTOR[1]), ("target", TARGET[3]), ("impostor", IMPOSTOR[2]), ("target", TARGET[4])]
    parts, spans, pos = [gap], [], len(gap)
    for who, text in order:
        audio = speak(joe, text) if who == "target" else speak_impostor(joe, text)
        spans.append((who, pos / RATE, (pos + len(audio)) / RATE))
        parts += [audio, gap]
        pos += len(audio) + len(gap)
    message = np.concatenate(parts) * 0.5
    message += rng.normal(0, 0.003, len(message)).astype(np.float32)  # room noise, ~30 dB below speech
    encode(folder / "voice-note.ogg", message, "libopus", 48000)

    # A recording made in a noisy room (SNR ~8 dB throughout) ...
    sentence = speak(joe, TARGET[5]) * 0.5
    noise_std = float(np.sqrt(np.mean(sentence ** 2))) / 10 ** (8 / 20)
    noisy = np.concatenate([gap, sentence, gap])
    noisy += rng.normal(0, noise_std, len(noisy)).astype(np.float32)
    encode(folder / "cafe.m4a", np.clip(noisy, -1.0, 1.0), "aac", 44100)
    # ... and one with an overdriven (clipped) sentence and a too-short "Yes."
    clipped = np.clip(speak(joe, "I will see you all at the weekend then.") * 6.0, -1.0, 1.0)
    short = speak(joe, "Yes.")
    bad = np.concatenate([gap, clipped, gap, gap, short, gap])
    bad += rng.normal(0, 0.002, len(bad)).astype(np.float32)
    encode(folder / "bad.m4a", np.clip(bad, -1.0, 1.0), "aac", 44100)
    return {"folder": folder, "spans": spans}


def label(spans: list[tuple[str, float, float]], start: float, duration: float) -> str:
    """Who speaks most of the clip [start, start + duration)."""
    overlaps = {who: 0.0 for who, _, _ in spans}
    for who, s, e in spans:
        overlaps[who] += max(0.0, min(e, start + duration) - max(s, start))
    return max(overlaps, key=lambda k: overlaps[k])


@pytest.fixture(scope="module")
def prepared(joe, recordings, tmp_path_factory: pytest.TempPathFactory, test_settings) -> dict:  # type: ignore[no-untyped-def]
    """A living person's encrypted bundle (its signed consent record says "living"): challenge issued,
    read by the target, then `voice prepare` via the CLI, which reads the record to know it must check."""
    import os

    key = tmp_path_factory.mktemp("key") / "persona.key"
    key.write_text("a long family passphrase\n")
    env = dict(os.environ, COMPANION_MODELS_DIR=test_settings.paths.models_dir,
               XDG_CACHE_HOME=test_settings.paths.cache_dir, COMPANION_PERSONA_KEY_FILE=str(key))
    env.pop("COMPANION_CONFIG", None)
    persona = tmp_path_factory.mktemp("persona")
    done = run_companion(["persona", "create", "Pat Doe", "--dir", str(persona), "--status", "living",
                          "--relationship", "self", "--authorised-by", "Pat Doe", "--audience", "household",
                          "--adult", "--confirm"], env)
    assert done.returncode == 0, done.stderr
    done = run_companion(["voice", "challenge", "--persona", str(persona)], env)
    assert done.returncode == 0, done.stderr
    phrase = json.loads((persona / "voice" / "challenge.json").read_text())["phrase"]
    assert phrase in done.stdout
    enroll = persona / "enroll.wav"  # not among the recordings
    # Read as a list, a word at a time, the way a person reads a challenge off the screen.
    write_wav_float(enroll, speak(joe, ", ".join(phrase.split()).capitalize() + "."), RATE)
    done = run_companion(["voice", "prepare", "--persona", str(persona), "--enroll", str(enroll),
                          str(recordings["folder"])], env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    # An encrypted persona's training set stays inside the bundle: nothing of it in plaintext (issue 20/21).
    assert not (persona / "voice" / "dataset").exists()
    from companion.persona.bundle.store import Bundle
    from companion.voice.recordings.voiceset import dataset_info

    with Bundle.open(persona, key.read_bytes().strip()) as bundle:
        report = dataset_info(bundle)["report"]
    return {"persona": persona, "report": report, "stdout": done.stdout, "env": env, "key": key}


def test_prepare_keeps_the_target_and_drops_the_impostor(prepared, recordings) -> None:  # type: ignore[no-untyped-def]
    report = prepared["report"]
    print(prepared["stdout"])  # the human-readable QC report, shown with -s
    note = [c for c in report["clips"] if c["source"].endswith("voice-note.ogg")]
    who = [label(recordings["spans"], c["start_s"], c["duration_s"]) for c in note]
    kept_target = [c for c, w in zip(note, who) if w == "target" and c["kept"]]
    impostor = [c for c, w in zip(note, who) if w == "impostor"]
    assert not any(c["kept"] for c in impostor)  # none of the impostor's speech is kept ...
    assert sum(c["reason"] == "other-speaker" for c in impostor) >= 3  # ... each sentence recognised as another voice
    assert all(c["reason"] in ("other-speaker", "too-short") for c in impostor)
    assert all(w == "target" for c, w in zip(note, who) if c["kept"])
    assert len(kept_target) >= 4
    # The impostor really is another voice: far below the target's own similarity.
    impostor_sims = [c["similarity"] for c in impostor if c["similarity"] is not None]
    assert max(impostor_sims) < 0.7 and min(c["similarity"] for c in kept_target) - max(impostor_sims) > 0.1
    bad = {c["reason"] for c in report["clips"] if c["source"].endswith("bad.m4a")}
    assert {"clipped", "too-short"} <= bad
    cafe = [c for c in report["clips"] if c["source"].endswith("cafe.m4a")]
    assert cafe and not any(c["kept"] for c in cafe) and any(c["reason"] == "noisy" for c in cafe)
    assert report["living_person"] is True
    assert report["verdict"]["level"] == "not-enough" and "Not enough" in prepared["stdout"]
    from companion.voice.recordings.voiceset import training_dirs

    with training_dirs(prepared["persona"], prepared["key"]) as work:  # decrypted to a private folder meanwhile
        dataset = work.dataset
        rows = (dataset / "metadata.csv").read_text().splitlines()
        assert len(rows) == report["clips_kept"] and report["clips_heldout"] >= 1
        for row in rows:
            clip_id, text = row.split("|")
            assert (dataset / "wavs" / f"{clip_id}.wav").is_file() and text.strip()
    assert not dataset.exists()  # removed once done
    assert "Voice data report" in prepared["stdout"]


def test_living_enrolment_must_say_the_challenge(prepared, recordings, joe) -> None:  # type: ignore[no-untyped-def]
    old_note = prepared["persona"] / "old-note.wav"
    write_wav_float(old_note, speak(joe, "Hi love, just checking in, call me back when you can."), RATE)
    done = run_companion(["voice", "prepare", "--persona", str(prepared["persona"]),
                          "--enroll", str(old_note), str(recordings["folder"] / "bad.m4a")], prepared["env"])
    assert done.returncode == 1
    assert "does not say the challenge phrase" in done.stderr and "Traceback" not in done.stderr
    from companion.persona.bundle.store import Bundle
    from companion.voice.recordings.voiceset import dataset_info

    with Bundle.open(prepared["persona"], prepared["key"].read_bytes().strip()) as bundle:
        assert dataset_info(bundle) is not None  # earlier set kept
    # Whether the person is living is read from inside the encrypted bundle: no key, no preparing.
    wrong = prepared["persona"].parent / "wrong.key"
    wrong.write_text("not the passphrase\n")
    env = dict(prepared["env"], COMPANION_PERSONA_KEY_FILE=str(wrong))
    done = run_companion(["voice", "prepare", "--persona", str(prepared["persona"]), "--enroll", str(old_note),
                          str(recordings["folder"] / "bad.m4a")], env)
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "consent record" in done.stderr and "wrong passphrase" in done.stderr


@pytest.fixture(scope="module")
def tiny_persona(joe, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~20 generated clips of the target plus 3 held out, written as `prepare` writes them."""
    persona = tmp_path_factory.mktemp("tiny")
    dataset = persona / "voice" / "dataset"
    (dataset / "wavs").mkdir(parents=True)
    (dataset / "heldout").mkdir()
    rng = np.random.default_rng(3)
    words = ("the old boat sailed across a quiet lake while children laughed near warm summer "
             "fields full of bright flowers and tall green trees").split()
    rows = []
    for i in range(23):
        held = i >= 20  # held-out clips read real sentences, so the ASR read-back (WER) is meaningful
        text = TARGET[i - 20] if held else " ".join(rng.choice(words, 7)).capitalize() + "."
        folder = "heldout" if held else "wavs"
        write_wav_float(dataset / folder / f"clip_{i:05d}.wav", speak(joe, text) * 0.5, RATE)
        rows.append((folder, f"clip_{i:05d}|{text}\n"))
    (dataset / "metadata.csv").write_text("".join(r for f, r in rows if f == "wavs"))
    (dataset / "heldout" / "metadata.csv").write_text("".join(r for f, r in rows if f == "heldout"))
    return persona


def test_train_refuses_without_a_base_checkpoint(tiny_persona: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    done = run_companion(["voice", "train", "--persona", str(tiny_persona)], cli_env)
    assert done.returncode == 1 and "base checkpoint" in done.stderr and "hours" in done.stderr
    assert "Traceback" not in done.stderr


TINY_ARGS = ["--from-scratch", "--tiny", "--batch-size", "4"]


@pytest.fixture(scope="module")
def tiny_clone(tiny_persona: Path, test_settings) -> dict:  # type: ignore[no-untyped-def]
    """One epoch of a tiny VITS from scratch, then the export (both through the CLI)."""
    import os

    env = dict(os.environ, COMPANION_MODELS_DIR=test_settings.paths.models_dir)
    env.pop("COMPANION_CONFIG", None)
    done = run_companion(["voice", "train", "--persona", str(tiny_persona), *TINY_ARGS, "--epochs", "1"],
                         env, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    trained = json.loads(done.stdout)
    done = run_companion(["voice", "export", "--persona", str(tiny_persona)], env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"train": trained, "export": json.loads(done.stdout), "env": env}


def test_tiny_training_exports_speaks_and_resumes(tiny_persona: Path, tiny_clone: dict) -> None:
    first, exported = tiny_clone["train"], tiny_clone["export"]
    assert first["epochs_done"] == 1 and first["resumed_from_epoch"] == 0 and first["best_val_mel"] is not None
    assert exported["smoke_test"]["seconds"] > 0.2
    from piper import PiperVoice

    voice = PiperVoice.load(exported["onnx"], config_path=exported["config"])
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize("A new voice speaks.")])
    assert len(audio) > 0.2 * voice.config.sample_rate and np.isfinite(audio).all()

    args = ["voice", "train", "--persona", str(tiny_persona), *TINY_ARGS, "--epochs", "2"]
    done = run_companion(args, tiny_clone["env"], timeout=1500)  # resumes from last.ckpt
    assert done.returncode == 0, done.stderr[-3000:]
    second = json.loads(done.stdout)
    assert second["resumed_from_epoch"] == 1 and second["epochs_done"] == 2
    kept = sorted(p.name for p in (tiny_persona / "voice" / "train" / "checkpoints").iterdir())
    assert kept == ["best.ckpt", "last.ckpt"]
    print(json.dumps({"epoch": first, "export": exported, "resume": second}, indent=2))


def test_verify_ranks_the_real_voice_above_an_impostor(tiny_persona: Path, tiny_clone: dict, joe,
                                                       models_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from companion.voice.verify import verify

    impostor = tmp_path / "impostor"
    impostor.mkdir()
    for i, text in enumerate(IMPOSTOR):
        write_wav_float(impostor / f"i{i}.wav", speak_impostor(joe, text) * 0.5, RATE)
    real = tmp_path / "real-voice"
    real.mkdir()
    onnx = sorted((models_dir / "tts-joe-medium").glob("*.onnx"))[0]
    shutil.copy(onnx, real / "voice.onnx")
    shutil.copy(onnx.with_suffix(".onnx.json"), real / "voice.onnx.json")

    genuine = verify(tiny_persona, models_dir, voice=real / "voice.onnx", impostor=[impostor], progress=False)
    assert genuine["passed"] and genuine["installed"] == str(tiny_persona / "voice-model")
    assert genuine["real_vs_real"] > genuine["impostor_vs_real"] + 0.2
    assert genuine["clone_vs_real"] >= 0.8 and genuine["wer"] < 0.3

    weak = verify(tiny_persona, models_dir, voice=Path(tiny_clone["export"]["onnx"]), impostor=[impostor], progress=False)
    assert weak["clone_vs_real"] < genuine["clone_vs_real"] and not weak["passed"]
    assert weak["installed"] is None
    assert (tiny_persona / "voice-model" / "verify.json").is_file()  # the earlier, passing voice stays
    print(json.dumps({"genuine": genuine, "tiny_clone": weak}, indent=2))


def test_fine_tuning_starts_from_the_base_checkpoint(tiny_persona: Path, tiny_clone: dict, tmp_path: Path) -> None:
    """`voice train --base`: the tiny checkpoint trained above is the base of a new persona's voice."""
    import shutil

    import torch

    base = tmp_path / "base.ckpt"
    shutil.copy(tiny_persona / "voice" / "train" / "checkpoints" / "last.ckpt", base)
    persona = tmp_path / "finetune"
    shutil.copytree(tiny_persona / "voice" / "dataset", persona / "voice" / "dataset")
    done = run_companion(["voice", "train", "--persona", str(persona), "--base", str(base), "--epochs", "1",
                          "--batch-size", "4"], tiny_clone["env"], timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    tuned = json.loads(done.stdout)
    assert tuned["epochs_done"] == 1 and tuned["resumed_from_epoch"] == 0 and tuned["global_step"] >= 1
    # Every tensor of the model held the base's values when training began ...
    warm = tuned["warm_start"]
    assert warm["base"] == str(base) and warm["tensors_from_base"] == warm["tensors"] > 100
    # ... and one epoch of fine-tuning moved them only a little: the voice grew from the base.
    base_state = torch.load(base, map_location="cpu", weights_only=True)["state_dict"]
    after = torch.load(tuned["best_checkpoint"], map_location="cpu", weights_only=True)
    assert after["hyper_parameters"]["hidden_channels"] == 32  # the base's (tiny) architecture, read from it
    weights = [k for k, v in base_state.items() if k.startswith("model_g.") and v.is_floating_point() and v.numel() >= 1024]
    change = [float((after["state_dict"][k] - base_state[k]).norm() / base_state[k].norm()) for k in weights]
    assert len(weights) > 20 and float(np.median(change)) < 0.05  # a fresh initialisation would differ by ~100 %
    print(json.dumps({"fine_tune": tuned, "median_relative_change": round(float(np.median(change)), 5)}, indent=2))


CHAT = """\
12/03/2019, 09:15 - Tom: Morning Grandma! How do you make your apple pie?
12/03/2019, 09:17 - Grandma Rose: Cold butter and a pinch of nutmeg, love, and never open the oven door while it bakes.
14/03/2019, 20:40 - Tom: Where did you meet Grandpa?
14/03/2019, 20:41 - Grandma Rose: At the dance hall in Leeds, in nineteen sixty one.
"""
PIE = "Cold butter and a pinch of nutmeg, love, and never open the oven door while it bakes."


def test_the_device_speaks_with_the_installed_clone_and_discloses_in_the_neutral_voice(
    tiny_persona: Path, tiny_clone: dict, joe, models_dir: Path, cli_env: dict, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """verify --accept-weak installs the tiny clone into an encrypted bundle; `companion converse` then
    answers in the clone, while the earcon's disclosure is spoken by the bundled neutral voice."""
    import hashlib
    import shutil

    from companion.asr.whisper import FasterWhisperRecognizer
    from companion.audio.convert import resample
    from companion.audio.wavfile import read_wav
    from support.cli import words

    key = tmp_path / "persona.key"
    key.write_text("a long family passphrase\n")
    env = dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))
    bundle = tmp_path / "rose-cloned"  # its own persona id in the shared care state
    export = tmp_path / "WhatsApp Chat with Grandma Rose.txt"
    export.write_text(CHAT, encoding="utf-8")
    for args in (["persona", "create", "Grandma Rose", "--dir", str(bundle), "--status", "deceased",
                  "--authorised-by", "Tom", "--relationship", "grandchild", "--audience", "household", "--adult",
                  "--confirm"],
                 ["persona", "import", str(bundle), "--speaker", "Grandma Rose", str(export)]):
        done = run_companion(args, env)
        assert done.returncode == 0, done.stderr[-2000:]

    clone_onnx = Path(tiny_clone["export"]["onnx"])
    shutil.copytree(tiny_persona / "voice" / "dataset", bundle / "voice" / "dataset")  # what `prepare` left
    done = run_companion(["voice", "verify", "--persona", str(bundle), "--voice", str(clone_onnx), "--accept-weak"],
                         env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    verified = json.loads(done.stdout)
    assert verified["accepted_weak"] and verified["installed"] == f"{bundle} (encrypted bundle)"
    assert not (bundle / "voice-model").exists()

    question = tmp_path / "question.wav"
    write_wav_float(question, speak(joe, "How do you make your apple pie?") * 0.6, RATE)
    forced = tmp_path / "bundled-voice.toml"
    forced.write_text("[voice]\nspeak_with_clone = false\n")
    replies = {}
    for name, extra in (("clone", []), ("bundled", ["--config", str(forced)])):
        wav = tmp_path / f"reply-{name}.wav"
        done = run_companion([*extra, "converse", "--persona", str(bundle), "--input", str(question),
                              "--output", str(wav), "--json"], env, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout)
        assert result["disclosed"] and result["reply"].replace(" ", "") == PIE.replace(" ", "")
        assert result["voice"]["neutral"] == "tts-joe-medium"
        replies[name] = (result, wav)
    assert replies["clone"][0]["voice"]["persona"] == f"{bundle} (encrypted bundle)"
    assert replies["bundled"][0]["voice"]["persona"] == "tts-joe-medium"
    # The generation log names the clone that spoke the first reply, by the hash of the installed voice.
    log = [json.loads(line) for line in (Path(env["XDG_STATE_HOME"]) / "companion" / "generation.jsonl")
           .read_text().splitlines()]
    by_id = {entry["utterance_id"]: entry for entry in log}
    assert by_id[replies["clone"][0]["utterance_id"]]["models"]["persona-voice"] == \
        hashlib.sha256(clone_onnx.read_bytes()).hexdigest()
    assert "persona-voice" not in by_id[replies["bundled"][0]["utterance_id"]]["models"]

    # What was heard: the disclosure is clear in both (the neutral voice); the reply's words only when the
    # bundled voice spoke them, since the clone (one tiny epoch) cannot yet speak intelligibly.
    asr = FasterWhisperRecognizer(models_dir / "asr-tiny-en", language="en")
    heard = {}
    for name, (_, wav) in replies.items():
        pcm, rate = read_wav(wav)
        heard[name] = words(asr.transcribe(resample(pcm, rate, 16000), 16000).text)
    disclosure = {"re-creation", "recreation", "creation", "based", "grandma", "rose", "messages", "wrong"}
    pie = words(PIE) - {"a", "and", "of", "the", "it", "love"}
    for name in replies:
        assert len(disclosure & heard[name]) >= 3, (name, heard[name])
    assert len(pie & heard["bundled"]) >= len(pie) // 2, heard["bundled"]
    assert len(pie & heard["clone"]) <= len(pie) // 4, heard["clone"]
    print(json.dumps({"verify": verified, "heard": {k: sorted(v) for k, v in heard.items()}}, indent=2))

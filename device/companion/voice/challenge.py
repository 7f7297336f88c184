"""Liveness-bound consent for a living person's voice (ETHICS C2).

The device issues a random phrase; the person records themselves reading it; that recording is
the enrolment clip. Old voice notes cannot contain a phrase that did not exist when they were
made, so passing this check shows the person took part now. The prepared data and the finished
clone must then match that enrolment by speaker similarity.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import logging
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from ..atomicfile import write_atomic
from ..errors import CompanionError

logger = logging.getLogger(__name__)

CHALLENGE_FILE = "challenge.json"
CHALLENGE_WORDS = 6
VALID_FOR = _dt.timedelta(hours=24)
MIN_MATCH = 0.6
"""Fraction of the phrase's words the recording must say, in order: at least 4 of 6 (ASR mishears some).

An unrelated old recording that says 4 of 6 random words in this order is practically impossible."""
WORD_SIMILARITY = 0.75
"""Spelling similarity (0-1) at which a heard word counts as the phrase's word."""

# Common, mostly multi-syllable English nouns with distinct sounds, which Whisper transcribes
# reliably (short words with near-homophones such as saddle/settle or shovel/shuffle are left out).
_WORDS = (
    "elephant", "umbrella", "volcano", "banana", "telescope", "dinosaur", "kangaroo", "tomato", "piano",
    "octopus", "butterfly", "submarine", "chocolate", "helicopter", "pineapple", "strawberry", "penguin",
    "spider", "tiger", "zebra", "pumpkin", "rainbow", "mountain", "dragon", "guitar", "violin", "lantern",
    "island", "jungle", "carrot", "lemon", "anchor", "rocket", "ocean", "blanket", "monkey", "castle",
    "orange", "yellow", "purple", "window", "engine", "giraffe", "dolphin", "lobster", "cactus", "igloo",
    "helmet", "tunnel", "teapot", "walnut", "parrot", "feather", "thunder", "glacier", "desert", "forest",
    "kitchen", "mirror", "candle", "garden", "silver", "river", "apple", "pencil", "harbor", "falcon",
    "eagle", "library", "hospital", "bicycle", "camera", "basket", "needle", "diamond", "crocodile",
)


class ConsentCheckError(CompanionError):
    """The enrolment does not prove the living person's participation."""


@dataclass(frozen=True)
class Challenge:
    phrase: str
    issued_at: str
    """ISO date-time (UTC) the phrase was generated."""
    expires_at: str

    def expired(self, now: _dt.datetime) -> bool:
        return now > _dt.datetime.fromisoformat(self.expires_at)


def new_challenge(work_dir: Path, *, now: _dt.datetime | None = None) -> Challenge:
    """Generate a random phrase, record it (and its time) in ``work_dir``, and return it."""
    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    words = [secrets.choice(_WORDS) for _ in range(CHALLENGE_WORDS)]
    challenge = Challenge(
        phrase=" ".join(words),
        issued_at=now.isoformat(timespec="seconds"),
        expires_at=(now + VALID_FOR).isoformat(timespec="seconds"),
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / CHALLENGE_FILE
    write_atomic(path, json.dumps(asdict(challenge), indent=2) + "\n")
    logger.info("issued a voice challenge phrase, valid until %s", challenge.expires_at)
    return challenge


def load_challenge(work_dir: Path) -> Challenge:
    path = work_dir / CHALLENGE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Challenge(phrase=str(data["phrase"]), issued_at=str(data["issued_at"]), expires_at=str(data["expires_at"]))
    except FileNotFoundError:
        raise ConsentCheckError("no challenge phrase was issued for this persona", where=str(path),
                                hint="run `companion voice challenge --persona DIR` and record the person reading it") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConsentCheckError(f"the challenge record is unreadable ({exc})", where=str(path),
                                hint="issue a new one with `companion voice challenge`") from None


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation (for comparing a transcript with the phrase)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def words_alike(a: str, b: str) -> bool:
    """The ASR may mishear a sound of an isolated word ("basket" -> "asket"): close spellings count."""
    return a == b or difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() >= WORD_SIMILARITY


def phrase_match(expected: str, heard: str) -> float:
    """How much of ``expected`` was said, in order: matched words / words in the phrase.

    A longest common subsequence over words, where near-identical spellings match.
    """
    want, got = normalise_words(expected), normalise_words(heard)
    if not want:
        return 0.0
    prev = [0] * (len(got) + 1)
    for w in want:
        row = [0] * (len(got) + 1)
        for j, g in enumerate(got, start=1):
            row[j] = max(prev[j], row[j - 1], prev[j - 1] + (1 if words_alike(w, g) else 0))
        prev = row
    return prev[len(got)] / len(want)


def check_enrolment(challenge: Challenge, transcript: str, *, now: _dt.datetime, where: str) -> float:
    """Raise unless the enrolment transcript says the (unexpired) challenge phrase; returns the match."""
    if challenge.expired(now):
        raise ConsentCheckError(f"the challenge phrase expired at {challenge.expires_at}", where=where,
                                hint="issue a new one with `companion voice challenge` and record it again")
    if now < _dt.datetime.fromisoformat(challenge.issued_at):
        raise ConsentCheckError("the challenge phrase is dated in the future", where=where)
    match = phrase_match(challenge.phrase, transcript)
    if match < MIN_MATCH:
        raise ConsentCheckError(
            f"the enrolment clip does not say the challenge phrase (heard {transcript!r}, "
            f"{match:.0%} of the words)", where=where,
            hint=f"record the person reading exactly: \"{challenge.phrase}\"")
    return match


def is_living(persona_dir: Path, *, key_file: str | Path | None = None, now: _dt.datetime | None = None) -> bool:
    """Whether the person is alive, from the persona's signed consent record (ETHICS C1/C2).

    An encrypted bundle keeps its record inside (it is unlocked to read it, with ``key_file`` or
    the usual key sources); a plain folder has ``consent.json``. The record must be valid now: a
    voice is never cloned for a persona without consent. No record is an error, not "deceased".
    """
    from ..consent import LIVING, ConsentError, ConsentRecord, check_consent, default_authority
    from ..persona.bundle.store import is_bundle

    persona_dir = Path(persona_dir)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if is_bundle(persona_dir):
        from ..persona.bundle.keys import BundleError, read_secret
        from ..persona.bundle.store import Bundle, database_errors_as_bundle_errors

        try:
            secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {persona_dir}")
            with database_errors_as_bundle_errors(persona_dir), Bundle.open(persona_dir, secret) as bundle:
                record = bundle.check_consent(now=now)
        except BundleError as exc:  # say why the bundle was opened, keep what went wrong and what to do
            raise ConsentCheckError(f"cannot read the bundle's consent record (living or deceased): {exc.what}",
                                    where=exc.where or str(persona_dir), hint=exc.hint) from None
        return record.status == LIVING
    record_path = persona_dir / "consent.json"
    try:
        record = ConsentRecord.from_json(record_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConsentCheckError(
            "the persona has no consent record, so it is not known whether the person is living",
            where=str(persona_dir),
            hint="create the persona with `companion persona create` (it records consent and living/deceased)",
        ) from None
    except (OSError, ConsentError) as exc:
        raise ConsentCheckError(f"cannot read the consent record ({exc})", where=str(record_path),
                                hint="re-create the persona with `companion persona create`") from None
    check_consent(record, now=now, where=str(record_path), trusted=default_authority().trusted_keys())
    return record.status == LIVING

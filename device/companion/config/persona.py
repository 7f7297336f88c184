"""Settings for who the device speaks as and how turns are taken."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..remote.link import parse_uri
from .check import check

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEMO_PERSONA_DIR = PACKAGE_DIR / "personas" / "walter"


@dataclass(frozen=True)
class PersonaSettings:
    """Who the device speaks as."""

    dir: str = ""
    """Persona folder or encrypted persona bundle (`companion persona create`); "" is the bundled fictional demo persona."""
    key_file: str = ""
    """File holding a persona bundle's passphrase; used when $CREDENTIALS_DIRECTORY/persona-key
    (systemd LoadCredential) is absent; "" = prompt for the passphrase on a terminal."""
    engine: str = "retrieval"
    """The persona engine; "retrieval" answers with the person's own closest message, "lm" lets the
    on-device language model phrase answers from the retrieved messages, "auto" uses the engine
    that won `companion persona eval` on this persona's data (retrieval when never evaluated)."""
    embedding_model: str = "embed-minilm"
    min_score: float = 0.45
    """Below this similarity the persona says it does not remember instead of guessing."""
    lm_model: str = "lm-smollm2-135m-int8"
    """The built persona language model (a folder in the models folder, see `companion models build-lm`);
    a persona's own fine-tuned model (lm/ in its folder) takes precedence."""
    lm_threads: int = 0
    """Threads for the language model; 0 = all of a 2-core board, cores - 1 (at most 4) on bigger ones."""
    play_recordings: bool = True
    """When the answer is a passage of the person's own voice note or video (imported with the chat,
    see `persona add-recordings`), play the recording itself instead of synthesizing its words."""
    uri: str = ""
    """A `companion serve` persona server on the home network, e.g. "tcp://192.168.1.20:10700";
    "" = answer on the device. Needs the consent record's home-server permission; the local engine
    is the fall-back, and consent, disclosure, crisis check and watermark stay on the device."""
    remote_timeout_s: float = 8.0
    """Time budget for the server's first words and between later ones; after it the local engine answers."""

    def validate(self, where: str) -> None:
        check(0.1 <= self.remote_timeout_s <= 120.0, f"{where}.remote_timeout_s", "must be 0.1-120 s")
        if self.uri:
            parse_uri(self.uri, f"{where}.uri")
        check(self.engine in ("retrieval", "lm", "auto"), f"{where}.engine", 'must be "retrieval", "lm" or "auto"')
        check(0.0 <= self.min_score < 1.0, f"{where}.min_score", "must be in [0, 1)")
        check(bool(self.lm_model.strip()) and "/" not in self.lm_model, f"{where}.lm_model", "must be a model name")
        check(0 <= self.lm_threads <= 64, f"{where}.lm_threads", "must be 0-64")

    @property
    def path(self) -> Path:
        return Path(self.dir).expanduser() if self.dir else DEMO_PERSONA_DIR


@dataclass(frozen=True)
class ConversationSettings:
    """Turn-taking."""

    follow_up_s: float = 5.0
    """After a reply, listen this long for a follow-up question without the wake word; 0 = off."""
    history_turns: int = 12
    """Past exchanges of this session the persona engine sees; its memory of the conversation (the
    listener's name, their news, the topic) reaches back this far. Cleared at the session gap."""

    def validate(self, where: str) -> None:
        check(0.0 <= self.follow_up_s <= 30.0, f"{where}.follow_up_s", "must be 0-30 s")
        check(0 <= self.history_turns <= 20, f"{where}.history_turns", "must be 0-20")

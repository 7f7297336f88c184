"""The persona's captioned photos, read from the encrypted bundle on demand, never written out.

Only the list (id, caption, type, whether the browser can show it) is kept in memory; a photo's
bytes are decrypted by SQLCipher when the slideshow asks for it and handed straight to the HTTP
response (``Cache-Control: no-store``, so Chromium keeps no copy in its disk cache). Memory stays
bounded however many photos a family adds.

Anything that keeps photos from showing (a plain persona folder, no photos yet, no key, an
erased or damaged bundle, a photo the browser cannot decode) becomes a ``note`` the page shows,
never an empty screen.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SHOWABLE = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "image/bmp": (b"BM",),
}
"""What Chromium decodes, by the bytes each format starts with (HEIC it cannot show)."""


@dataclass(frozen=True)
class PhotoInfo:
    id: int
    caption: str
    mime: str
    showable: bool


@dataclass(frozen=True)
class PersonaCard:
    display_name: str
    language: str
    retired: bool = False


def sniff_ok(mime: str, head: bytes) -> bool:
    """True when the bytes look like the image type the browser will be told they are."""
    signatures = SHOWABLE.get(mime)
    if signatures is None:
        return False
    if mime == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return any(head.startswith(s) for s in signatures)


class PhotoSource:
    """The photos of one persona; ``note`` says why there are none to show."""

    def __init__(self, persona_dir: Path, *, key_file: str = "") -> None:
        self.persona_dir = Path(persona_dir)
        self.key_file = key_file
        self.photos: list[PhotoInfo] = []
        self.note = ""
        """Why no photo shows: "", "folder", "none_yet", "cannot_open", "cannot_read", "none_showable", "retired"."""
        self.detail = ""
        """The error behind "cannot_open"/"cannot_read" (English, for the log and the page)."""
        self.card = PersonaCard(display_name=self.persona_dir.name, language="en")
        self._bundle: Any = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Read the card and the photo list (blocking: call from a worker thread)."""
        from ..persona.bundle.store import ERASED_FILE, is_bundle

        if not is_bundle(self.persona_dir):
            self._open_folder()
            return
        if (self.persona_dir / ERASED_FILE).exists():
            self.card = PersonaCard(display_name=self.card.display_name, language="en", retired=True)
            self.note = "retired"
            return
        self._open_bundle()

    def _open_folder(self) -> None:
        from ..errors import CompanionError
        from ..persona.folder import load_persona_folder

        try:
            folder = load_persona_folder(self.persona_dir)
        except CompanionError as exc:
            self.note, self.detail = "cannot_read", exc.what
            return
        self.card = PersonaCard(folder.display_name, folder.language)
        self.note = "folder"

    def _open_bundle(self) -> None:
        from ..errors import CompanionError
        from ..persona.bundle.keys import read_secret
        from ..persona.bundle.store import Bundle, database_errors_as_bundle_errors

        bundle = None
        try:
            secret = read_secret(settings_key_file=self.key_file or None, prompt_name=f"persona bundle {self.persona_dir}")
            with database_errors_as_bundle_errors(self.persona_dir):
                bundle = Bundle.open(self.persona_dir, secret)
                card = bundle.card
                self.card = PersonaCard(card.display_name, card.language)
                bundle.check_consent()
        except CompanionError as exc:
            if bundle is not None:
                bundle.close()
            self.note, self.detail = "cannot_open", exc.what
            logger.warning("frame: %s", exc.message)
            return
        self._bundle = bundle
        self.refresh()

    def refresh(self) -> None:
        """Re-read the list (photos added since start appear); blocking."""
        if self._bundle is None:
            return
        from ..errors import CompanionError
        from ..persona.bundle.store import database_errors_as_bundle_errors

        try:
            with self._lock, database_errors_as_bundle_errors(self.persona_dir):
                rows = list(self._bundle.db.execute("SELECT id, caption, mime, substr(data, 1, 16) FROM photos ORDER BY id"))
        except CompanionError as exc:
            self.note, self.detail = "cannot_read", exc.what
            self.photos = []
            return
        photos = [PhotoInfo(int(i), str(c), str(m), sniff_ok(str(m), bytes(h))) for i, c, m, h in rows]
        bad = sum(not p.showable for p in photos)
        if bad:
            logger.warning("frame: %d of %d photos cannot be shown (not JPEG, PNG, GIF, WebP or BMP, or damaged)",
                           bad, len(photos))
        self.photos = photos
        if not photos:
            self.note = "none_yet"
        elif bad == len(photos):
            self.note = "none_showable"
        else:
            self.note = ""

    def data(self, photo_id: int) -> tuple[str, bytes] | None:
        """(mime, bytes) of one showable photo, decrypted into memory; None if there is none."""
        info = next((p for p in self.photos if p.id == photo_id and p.showable), None)
        if info is None or self._bundle is None:
            return None
        with self._lock:
            row = self._bundle.db.execute("SELECT data FROM photos WHERE id = ?", (photo_id,)).fetchone()
        return None if row is None else (info.mime, bytes(row[0]))

    def close(self) -> None:
        with self._lock:
            if self._bundle is not None:
                self._bundle.close()
                self._bundle = None

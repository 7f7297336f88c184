"""What the companion device adds to Wyoming's ``handle`` protocol, shared by both ends.

The device (persona/wyoming_client.py) sends them and `companion serve` (homeserver/serve.py) reads
them; other clients (Home Assistant) leave them out and get the plain protocol.
"""

from __future__ import annotations

HISTORY_KEY = "companion_history"
"""In the transcript's context: the exchanges the listener actually heard, as [question, reply] pairs."""
DISCLOSES_KEY = "companion_discloses"
"""In the transcript's context: the device speaks the AI disclosure itself, in its neutral voice."""
SOURCE_KEY = "companion_source"
"""Extra data on each handled-chunk: where the piece came from (content-free; others ignore it)."""

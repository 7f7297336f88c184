"""The person's own recorded voice: voice notes and videos imported with the chat (issue 20).

Recordings live encrypted inside the persona bundle (persona/bundle/recordings.py), are imported
from exports and loose folders here (sources.py, importer.py, transcribe.py) and, when one answers
a question, are played as they were recorded (persona/recorded.py) instead of being synthesized.
They also give voice preparation its clips (voiceset.py).
"""

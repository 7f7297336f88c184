"""The person's own recorded voice: voice notes and videos imported with the chat (issue 20).

Recordings live encrypted inside the persona bundle (store.py), are imported from exports and
loose folders (sources.py, importer.py) and, when one answers a question, are played as they were
recorded (playback.py) instead of being synthesized.
"""

"""`companion bench`: conversation speed through the real pipeline, at real-time pace.

Spoken questions (synthesized once with the bundled Piper voice, cached) go through the exact
pipeline `companion run` uses, fed by a paced microphone and played on a paced speaker, so the
turn latency it reports (true end of speech -> first reply sample) is what a person would wait.
"""

"""The device's link to a home server (Wyoming): one connection with a deadline, the address rules,
the fall-back rule, and the persona protocol's keys.

A low package of its own (it imports only ``errors``), so the settings can check an address, the
remote adapters of ``asr/``, ``tts/`` and ``persona/`` can talk to a server, and ``companion serve``
can answer them, without any of those importing the others.
"""

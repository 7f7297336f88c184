"""companion: an offline voice companion that answers in a loved one's words and voice."""

import os

# ONNX Runtime (1.29+) and ONNX Runtime GenAI record usage telemetry on Linux too: a device id
# and an offline event database under ~/.cache/Microsoft, uploaded to Microsoft whenever a
# network is there. Nothing leaves the house, so it is switched off here, before either library
# is imported by any part of the package; not setdefault, so an environment cannot turn it on.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"

"""Voice cloning: from a family's recordings to a Piper voice (`companion voice ...`).

Build-time only (pyproject extra ``[train]``): torch, lightning, piper.train and resemblyzer are
imported inside these modules and never by the device runtime, which only loads the exported
ONNX voice like any other Piper voice.
"""

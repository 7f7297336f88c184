"""Long-running tests of the live service (soak.py) and the helpers they share."""

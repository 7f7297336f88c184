"""Build-time tools (the [build] extra): never imported by the device runtime."""

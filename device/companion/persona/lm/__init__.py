"""The on-device LM persona engine (onnxruntime-genai): grounded in the person's real words."""

"""The encrypted, consented persona bundle: store, keys, importer, memory index, maintenance."""

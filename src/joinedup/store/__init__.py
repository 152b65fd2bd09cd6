"""joinedup.store."""

"""joinedup.engines."""

"""joinedup.sources."""

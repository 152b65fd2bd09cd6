"""joinedup.sources.synthetic."""

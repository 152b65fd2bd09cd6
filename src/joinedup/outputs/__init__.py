"""joinedup.outputs."""

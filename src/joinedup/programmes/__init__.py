"""joinedup.programmes."""

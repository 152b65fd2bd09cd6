"""joinedup.programmes.af."""

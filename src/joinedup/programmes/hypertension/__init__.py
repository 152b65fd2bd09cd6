"""joinedup.programmes.hypertension."""

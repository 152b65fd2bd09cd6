"""joinedup: run an integrated care system as one partnership.

The package is layered so that the domain (organisations, programmes, measures, targeting, impact)
never imports an engine, a file format or a web framework; sources and engines plug into it.
"""

__version__ = "0.1.0"

"""Command-line interface: thin commands over the Python API, one module per command group."""

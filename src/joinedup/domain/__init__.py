"""The pure core: no database engine, file format or web framework is imported from here."""

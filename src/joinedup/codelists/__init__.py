"""Packaged clinical codelists (SNOMED CT and dm+d CSV files). See SOURCES.md."""

"""The shared care record: FHIR R4 (4.0.1) resources for every patient, from every source.

Why a package of its own: the record is a capability beside find and treat and the waiting
lists (DESIGN.md, "Layers"). It keeps versioned FHIR resources in the operational database
(SQLite or PostgreSQL, through SQLAlchemy Core), validates them against FHIR R4 4.0.1 and the UK
Core rules that matter, indexes them for search, works out each patient's care relationships,
and queues admission and discharge notifications for delivery. It knows nothing of HTTP routes,
users or audit: the use cases in `joinedup.app.record` wire it to the server (docs/record.md).
"""

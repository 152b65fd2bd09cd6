"""The web surface of `joinedup serve`: dashboard pages, the JSON API and (soon) the FHIR API.

Why one package: the pages, `/api` and `/fhir` share one ASGI app, one set of users and one audit
log (DESIGN.md, "One server, one set of users"). This package parses requests, authorises them
through `require(permission)` and renders answers; the work itself is done by the use cases in
`joinedup.app`, the only package it imports from joinedup. Build the app with
`joinedup.web.app.create_app(settings)`.
"""

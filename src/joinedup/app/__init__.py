"""The use cases: what a user asks joinedup to do, each a plain function over a typed request.

Why a layer of its own: the CLI, the web dashboard, the FHIR API and scripts all call the same
use cases, so the wiring of store, engines, sources, domain and outputs is written once, here, and
nowhere else. Surfaces (``cli/``, ``web/``) import only this package, lazily inside each command or
route, so starting the CLI loads no engine. The layer contract (``.importlinter``) checks that
nothing below imports it.
"""

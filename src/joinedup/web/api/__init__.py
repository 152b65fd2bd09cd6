"""The JSON API under `/api`, described by the OpenAPI document at `/api/openapi.json`.

Scripts authenticate with `Authorization: Bearer <token>` (from `joinedup users add … --token`);
a signed-in browser may read with its session cookie. Each module exposes `router`; the dashboard
adds its endpoints (every figure a page shows) as modules here and lines in
`joinedup.web.app.ROUTERS`.
"""

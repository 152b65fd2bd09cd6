"""The dashboard's HTML pages, one module per area; each exposes `router`.

Dashboard pages (the partnership plan, find and treat, worklists) add a module here and a line in
`joinedup.web.app.ROUTERS`.
"""

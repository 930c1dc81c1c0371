"""The clinic web app (FastAPI): `ldn.web.app.create_app`, started by `ldn serve`.

See docs/web.md: pages, JSON API under /api/v1, sessions, CSRF, throttling, roles.
"""

"""The clinic web app: `create_app(settings=None, registry=None) -> FastAPI`.

Layout (routes stay thin: they parse input, call `ldn.registry.services`, and render):

    /api/v1/...        JSON API (OpenAPI at /openapi.json, docs at /docs); bearer token from
                       POST /api/v1/auth/token, or the browser session cookie + X-CSRF-Token
    /login, /logout    session login (form + CSRF), throttled; sessions are database rows
                       (`ldn.web.sessions`), so logout ends them everywhere
    /patients...       server-rendered pages (Jinja2) with forms for patients, prescriptions,
                       assessments and side effects; /cohort dashboard; /data import/export

The registry (engine + sessions) is opened from `settings.database_url` (migrated to the
newest schema) unless the caller passes one, e.g. a test fixture's database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from ldn import __version__
from ldn.registry.accounts import warm_dummy_hash
from ldn.registry.db import Registry, open_registry
from ldn.web.cohort_cache import CohortCache
from ldn.web.config import WebSettings, resolve_secret_key
from ldn.web.errors import install_error_handlers
from ldn.web.headers import SecurityHeadersMiddleware
from ldn.web.limits import BodyLimitMiddleware
from ldn.web.security import HashGate, LoginThrottle
from ldn.web.sessions import SessionStore
from ldn.web.templating import STATIC_DIR
from ldn.web.user_cache import UserCache

SESSION_COOKIE = "ldn_session"


def create_app(settings: WebSettings | None = None, registry: Registry | None = None) -> FastAPI:
    """Build the app. Without `registry`, the database at `settings.database_url` is opened
    (created and migrated on first use) and closed when the app shuts down."""
    from ldn.web.api import api_router
    from ldn.web.pages import pages_router

    settings = settings or WebSettings()
    secret_key = resolve_secret_key(settings)
    owns_registry = registry is None
    registry = registry or open_registry(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # sync work (database, analyses) runs in AnyIO's threadpool; its size is a setting
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # the dummy hash that unknown and switched-off accounts are checked against, made now
        # so that the first such login costs one hash check like every other
        await anyio.to_thread.run_sync(warm_dummy_hash)
        yield
        if owns_registry:
            registry.dispose()

    app = FastAPI(
        title="ldn clinic registry",
        version=__version__,
        description=(
            "Pseudonymous registry of low-dose naltrexone patients: prescriptions, outcome "
            "assessments, side effects, per-patient N-of-1 analysis and cohort summaries. "
            "Authenticate with a bearer token from `POST /api/v1/auth/token`."
        ),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI / ReDoc load their assets from a CDN; /api lists the routes
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.tokens = SessionStore(registry, max_age_s=settings.session_max_age_s)
    app.state.throttle = LoginThrottle(
        settings.login_max_failures,
        settings.login_window_s,
        max_failures_per_address=settings.login_max_failures_per_address,
    )
    app.state.hash_gate = HashGate(settings.login_concurrency, settings.login_queue)
    app.state.cohort_cache = CohortCache(settings.cohort_cache_s)
    app.state.user_cache = UserCache(settings.user_cache_s)

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware)  # outermost: before sessions, routing and auth
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    return app

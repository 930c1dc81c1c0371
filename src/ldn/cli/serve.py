"""`ldn serve`: run the clinic web app with uvicorn on 127.0.0.1:8000 by default."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    database: str | None = typer.Option(
        None, "--database", help="Registry database URL (default: LDN_DATABASE_URL or SQLite)."
    ),
    workers: int = typer.Option(1, min=1, max=32, help="Server worker processes."),
) -> None:
    """Start the clinic registry web app (pages, JSON API at /api/v1, schema at /openapi.json)."""
    import os

    import uvicorn
    from rich.console import Console

    from ldn.registry.config import resolve_database_url
    from ldn.registry.db import open_registry
    from ldn.web.config import WebSettings, resolve_secret_key

    url = resolve_database_url(database)
    settings = WebSettings(database_url=url)
    resolve_secret_key(settings)  # refuse an unsafe secret before binding the port
    registry = open_registry(url)  # create / migrate once, before workers start
    registry.dispose()
    os.environ["LDN_DATABASE_URL"] = url  # the factory below reads it (also in workers)

    console = Console(stderr=True)
    shown_host = f"[{host}]" if ":" in host else host
    console.print(f"ldn registry on [bold]http://{shown_host}:{port}/[/]  (database: {url})")
    console.print(
        "Log in with a user from `ldn registry demo-data` (it prints the demo passwords) or "
        "`ldn registry create-user`. API schema: /openapi.json. Stop with Ctrl+C."
    )
    uvicorn.run(
        "ldn.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )

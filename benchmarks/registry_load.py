"""Load benchmark of the registry API: 50 concurrent clients on SQLite and on PostgreSQL.

For each back end: a fresh database (SQLite file in a temp dir; PostgreSQL schema
`ldn_bench_<hex>` in the database at `LDN_TEST_POSTGRES_URL`, dropped afterwards) filled with
`ldn registry demo-data` (60 patients), the app served by uvicorn (`WORKERS` processes) on a
free loopback port, then `CLIENTS` concurrent clients (one keep-alive connection each)
log in as the demo clinician and send `REQUESTS_PER_CLIENT` requests each, cycling through the
main routes: list patients, get a patient, add an assessment, cohort summary. Two phases:

- `saturated`: each client sends its next request as soon as the last one is answered (a closed
  loop without pauses: measures the server's throughput; latency ≈ clients / throughput);
- `paced`: each client pauses `THINK_S` (uniform) between requests, like a person using the app.

Recorded per phase, route and back end: p50/p95/p99 latency (ms), throughput (requests/s) and
error counts. Bounded in requests and time (`TIME_LIMIT_S`); only talks to 127.0.0.1.

The load generator shares the machine's cores with the server, so it is kept light (one
keep-alive connection per client through httpcore, uvloop when installed) and what it cost
is reported with the results: CPU seconds of the server processes and of the load generator
per request (`server_cpu_ms_per_request`, `client_cpu_ms_per_request`), and the machine's
load average before each phase (other work on the machine inflates the tail). A request that
fails without an HTTP answer (e.g. a 30 s timeout) counts as an error and its time as latency.

Target: p95 < 50 ms per route.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

RESULT_NAME = "registry.json"
CLIENTS = 50
REQUESTS_PER_CLIENT = 20
THINK_S = (0.5, 1.5)
WORKERS = 1
UVICORN_ARGS: tuple[str, ...] = ()  # e.g. ("--loop", "asyncio", "--http", "h11") to compare
TIME_LIMIT_S = 120.0
TARGET_P95_MS = 50.0
DEMO_PATIENTS = 60
ROUTES = ("list_patients", "get_patient", "add_assessment", "cohort_summary")
POSTGRES_URL = os.environ.get(
    "LDN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_SECRET = "benchmark-secret-key-0123456789-abcdefghijkl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ldn-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.sqlite'}"


@contextmanager
def _postgres_url() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"ldn_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _seed(url: str) -> None:
    from ldn.registry.db import open_registry
    from ldn.registry.demo_data import fill_demo

    registry = open_registry(url)
    try:
        with registry.session() as session:
            fill_demo(session=session, n_patients=DEMO_PATIENTS, seed=1)
    finally:
        registry.dispose()


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process `pid` and its live children (Linux
    /proc; None elsewhere)."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        todo = [pid]
        while todo:
            p = todo.pop()
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        return total
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def _server(url: str) -> Iterator[tuple[str, int]]:
    """uvicorn on a free loopback port, stopped (and waited for) afterwards."""
    port = _free_port()
    env = {**os.environ, "LDN_DATABASE_URL": url, "LDN_SECRET_KEY": _SECRET}
    cmd = [
        sys.executable, "-m", "uvicorn", "ldn.web.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
        "--log-level", "warning", "--no-access-log", *UVICORN_ARGS,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_TIMEOUTS = {"connect": 30.0, "read": 30.0, "write": 30.0, "pool": 30.0}


async def _send(
    pool: Any, base: str, route: str, auth: bytes, pid: int, day: date, rng: random.Random
) -> int:
    """One request of `route` on the client's keep-alive connection; its HTTP status."""
    headers = [(b"Authorization", auth)]
    body = None
    method, path = "GET", f"/api/v1/patients/{pid}"
    if route == "list_patients":
        path = "/api/v1/patients?limit=50"
    elif route == "add_assessment":
        method, path = "POST", f"/api/v1/patients/{pid}/assessments"
        data = {"scale": "pain_nrs", "value": rng.randrange(11), "assessed_on": str(day)}
        body = json.dumps(data).encode()
        headers.append((b"Content-Type", b"application/json"))
    elif route == "cohort_summary":
        path = "/api/v1/cohort/summary"
    r = await pool.request(
        method, base + path, headers=headers, content=body, extensions={"timeout": _TIMEOUTS}
    )
    return int(r.status)


def _run_load(base: str, server_pid: int, think_s: tuple[float, float] | None) -> dict[str, Any]:
    """One phase on a fresh event loop (uvloop when installed), with its CPU bill."""
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:  # plain asyncio
        loop_factory = None
    load_avg = [round(x, 2) for x in os.getloadavg()]
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(_load(base, server_pid, think_s))
    result["load_average_before"] = load_avg
    result["client_event_loop"] = "uvloop" if loop_factory is not None else "asyncio"
    result["client_http"] = "httpcore, 1 keep-alive connection per client"
    return result


async def _load(base: str, server_pid: int, think_s: tuple[float, float] | None) -> dict[str, Any]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as setup:
        r = await setup.post(
            "/api/v1/auth/token", json={"username": "clinician", "password": "ldn-demo-clinician"}
        )
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        listed = (await setup.get("/api/v1/patients?limit=1000", headers=headers)).json()
        ids = [p["id"] for p in listed["data"]]
        warm = time.perf_counter()
        (await setup.get("/api/v1/cohort/summary", headers=headers)).raise_for_status()
        cohort_build_s = time.perf_counter() - warm

    samples: dict[str, list[float]] = {name: [] for name in ROUTES}
    errors: dict[str, int] = {name: 0 for name in ROUTES}
    deadline = time.monotonic() + TIME_LIMIT_S

    # The measured requests go through httpcore (httpx's own transport) without httpx's
    # request/response models: the same keep-alive HTTP/1.1, at about 40 % less client CPU per
    # request, which leaves more of the shared cores to the server.
    import httpcore

    auth = headers["Authorization"].encode()
    network_errors = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError)

    async def client(k: int) -> None:
        rng = random.Random(k)
        async with httpcore.AsyncConnectionPool(max_connections=1) as pool:
            for i in range(REQUESTS_PER_CLIENT):
                if time.monotonic() > deadline:
                    return
                if think_s is not None:
                    await asyncio.sleep(rng.uniform(*think_s))
                route = ROUTES[(k + i) % len(ROUTES)]
                pid = rng.choice(ids)
                day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
                t0 = time.perf_counter()
                try:
                    status = await _send(pool, base, route, auth, pid, day, rng)
                except network_errors:  # e.g. a timeout: an error, and its time is latency
                    status = None
                elapsed_ms = (time.perf_counter() - t0) * 1000
                samples[route].append(elapsed_ms)
                if status is None or status >= 400:
                    errors[route] += 1

    server_cpu0, client_cpu0 = _cpu_s(server_pid), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(CLIENTS)))
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu0
    server_cpu1 = _cpu_s(server_pid)
    routes = {}
    for name, values in samples.items():
        arr = np.asarray(values)
        routes[name] = {
            "requests": int(arr.size),
            "errors": errors[name],
            "p50_ms": round(float(np.percentile(arr, 50)), 1) if arr.size else None,
            "p95_ms": round(float(np.percentile(arr, 95)), 1) if arr.size else None,
            "p99_ms": round(float(np.percentile(arr, 99)), 1) if arr.size else None,
        }
    total = sum(len(v) for v in samples.values())
    server_cpu = (
        server_cpu1 - server_cpu0 if server_cpu0 is not None and server_cpu1 is not None else None
    )
    return {
        "routes": routes,
        "requests": total,
        "wall_s": round(wall, 2),
        "throughput_rps": round(total / wall, 1),
        "server_cpu_ms_per_request": (
            round(1000 * server_cpu / total, 2) if server_cpu is not None and total else None
        ),
        "client_cpu_ms_per_request": round(1000 * client_cpu / total, 2) if total else None,
        "cohort_report_build_s": round(cohort_build_s, 2),
        "p95_target_met": all(
            r["p95_ms"] is not None and r["p95_ms"] < TARGET_P95_MS for r in routes.values()
        ),
    }


def _backend(make_url: Any) -> dict[str, Any]:
    with make_url() as url:
        t0 = time.perf_counter()
        _seed(url)
        seed_s = time.perf_counter() - t0
        with _server(url) as (base, pid):
            result = {
                "saturated": _run_load(base, pid, None),
                "paced": _run_load(base, pid, THINK_S),
            }
    result["seed_s"] = round(seed_s, 1)
    return result


def run() -> dict[str, Any]:
    """Measure both back ends; PostgreSQL is reported as skipped when unreachable."""
    out: dict[str, Any] = {
        "clients": CLIENTS,
        "requests_per_client": REQUESTS_PER_CLIENT,
        "server_workers": WORKERS,
        "uvicorn_args": list(UVICORN_ARGS),
        "cpu_count": os.cpu_count(),
        "think_s_paced": list(THINK_S),
        "demo_patients": DEMO_PATIENTS,
        "target_p95_ms": TARGET_P95_MS,
        "backends": {"sqlite": _backend(_sqlite_url)},
    }
    try:
        out["backends"]["postgresql"] = _backend(_postgres_url)
    except Exception as exc:  # unreachable server: report why instead of failing the run
        out["backends"]["postgresql"] = {"skipped": f"{type(exc).__name__}: {exc}"[:300]}
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))

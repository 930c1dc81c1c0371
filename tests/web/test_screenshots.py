"""Screenshots of every page at desktop (1280 px) and phone (390 px) widths, from a server
filled with synthetic demo patients, into test-artifacts/pages/ (gitignored), and layout checks
a clinician would notice: nothing wider than the screen, tables that fit their cards, no raw
column names, `nan` or `False` on the cohort page, citations instead of file names."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ldn.registry.db import open_registry
from ldn.registry.demo_data import fill_demo

from .test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
RAW_NAMES = re.compile(
    r"\b(n_evaluable|responder_rate|ci95_low|trial_[a-z_]+|dose_band|n_patients_exposed|"
    r"rate_per_100_pm|mean_improvement_in_mid|nan|NaN|False|True)\b"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed"),
]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn on a free loopback port, 24 synthetic demo patients in two clinics."""
    import uvicorn

    from ldn.web.app import create_app

    from .conftest import settings

    path = tmp_path_factory.mktemp("screens") / "demo.sqlite"
    registry = open_registry(f"sqlite:///{path}")
    with registry.session() as s:
        fill_demo(session=s, n_patients=24, seed=3)
    port = _free_port()
    app = create_app(settings(), registry=registry)
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        registry.dispose()


def _overflowing(page: object) -> list[str]:
    """Elements wider than their box: the page itself, cards and table wrappers."""
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """() => {
            const bad = [];
            const doc = document.documentElement;
            if (doc.scrollWidth > doc.clientWidth + 1) bad.push(`page ${doc.scrollWidth}px`);
            for (const el of document.querySelectorAll('.card, .table-wrap')) {
                if (el.scrollWidth > el.clientWidth + 1)
                    bad.push(`${el.className} in "${(el.closest('section')?.querySelector('h2')
                        ?.textContent || '').trim()}" ${el.scrollWidth}>${el.clientWidth}`);
            }
            return bad;
        }"""
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_fits_and_reads_well(demo_server: str, width: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    w, h = WIDTHS[width]
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": w, "height": h})
            page.goto(f"{demo_server}/login")
            page.screenshot(path=str(ARTIFACTS / f"{width}-01-login.png"), full_page=True)
            page.get_by_label("Username").fill("clinician")
            page.get_by_label("Password").fill("ldn-demo-clinician")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Patients")).to_be_visible()
            first = page.locator("table a[href^='/patients/']").first.get_attribute("href")
            shots = [
                ("02-patients", "/patients"),
                ("03-new-patient", "/patients/new"),
                ("04-patient", str(first)),
                ("05-cohort", "/cohort"),
                ("06-data", "/data"),
                ("07-api", "/api"),
                ("08-not-found", "/patients/999999"),
            ]
            for name, url in shots:
                page.goto(f"{demo_server}{url}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(ARTIFACTS / f"{width}-{name}.png"), full_page=True)
                problems += [f"{url}: {p}" for p in _overflowing(page)]
                if name == "05-cohort":
                    text = page.locator("main").inner_text()
                    problems += [f"/cohort shows {m!r}" for m in set(RAW_NAMES.findall(text))]
                if name == "04-patient":
                    text = page.locator("main").inner_text()
                    if ".md" in text or "shared facts" in text:
                        problems.append("patient page cites an internal file")
        finally:
            browser.close()
    assert not problems, "\n".join(problems)

"""Browser test: Debian's Chromium, driven by Playwright, through the clinician's main path.

login → add patient → add prescription and assessments → the patient page shows the N-of-1
plot. A real uvicorn server runs in a thread on a free loopback port with a fresh SQLite
database; screenshots go to test-artifacts/browser/ (gitignored).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ldn.registry.db import open_registry
from ldn.registry.models import Clinic, User
from ldn.registry.security import hash_password
from registry_fixtures import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1:<free port>, one clinician in a fresh database."""
    import uvicorn

    from ldn.web.app import create_app

    from .conftest import settings

    registry = open_registry(f"sqlite:///{tmp_path / 'browser.sqlite'}")
    with registry.session() as s:
        clinic = Clinic(name="Demo clinic")
        s.add(clinic)
        s.flush()
        s.add(
            User(
                username="dr_who",
                password_hash=hash_password(PASSWORD),
                role="clinician",
                clinic_id=clinic.id,
            )
        )
        s.commit()
    port = _free_port()
    app = create_app(settings(), registry=registry)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
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


def test_login_add_patient_assessments_and_see_n_of_1(server: str) -> None:  # noqa: PLR0915 (one browser walk-through, step by step)
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    start = date(2025, 3, 1)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{server}/")
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
            page.get_by_label("Username").fill("dr_who")
            page.get_by_label("Password").fill(PASSWORD)
            page.screenshot(path=str(ARTIFACTS / "01-login.png"))
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_text("Logged in as dr_who (clinician).")).to_be_visible()
            # the Secure session cookie survived plain http on 127.0.0.1
            cookie = next(c for c in page.context.cookies() if c["name"] == "ldn_session")
            assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

            page.get_by_role("link", name="Add patient").click()
            page.get_by_label("Patient code").fill("P-0042")
            page.get_by_label("Birth year").fill("1968")
            page.get_by_label("Sex").select_option("female")
            page.get_by_label("ra").check()
            page.screenshot(path=str(ARTIFACTS / "02-add-patient.png"))
            page.get_by_role("button", name="Add patient").click()
            expect(page.get_by_role("heading", name="Patient P-0042")).to_be_visible()

            page.locator("#rx-dose_mg").fill("4.5")
            page.locator("#rx-titration").fill("1.5:14, 3:14")
            page.locator("#rx-start_date").fill(start.isoformat())
            page.get_by_role("button", name="Save prescription").click()
            expect(page.get_by_text("Prescription saved.")).to_be_visible()

            page.locator("#as-value").fill("14")  # out of range: the form explains
            page.get_by_role("button", name="Save assessment").click()
            expect(page.get_by_text("outside the scale's range")).to_be_visible()
            page.wait_for_load_state("networkidle")  # the plots are separate image requests
            page.screenshot(path=str(ARTIFACTS / "03-validation-message.png"), full_page=True)

            values = [5.9, 5.8, 5.7, 4.6, 4.2, 4.0]
            days = [-84, -56, -28, 28, 56, 84]
            for value, day in zip(values, days, strict=True):
                page.locator("#as-scale").select_option("das28")
                page.locator("#as-value").fill(str(value))
                page.locator("#as-assessed_on").fill((start + timedelta(days=day)).isoformat())
                page.get_by_role("button", name="Save assessment").click()
                expect(page.get_by_text("Assessment saved.")).to_be_visible()

            page.goto(page.url.split("#")[0])
            plot = page.get_by_alt_text("DAS28 course of P-0042 with the N-of-1 estimate")
            expect(plot).to_be_visible()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=plot.element_handle()
            )
            expect(page.get_by_test_id("p-mid")).to_be_visible()
            page.wait_for_load_state("networkidle")
            page.locator("#outcomes").screenshot(path=str(ARTIFACTS / "04-n-of-1.png"))
            page.screenshot(path=str(ARTIFACTS / "05-patient-page.png"), full_page=True)

            page.get_by_role("link", name="Cohort").click()
            expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "06-cohort.png"), full_page=True)
        finally:
            browser.close()
    assert all((ARTIFACTS / n).stat().st_size > 0 for n in ("01-login.png", "04-n-of-1.png"))

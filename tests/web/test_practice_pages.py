"""Practice tools in the web app: plan/hand-out/calendar, diary links, N-of-1 trials, and the
patient diary (401 without a valid token, CSRF, rate limits, entries marked source=diary)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from ldn.registry.db import Registry
from ldn.registry.models import AdverseEvent, Assessment
from ldn.web.security import LoginThrottle
from registry_fixtures import World

from .conftest import BASE_URL, csrf_from, page_login

_LINK = re.compile(r'data-testid="diary-link">([^<]+)<')


def _login(app: FastAPI, who: str) -> tuple[TestClient, str]:
    c = TestClient(app, base_url=BASE_URL)
    return c, page_login(c, who)


def _new_link(c: TestClient, csrf: str, patient: int) -> str:
    r = c.post(f"/patients/{patient}/diary-links", data={"csrf_token": csrf})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    url = _LINK.search(r.text)
    assert url, "the new link is shown once"
    return url.group(1).removeprefix(BASE_URL)


def test_plan_handout_and_calendar(app: FastAPI, world: World) -> None:
    c, _ = _login(app, "clin_a")
    r = c.get(
        f"/patients/{world.patient_a}/practice?start_mg=1.5&step_mg=1.5&every_days=7"
        "&target_mg=4.5&at=22:00&liquid_mg_per_ml=1"
    )
    assert r.status_code == 200 and 'data-testid="plan"' in r.text
    q = "start_mg=1.5&step_mg=1.5&every_days=7&target_mg=4.5&days=21&start=2027-01-04"
    pdf = c.get(f"/patients/{world.patient_a}/handout.pdf?{q}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "P-0001" in text and "4.5 mL" in text
    ics = c.get(f"/patients/{world.patient_a}/plan.ics?{q}")
    assert len(list(Calendar.from_ical(ics.content).walk("VEVENT"))) == 21
    bad = c.get(f"/patients/{world.patient_a}/practice?start_mg=6&target_mg=4.5")
    assert bad.status_code == 422 and "swap them" in bad.text


@pytest.mark.parametrize(
    ("who", "status", "write"), [("clin_b", 404, 404), ("researcher", 200, 403)]
)  # another clinic's patient answers like a missing one (404)
def test_practice_page_roles(app: FastAPI, world: World, who: str, status: int, write: int) -> None:
    c, csrf = _login(app, who)
    assert c.get(f"/patients/{world.patient_a}/practice").status_code == status
    r = c.post(f"/patients/{world.patient_a}/diary-links", data={"csrf_token": csrf})
    assert r.status_code == write


def test_anonymous_is_sent_to_login(client: TestClient, world: World) -> None:
    r = client.get(f"/patients/{world.patient_a}/practice", follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/diary"),
        ("POST", "/diary"),
        ("GET", "/diary/nope"),
        ("POST", "/diary/nope"),
        ("GET", "/diary/" + "x" * 300),
        ("POST", "/diary/%00"),
    ],
)
def test_every_diary_endpoint_is_401_without_a_valid_token(
    client: TestClient, method: str, path: str
) -> None:
    r = client.request(method, path, data={"score": "3"})
    assert r.status_code == 401
    assert r.headers["cache-control"] == "no-store"


def test_diary_round_trip_and_revocation(app: FastAPI, registry: Registry, world: World) -> None:
    c, csrf = _login(app, "clin_a")
    link = _new_link(c, csrf, world.patient_a)
    with TestClient(app, base_url=BASE_URL) as phone:
        page = phone.get(link)
        assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
        token = csrf_from(page.text)
        form = {
            "csrf_token": token,
            "day": date.today().isoformat(),
            "score": "7",
            "effect_insomnia": "on",
            "severity_insomnia": "moderate",
            "notes": "slept badly",
        }
        saved = phone.post(link, data=form, follow_redirects=False)
        assert saved.status_code == 303
        assert "Saved for" in phone.get(link).text
        # no CSRF token: refused, and the error page too sends no referrer (token in the path)
        refused = phone.post(link, data={**form, "csrf_token": "x"})
        assert refused.status_code == 403 and refused.headers["referrer-policy"] == "no-referrer"
        assert phone.get(f"{link}x").headers["referrer-policy"] == "no-referrer"  # a 401
        # a bad value re-renders the form with a message
        bad = phone.post(link, data={**form, "score": "12"})
        assert bad.status_code == 422 and "between 0 and 10" in bad.text
    with registry.session() as s:
        assert [tuple(r) for r in s.execute(select(Assessment.value, Assessment.source))] == [
            (7.0, "diary")
        ]
        assert [
            tuple(r)
            for r in s.execute(
                select(AdverseEvent.event_type, AdverseEvent.source, AdverseEvent.severity)
            )
        ] == [("insomnia", "diary", "moderate")]
    links = c.get(f"/patients/{world.patient_a}/practice")
    link_id = re.search(r"/diary-links/(\d+)/revoke", links.text).group(1)  # type: ignore[union-attr]
    r = c.post(
        f"/patients/{world.patient_a}/diary-links/{link_id}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with TestClient(app, base_url=BASE_URL) as phone:
        assert phone.get(link).status_code == 401


def test_diary_rate_limits(app: FastAPI, world: World) -> None:
    app.state.diary_limits = (LoginThrottle(3, 3600), LoginThrottle(2, 3600))
    with TestClient(app, base_url=BASE_URL) as anon:
        codes = [anon.get(f"/diary/guess{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    app.state.diary_limits = (LoginThrottle(50, 3600), LoginThrottle(2, 3600))
    c, csrf = _login(app, "clin_a")
    link = _new_link(c, csrf, world.patient_a)
    with TestClient(app, base_url=BASE_URL) as phone:
        token = csrf_from(phone.get(link).text)
        form = {"csrf_token": token, "day": date.today().isoformat(), "score": "5"}
        codes = [phone.post(link, data=form, follow_redirects=False).status_code for _ in range(3)]
    assert codes == [303, 303, 429]


def test_n_of_1_trial_from_the_patient_page(app: FastAPI, world: World) -> None:
    c, csrf = _login(app, "clin_a")
    r = c.post(
        f"/patients/{world.patient_a}/n-of-1-trials",
        data={
            "csrf_token": csrf,
            "cycles": "3",
            "period_weeks": "2",
            "start_date": "2027-01-04",
            "scale": "pain_nrs",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(f"/patients/{world.patient_a}/practice").text
    trial = re.search(r"/n-of-1-trials/(\d+)/calendar.json", page).group(1)  # type: ignore[union-attr]
    base = f"/patients/{world.patient_a}/n-of-1-trials/{trial}"
    cal = c.get(f"{base}/calendar.json")
    assert cal.status_code == 200 and "placebo" not in cal.text.lower()
    assert "placebo" in c.get(f"{base}/key.json").text
    res, _ = _login(app, "researcher")
    assert res.get(f"{base}/key.json").status_code == 403
    r = c.post(f"{base}/unblind", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303  # no scores yet: message, no unblinding
    assert "record scores" in c.get(f"/patients/{world.patient_a}/practice").text


def test_diary_shows_the_blinded_day_of_a_running_trial(app: FastAPI, world: World) -> None:
    c, csrf = _login(app, "clin_a")
    link = _new_link(c, csrf, world.patient_a)
    with TestClient(app, base_url=BASE_URL) as phone:
        assert 'data-testid="trial-today"' not in phone.get(link).text  # no trial yet
    c.post(
        f"/patients/{world.patient_a}/n-of-1-trials",
        data={
            "csrf_token": csrf,
            "cycles": "2",
            "period_weeks": "1",
            "start_date": date.today().isoformat(),
            "scale": "pain_nrs",
        },
    )
    with TestClient(app, base_url=BASE_URL) as phone:
        page = phone.get(link).text
    assert "Study day 1: Take the study medicine from bottle 1" in page
    assert "placebo" not in page.lower() and "ldn</" not in page.lower()

"""Browser test at phone width: a clinician makes a diary link from the practice page and a
patient fills in the diary on a phone-sized viewport (Playwright → Debian's Chromium).

Screenshots: test-artifacts/browser/07-practice-tools.png, 08-diary-phone.png,
09-diary-phone-saved.png.
"""

from __future__ import annotations

import pytest

from registry_fixtures import PASSWORD

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed"),
]
PHONE = {"width": 390, "height": 844}  # a common phone viewport (CSS pixels)


def test_diary_link_and_phone_diary(server: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{server}/login")
            page.get_by_label("Username").fill("dr_who")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("link", name="Add patient").click()
            page.get_by_label("Patient code").fill("P-0077")
            page.get_by_label("Birth year").fill("1975")
            page.get_by_label("Sex").select_option("female")
            page.get_by_label("fibromyalgia").check()
            page.get_by_role("button", name="Add patient").click()
            expect(page.get_by_role("heading", name="Patient P-0077")).to_be_visible()
            page.get_by_role("link", name="Practice tools").click()
            expect(page.get_by_test_id("plan")).to_be_visible()
            page.get_by_role("button", name="Make a diary link").click()
            link = page.get_by_test_id("diary-link").inner_text().strip()
            assert "/diary/" in link
            page.screenshot(path=str(ARTIFACTS / "07-practice-tools.png"), full_page=True)

            phone = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
            )
            p = phone.new_page()
            p.goto(link)
            expect(p.get_by_role("heading", name="My LDN diary")).to_be_visible()
            # nothing wider than the phone: no sideways scrolling
            assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            p.locator("label.pick", has_text="6").first.tap()
            p.get_by_role("checkbox", name="vivid dreams").check()
            p.get_by_label("How bad: vivid dreams").select_option("moderate")
            p.screenshot(path=str(ARTIFACTS / "08-diary-phone.png"), full_page=True)
            p.get_by_role("button", name="Save today's entry").tap()
            expect(p.get_by_text("Thank you.")).to_be_visible()
            expect(p.get_by_role("heading", name="My last entries")).to_be_visible()
            p.screenshot(path=str(ARTIFACTS / "09-diary-phone-saved.png"), full_page=True)
            phone.close()

            page.goto(page.url.split("/diary-links")[0])  # the patient page
            expect(page.locator("#side-effects td", has_text="vivid dreams")).to_be_visible()
            expect(
                page.locator("#assessments").get_by_role("cell", name="6", exact=True)
            ).to_be_visible()
        finally:
            browser.close()
    assert (ARTIFACTS / "08-diary-phone.png").stat().st_size > 0

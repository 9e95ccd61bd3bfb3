"""The console in headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, against
`python -m infra.local` in a child process, as `make run` starts it, with accounts seeded through the API."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO_ROOT, HttpClient, StackProcess

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "sudo apt-get install -y chromium"
# Every run saves a screenshot of each view here; `make screenshots` writes the README's copies instead.
SCREENSHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", REPO_ROOT / "build" / "screenshots"))
OPERATOR_KEY = "fbk_browser-operator"
# The clock stands still at a known instant: the seeded days, the charts and the bills are the same every run.
SEEDED_DAYS_START = "2026-03-09T10:00:00+08:00"
TODAY = "2026-03-10T10:00:00+08:00"
VIEWPORT = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    reason = f"no Chromium at {CHROMIUM}: the console's browser tests need it. Install it with `{INSTALL_CHROMIUM}`"
    for item in items:
        item.add_marker(pytest.mark.skip(reason=reason))


@dataclass(frozen=True)
class SeededStack:
    base_url: str
    operator: HttpClient
    acme_key: str

    def as_acme(self) -> HttpClient:
        return HttpClient(self.base_url).with_key(self.acme_key)


_request_ids = (f"seed-{n}" for n in itertools.count(1))


def calls(account_id: str, day: str, channel: str, codes: dict[str, int], source: str | None = None
          ) -> list[dict[str, Any]]:
    """`codes[code]` calls of `channel` with that return code, between 08:00 and 10:00 of `day`."""
    batch = []
    for code, number in codes.items():
        for n in range(number):
            call = {"request_id": next(_request_ids), "account_id": account_id, "channel": channel,
                    "return_code": code, "occurred_at": f"{day}T{8 + n % 2:02d}:{n % 60:02d}:00+08:00"}
            if source:
                call["source"] = source
            batch.append(call)
    return batch


def send_calls(operator: HttpClient, batch: list[dict[str, Any]]) -> None:
    for start in range(0, len(batch), 500):
        answer = operator.post("/v1/calls", {"calls": batch[start:start + 500]})
        assert answer.status == 200, answer.body
        refused = [r for r in answer.json()["results"] if r["status"] != "accepted"]
        assert not refused, refused[:3]


def open_account(operator: HttpClient, account_id: str, **fields: Any) -> None:
    answer = operator.post("/v1/accounts", {"account_id": account_id, "activated_at": "2026-02-20T09:00:00+08:00",
                                            **fields})
    assert answer.status == 201, answer.body


def seed(operator: HttpClient) -> str:
    """acme: a customer with money, two weeks of calls on four tags (settled: bills, pack deductions, postpaid
    charges) and calls today; globex: postpaid calls and no money, so settlement puts it in arrears.
    Answers an account key of acme."""
    open_account(operator, "acme", contacts={"email": "ops@acme.example", "phone": "+8613800000000"})
    open_account(operator, "globex", contacts={"email": "billing@globex.example"})
    assert operator.post("/v1/accounts/acme/recharges",
                         {"recharge_id": "seed-r1", "wallet": "cash", "amount": "20000.00"}).status == 200
    first = date(2026, 2, 25)
    batch = []
    for offset in range(13):  # 02-25 .. 03-09
        day = (first + timedelta(days=offset)).isoformat()
        batch += calls("acme", day, "enhanced.wechat_miniprogram", {"0": 8 + offset % 5, "2006": 2, "1": 3},
                       source="authority")
        batch += calls("acme", day, "basic.pc_h5", {"0": 2 + offset % 3}, source="authority")
        batch += calls("acme", day, "face_risk", {"0": 3 + offset % 4})
        if offset % 2:
            batch += calls("acme", day, "verify.phone_2e", {"0": 5, "1": 2, "-1": 1})
    batch += calls("globex", "2026-03-08", "face_risk", {"0": 30})
    send_calls(operator, batch)

    moved = operator.post("/_local/clock", {"now": TODAY, "fire": False})
    assert moved.status == 200, moved.body
    settled = operator.post("/_local/jobs/daily-settlement")
    assert settled.status == 200 and settled.json()["ok"], settled.body
    send_calls(operator, calls("acme", TODAY[:10], "enhanced.wechat_miniprogram", {"0": 12, "1": 2},
                               source="authority")
               + calls("acme", TODAY[:10], "face_risk", {"0": 15}))

    key = operator.post("/v1/accounts/acme/keys")
    assert key.status == 201, key.body
    return key.json()["api_key"]


@pytest.fixture(scope="session")
def stack() -> Iterator[SeededStack]:
    environment = {"BILLING_OPERATOR_KEY": OPERATOR_KEY, "BILLING_CLOCK_START": SEEDED_DAYS_START}
    with StackProcess(environment) as api:
        operator = api.with_key(OPERATOR_KEY)
        yield SeededStack(api.base_url, operator, seed(operator))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@contextmanager
def console_page(browser: Any, base_url: str, now: str | None = None) -> Iterator[Any]:
    """A fresh browser profile (no session, Chinese) on the console of `base_url`, whose clock, if `now` is
    given, stands at that instant (the local stack's, which tests move); fails the test on any script error."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True, base_url=base_url)
    page = context.new_page()
    if now:
        page.clock.set_fixed_time(now)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A refused API call is logged as "Failed to load resource"; the console expects some (the sign-in probe).
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.goto("/console/")
    page.wait_for_selector("#view[data-ready]")
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def page(browser: Any, stack: SeededStack) -> Iterator[Any]:
    with console_page(browser, stack.base_url) as page:
        yield page


def sign_in(page: Any, key: str, account_id: str = "") -> None:
    page.fill("#signin-key", key)
    page.fill("#signin-account", account_id)
    page.click("#signin-submit")


def open_view(page: Any, name: str) -> None:
    page.click(f"#nav-{name}")
    page.wait_for_selector(f"#view[data-ready={name}]")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

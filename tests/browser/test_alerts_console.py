"""The account page's alerts in Chromium: the runway beside the balance, and the three alert settings saved to the
account, shown again as saved, refused in the page when malformed, and turned off again."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import SeededStack, screenshot, sign_in


def saved(page: Any) -> None:
    page.wait_for_selector("#notice.ok:text('已保存')")


def test_the_alerts_are_set_on_the_account_page_and_turned_off_again(page: Any, stack: SeededStack):
    sign_in(page, stack.acme_key, "acme")
    page.wait_for_selector("#view[data-ready=account]")
    account = stack.as_acme().get("/v1/accounts/acme").json()
    assert account["runway_days"] is not None  # two weeks of settled postpaid charges
    assert page.text_content("#account-runway") == f"{account['runway_days']} 天"

    page.fill("#balance-alert-threshold", "-50")
    page.click("#balance-alert-form button[type=submit]")
    saved(page)
    page.fill("#budget-day-amount", "100000")
    page.fill("#budget-day-thresholds", "100，50")
    page.fill("#budget-month-amount", "900000.5")
    page.fill("#budget-month-thresholds", "80")
    page.click("#budgets-form button[type=submit]")
    saved(page)
    page.fill("#runway-alert-days", "7")
    page.click("#runway-alert-form button[type=submit]")
    saved(page)

    account = stack.as_acme().get("/v1/accounts/acme").json()
    assert account["balance_alert"] == {"threshold": "-50.00"}
    assert account["budgets"] == [{"period": "day", "amount": "100000.00", "thresholds": [50, 100]},
                                  {"period": "month", "amount": "900000.50", "thresholds": [80]}]
    assert account["runway_alert_days"] == 7
    assert page.input_value("#budget-day-thresholds") == "50, 100"
    screenshot(page, "alerts")

    page.fill("#budget-month-thresholds", "80, 80")
    page.click("#budgets-form button[type=submit]")
    page.wait_for_selector("#notice.error")
    page.fill("#runway-alert-days", "0")
    page.click("#runway-alert-form button[type=submit]")
    page.wait_for_selector("#notice.error")
    assert stack.as_acme().get("/v1/accounts/acme").json()["budgets"] == account["budgets"]

    for form, inputs in (("balance-alert-form", ["#balance-alert-threshold"]),
                         ("budgets-form", ["#budget-day-amount", "#budget-day-thresholds", "#budget-month-amount",
                                           "#budget-month-thresholds"]),
                         ("runway-alert-form", ["#runway-alert-days"])):
        for selector in inputs:
            page.fill(selector, "")
        page.click(f"#{form} button[type=submit]")
        saved(page)
    account = stack.as_acme().get("/v1/accounts/acme").json()
    assert (account["balance_alert"], account["budgets"], account["runway_alert_days"]) == (None, None, None)

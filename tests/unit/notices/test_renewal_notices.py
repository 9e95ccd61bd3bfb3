"""The notices of pack auto-renewal (自动续费): pack_renewed names the pack, the price and the new pack's expiry;
pack_renewal_failed says why (the shortfall, or a suspended account), until when it is retried, or that it has
stopped; in both languages, each from the event's detail alone."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import Locale
from shared.notices import render_notice
from shared.notices.detail import Detail
from shared.notices.facts.packs import pack_renewal_failed, pack_renewed

SHANGHAI = ZoneInfo("Asia/Shanghai")
DETAILS = json.loads((Path(__file__).parents[2] / "events" / "domain_events.json").read_text(encoding="utf-8"))
RENEWED = DETAILS["pack_renewed"]
FAILED = DETAILS["pack_renewal_failed"]


def notice(event_type: str, detail: dict, locale: Locale):
    return render_notice(event_type, detail, account_id="acme", locale=locale, zone=SHANGHAI)


def test_the_facts_of_a_renewal_are_the_pack_its_price_and_the_new_expiry():
    facts = pack_renewed(Detail(RENEWED))

    assert (facts.pack.tag, facts.pack.size, str(facts.price), facts.expires_at.isoformat()) == (
        "phone_2e", 1000, "400.00", "2027-03-18T23:59:59+08:00")


def test_the_facts_of_a_refusal_are_why_how_much_and_until_when():
    facts = pack_renewal_failed(Detail(FAILED))

    assert (facts.suspended, str(facts.shortfall), str(facts.next_attempt), str(facts.last_retry)) == (
        False, "250.00", "2026-03-19", "2026-03-25")
    assert pack_renewal_failed(Detail({**FAILED, "reason": "ACCOUNT_SUSPENDED"})).suspended


@pytest.mark.parametrize(("locale", "words"), [
    (Locale.ZH_CN, ["手机号信息核验(二要素)", "共1,000次", "400.00元", "2027-03-18 23:59"]),
    (Locale.EN, ["Phone 2-element verification", "1,000 calls", "CNY 400.00", "2027-03-18 23:59"]),
])
def test_pack_renewed_says_what_was_bought_for_how_much_and_until_when(locale, words):
    rendered = notice("pack_renewed", RENEWED, locale)

    assert all(word in rendered.text for word in words), rendered.text
    assert "400.00" in rendered.sms and "2027-03-18" in rendered.sms


@pytest.mark.parametrize(("locale", "words"), [
    (Locale.ZH_CN, ["余额不足", "400.00元", "还差250.00元", "2026-03-25"]),
    (Locale.EN, ["not enough", "CNY 400.00", "CNY 250.00 short", "2026-03-25"]),
])
def test_a_short_balance_is_told_its_shortfall_and_the_last_retry_date(locale, words):
    rendered = notice("pack_renewal_failed", FAILED, locale)

    assert all(word in rendered.text for word in words), rendered.text
    assert "250.00" in rendered.sms and "2026-03-25" in rendered.sms


@pytest.mark.parametrize(("locale", "suspended", "stopped"), [
    (Locale.ZH_CN, "已停服", "自动续费已停止"), (Locale.EN, "suspended", "auto-renewal has stopped"),
])
def test_a_suspended_account_is_told_so_and_the_last_try_that_it_has_stopped(locale, suspended, stopped):
    of_suspended = notice("pack_renewal_failed", {**FAILED, "reason": "ACCOUNT_SUSPENDED", "shortfall": None}, locale)
    last_try = notice("pack_renewal_failed", {**FAILED, "next_attempt_date": None}, locale)

    assert suspended in of_suspended.text and "250.00" not in of_suspended.text
    assert stopped in last_try.text and "2026-03-25" not in last_try.text


@pytest.mark.parametrize("locale", list(Locale))
def test_a_detail_without_figures_still_makes_both_notices(locale):
    for event_type in ("pack_renewed", "pack_renewal_failed"):
        rendered = notice(event_type, {}, locale)

        assert rendered.title and rendered.text and rendered.sms
        assert "None" not in rendered.text + rendered.sms
    unsaid = notice("pack_renewal_failed", {}, locale).text
    assert "stopped" not in unsaid and "已停止" not in unsaid  # no retry date given is not the last try

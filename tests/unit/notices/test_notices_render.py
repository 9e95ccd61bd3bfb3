"""Every notice type in both languages and on every channel: what it says, how long its SMS is, and that
no detail, however incomplete or malformed, makes rendering fail."""

from __future__ import annotations

import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.accounts.models import Locale
from shared.events import EventType
from shared.notices import render_notice
from shared.pricing import PRICE_BOOK

SHANGHAI = ZoneInfo("Asia/Shanghai")
DETAILS = json.loads((Path(__file__).parents[2] / "events" / "domain_events.json").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LONGEST_TAG = max(PRICE_BOOK, key=lambda tag_id: len(PRICE_BOOK[tag_id].name_en))
EVERY_CASE = [(event_type, locale) for event_type in EventType for locale in Locale]


def render(event_type: str, detail: object, locale: Locale = Locale.ZH_CN, zone: ZoneInfo = SHANGHAI):
    return render_notice(event_type, detail, account_id="acme", locale=locale, zone=zone)


def test_the_sample_details_cover_every_event_type():
    assert set(DETAILS) == {event_type.value for event_type in EventType}


@pytest.mark.parametrize(("event_type", "locale"), EVERY_CASE)
def test_each_notice_has_a_title_a_text_a_signed_sms_and_an_email_body(event_type, locale):
    notice = render(event_type, DETAILS[event_type], locale)

    assert notice.notice_type == event_type
    assert notice.title and notice.text and notice.sms
    assert notice.sms.startswith("【人脸核身】" if locale is Locale.ZH_CN else "[Face Verification] ")
    assert "acme" in notice.email_body.splitlines()[0] and notice.text in notice.email_body


@pytest.mark.parametrize(("event_type", "locale"), EVERY_CASE)
def test_a_notice_is_wholly_in_the_accounts_language(event_type, locale):
    notice = render(event_type, DETAILS[event_type], locale)

    for text in (notice.title, notice.text, notice.sms, notice.email_body):
        assert bool(CJK.search(text)) is (locale is Locale.ZH_CN), text


@pytest.mark.parametrize("event_type", list(EventType))
def test_an_sms_fits_one_message_with_sample_details(event_type):
    chinese = render(event_type, DETAILS[event_type], Locale.ZH_CN).sms
    english = render(event_type, DETAILS[event_type], Locale.EN).sms

    assert len(chinese) <= 70, chinese  # one UCS-2 segment
    assert len(english) <= 160 and english.isascii(), english  # one GSM-7 segment


@pytest.mark.parametrize("event_type", ["pack_low", "pack_exhausted", "pack_expiring", "pack_expired"])
def test_an_sms_naming_the_longest_tag_stays_within_two_segments(event_type):
    detail = {**DETAILS[event_type], "billing_tag": LONGEST_TAG}

    assert len(render(event_type, detail, Locale.ZH_CN).sms) <= 134
    assert len(render(event_type, detail, Locale.EN).sms) <= 306


def test_an_unknown_event_type_has_no_notice():
    assert render("pack_teleported", {}) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from(["2026-03-10T12:00:00+08:00", "2026-03-10", "-12.30", "phone_2e", "1e999", "NaN"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
detail_fields = st.sampled_from(sorted({name for detail in DETAILS.values() for name in detail} | {
    "billing_tag", "size", "remaining", "expires_at", "unused_calls", "release_at"}))


@settings(max_examples=300, deadline=None)
@given(event_type=st.sampled_from(list(EventType)), locale=st.sampled_from(list(Locale)),
       detail=json_values | st.dictionaries(detail_fields, json_values, max_size=8))
def test_no_detail_makes_rendering_fail(event_type, locale, detail):
    notice = render(event_type, detail, locale)

    assert notice.title and notice.text and notice.sms


def test_a_pack_low_notice_tells_what_is_left_and_to_buy_a_pack():
    notice = render("pack_low", DETAILS["pack_low"])
    english = render("pack_low", DETAILS["pack_low"], Locale.EN)

    assert "剩余1,500次" in notice.text and "20%" in notice.text and "购买资源包" in notice.text
    assert "增强版人脸核身(权威库)-微信" in notice.text
    assert "Enhanced face verification (authority) - WeChat" in english.text and "1,500 calls left" in english.text


def test_instants_are_shown_in_the_billing_time_zone_with_its_offset():
    detail = {"suspend_at": "2026-03-12T00:00:00+08:00", "balance": "-12.30"}

    shanghai = render("arrears", detail)
    new_york = render("arrears", detail, Locale.EN, ZoneInfo("America/New_York"))

    assert "2026-03-12 00:00 (UTC+08:00)" in shanghai.text and "于2026-03-12 00:00前充值" in shanghai.sms
    assert "2026-03-11 12:00 (UTC-04:00)" in new_york.text  # daylight saving time since 03-08
    assert "-12.30元" in shanghai.text and "CNY -12.30" in new_york.text


def test_an_arrears_notice_for_an_account_already_in_arrears_says_so():
    again = render("arrears", {**DETAILS["arrears"], "entered_arrears": False}, Locale.EN)

    assert "still in arrears" in again.text
    assert "仍处于欠费状态" in render("arrears", {**DETAILS["arrears"], "entered_arrears": False}).text


def test_the_suspension_notice_tells_when_resources_are_released():
    notice = render("suspended", DETAILS["suspended"])

    assert "2026-03-27 00:00" in notice.text and "充值" in notice.text


def test_a_gifted_pack_is_announced_as_a_gift():
    detail = {"pack": {**DETAILS["pack_delivered"]["pack"], "origin": "promotion"}}

    assert render("pack_delivered", detail).title == "资源包赠送到账通知"
    assert render("pack_delivered", detail, Locale.EN).title == "Pack granted"


def test_the_free_quota_notice_lists_each_pack():
    notice = render("free_quota_granted", DETAILS["free_quota_granted"], Locale.EN)

    assert "- Enhanced face verification (authority) - WeChat: 100 calls, valid until 2027-03-10 12:00" in notice.text
    assert "- Basic face verification (uploaded photo): 100 calls" in notice.text
    assert "2 free packs (200 calls in all)" in notice.sms


def test_an_expired_pack_reads_remaining_when_unused_calls_is_absent():
    detail = {key: value for key, value in DETAILS["pack_expired"].items() if key != "unused_calls"}

    assert "未使用的7次已作废" in render("pack_expired", {**detail, "remaining": 7}).text


def test_a_refund_names_only_the_wallets_that_get_money_back_and_the_voucher_kept():
    notice = render("refund_completed", DETAILS["refund_completed"], Locale.EN)

    assert "CNY 300.00 to your cash wallet, CNY 100.00 to your gift wallet" in notice.text
    assert "The CNY 50.00 paid by voucher is not returned." in notice.text
    assert "income" not in notice.text and "Refund id: rf_1." in notice.text


def test_arrears_settled_while_suspended_for_a_violation_do_not_announce_the_service_back():
    notice = render("restored", {**DETAILS["restored"], "status": "suspended"}, Locale.EN)

    assert notice.title == "Arrears settled" and "remains suspended for a violation" in notice.text
    assert render("restored", DETAILS["restored"], Locale.EN).title == "Service restored"


def test_the_daily_report_gives_calls_by_tag_charges_and_packs_left():
    notice = render("daily_report", DETAILS["daily_report"])

    assert notice.title == "人脸核身日报 2026-03-10"
    assert notice.text.startswith("2026-03-10调用3,125次，其中计费3,120次。")
    assert "- 手机号信息核验(二要素)：125次（计费120次）" in notice.text and "费用：48.00元" in notice.text
    assert "资源包剩余：\n- 增强版人脸核身(权威库)-微信：7,000次，有效期至2027-03-01 23:59" in notice.text
    assert notice.sms == "【人脸核身】2026-03-10日报：调用3,125次，费用48.00元，资源包剩余7,000次。"


def test_a_daily_report_before_its_day_is_settled_says_the_charges_are_to_come():
    notice = render("daily_report", {**DETAILS["daily_report"], "charges": None, "settled": False}, Locale.EN)

    assert "Charges: not settled yet" in notice.text and "charges" not in notice.sms


def test_an_unknown_billing_tag_is_shown_by_its_id():
    notice = render("pack_exhausted", {"billing_tag": "future_tag", "size": 10}, Locale.EN)

    assert "(future_tag, 10 calls)" in notice.text

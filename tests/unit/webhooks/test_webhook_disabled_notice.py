"""The webhook_disabled notice (API.md: Webhooks): which webhook, since when every delivery to it failed (5 days),
that nothing more is sent to it, and that the way back is to delete it and register a working URL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from shared.accounts.models import Locale
from shared.notices.render import render_notice

SHANGHAI = ZoneInfo("Asia/Shanghai")
DETAIL = {"webhook_id": "wh_1", "url": "https://example.com/hook", "failing_since": "2026-03-05T02:00:00Z",
          "disabled_at": "2026-03-10T02:00:05Z"}


def render(detail: object, locale: Locale = Locale.ZH_CN):
    return render_notice("webhook_disabled", detail, account_id="acme", locale=locale, zone=SHANGHAI)


def test_the_chinese_notice_names_the_webhook_the_start_of_its_failures_and_what_to_do():
    notice = render(DETAIL)

    assert notice.title == "Webhook停用通知"
    assert "https://example.com/hook" in notice.text and "wh_1" in notice.text
    assert "自2026-03-05 10:00 (UTC+08:00)起" in notice.text and "5天" in notice.text
    assert "2026-03-10 10:00 (UTC+08:00)停用" in notice.text
    assert "不会再向该地址发送" in notice.text and "无法重新启用" in notice.text
    assert "删除" in notice.text and "重新注册" in notice.text
    assert "2026-03-05 10:00" in notice.sms and "删除" in notice.sms


def test_the_english_notice_says_the_same():
    notice = render(DETAIL, Locale.EN)

    assert notice.title == "Webhook disabled"
    assert "Your webhook wh_1 to https://example.com/hook was disabled at 2026-03-10 10:00 (UTC+08:00)" in notice.text
    assert "every delivery to it has failed for 5 days, since 2026-03-05 10:00 (UTC+08:00)" in notice.text
    assert "Nothing more is sent to it" in notice.text and "cannot be enabled again" in notice.text
    assert "delete it and register a working URL" in notice.text
    assert "since 2026-03-05 10:00" in notice.sms and "Delete it" in notice.sms


@pytest.mark.parametrize("locale", list(Locale))
def test_the_sms_leaves_the_url_out_so_that_a_long_one_still_fits_one_segment(locale):
    long_url = {**DETAIL, "url": "https://" + "a" * 2000 + ".example.com/"}
    sms = render(long_url, locale).sms

    assert "aaaa" not in sms
    assert len(sms) <= (70 if locale is Locale.ZH_CN else 160)
    assert long_url["url"] in render(long_url, locale).text


@pytest.mark.parametrize("locale", list(Locale))
def test_a_detail_without_its_fields_still_gives_a_notice_of_the_five_days(locale):
    notice = render({}, locale)

    assert notice.title and notice.sms
    assert ("5天" if locale is Locale.ZH_CN else "5 days") in notice.text
    assert "None" not in notice.text and "None" not in notice.sms

"""Each call checked on its own, with no table: validation, channel and source, time limits, fingerprint."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.ingestion.outcomes import Rejection, RejectionCode
from shared.ingestion.rules import (
    MAX_LATENESS,
    MAX_LEAD,
    ValidCall,
    check_call,
    expires_at,
    months_later,
    request_id_of,
    timing_refusal,
)
from shared.pricing import BillingReason

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def call(**fields):
    base = {"request_id": "r-1", "account_id": "acme", "channel": "enhanced.wechat_miniprogram",
            "source": "authority", "return_code": 0, "occurred_at": "2026-03-10T20:00:00+08:00"}
    return {key: value for key, value in {**base, **fields}.items() if value is not ...}


def valid(**fields) -> ValidCall:
    checked = check_call(0, call(**fields), SHANGHAI)
    assert isinstance(checked, ValidCall), checked
    return checked


def rejection(index: int = 0, **fields) -> Rejection:
    checked = check_call(index, call(**fields), SHANGHAI)
    assert isinstance(checked, Rejection), checked
    return checked


def test_a_good_call_gets_its_tag_billing_date_and_decision():
    checked = valid()

    assert (checked.billing_tag, checked.billing_date) == ("enhanced_authority_wechat", date(2026, 3, 10))
    assert checked.decision.billable and checked.decision.reason is BillingReason.BILLABLE_CODE
    assert checked.occurred_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_the_billing_date_is_the_day_in_the_billing_zone_not_in_utc():
    assert valid(occurred_at="2026-03-10T16:30:00Z").billing_date == date(2026, 3, 11)
    assert valid(occurred_at="2026-03-10T15:59:59.999999Z").billing_date == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"request_id": ""}, "request_id"),
        ({"request_id": "x" * 129}, "request_id"),
        ({"request_id": 12}, "request_id"),
        ({"request_id": ...}, "request_id"),
        ({"account_id": ...}, "account_id"),
        ({"channel": 3}, "channel"),
        ({"return_code": True}, "return_code"),
        ({"return_code": False}, "return_code"),
        ({"return_code": 1.0}, "return_code"),
        ({"return_code": "  "}, "return_code"),
        ({"return_code": None}, "return_code"),
        ({"return_code": "9" * 65}, "return_code"),
        ({"occurred_at": "2026-03-10T20:00:00"}, "occurred_at"),
        ({"occurred_at": "2026-03-10"}, "occurred_at"),
        ({"occurred_at": 1773144000}, "occurred_at"),
        ({"occurred_at": "2026-02-30T20:00:00+08:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"nfc_req_id": ""}, "nfc_req_id"),
        ({"retrun_code": 0}, "retrun_code"),
    ],
)
def test_a_malformed_call_is_a_validation_error_on_its_own_field(fields, field):
    refused = rejection(index=3, **fields)

    assert refused.code is RejectionCode.VALIDATION_ERROR
    assert refused.field == f"calls[3].{field}"
    assert refused.message


def test_something_that_is_not_an_object_is_a_validation_error_on_the_call():
    refused = check_call(2, ["not", "a", "call"], SHANGHAI)

    assert isinstance(refused, Rejection)
    assert (refused.code, refused.field) == (RejectionCode.VALIDATION_ERROR, "calls[2]")


def test_return_codes_are_kept_as_strings_whether_sent_as_int_or_str():
    assert valid(return_code=66660004, channel="enhanced.app_sdk").return_code == "66660004"
    assert valid(return_code=" 2006 ").return_code == "2006"
    assert valid(return_code=-1, channel="verify.id_2e", source=...).return_code == "-1"


def test_an_unknown_channel_is_refused_as_unknown_channel():
    refused = rejection(channel="enhanced.carrier_pigeon")

    assert (refused.code, refused.field) == (RejectionCode.UNKNOWN_CHANNEL, "calls[0].channel")


def test_a_channel_that_picks_its_tag_by_source_needs_one():
    refused = rejection(source=...)

    assert (refused.code, refused.field) == (RejectionCode.SOURCE_REQUIRED, "calls[0].source")


@pytest.mark.parametrize(("channel", "source"), [("enhanced.app_sdk", "library"), ("verify.phone_2e", "upload"),
                                                 ("eid", "upload")])
def test_a_source_the_channel_does_not_take_is_a_validation_error_on_source(channel, source):
    refused = rejection(channel=channel, source=source)

    assert (refused.code, refused.field) == (RejectionCode.VALIDATION_ERROR, "calls[0].source")


def test_the_source_a_channel_implies_is_recorded_whether_given_or_not():
    assert valid(channel="api.liveness_compare", source=...).source == "upload"
    assert valid(channel="api.liveness_compare", source="upload").fingerprint == valid(
        channel="api.liveness_compare", source=...).fingerprint
    assert valid(channel="verify.phone_2e", source=...).source is None


def test_a_billable_nfc_call_without_its_reqid_is_a_validation_error_on_nfc_req_id():
    refused = rejection(channel="nfc", source=..., return_code=0)

    assert (refused.code, refused.field) == (RejectionCode.VALIDATION_ERROR, "calls[0].nfc_req_id")


def test_a_free_nfc_call_needs_no_reqid():
    checked = valid(channel="nfc", source=..., return_code=66664003)

    assert not checked.needs_nfc_window and checked.decision.reason is BillingReason.FREE_CODE


def test_a_billable_nfc_call_with_its_reqid_waits_for_its_window():
    assert valid(channel="nfc", source=..., return_code="0", nfc_req_id="n-1").needs_nfc_window


def test_wechat_2007_is_billable_on_2021_07_18_and_free_from_2021_07_19_in_shanghai():
    before = valid(return_code=2007, occurred_at="2021-07-18T23:59:59+08:00")
    after = valid(return_code=2007, occurred_at="2021-07-19T00:00:00+08:00")

    assert before.decision.billable and before.billing_date == date(2021, 7, 18)
    assert not after.decision.billable and after.decision.reason is BillingReason.FREE_CODE


def test_an_unknown_return_code_is_recorded_as_unclassified_and_not_billable():
    checked = valid(return_code="E_MYSTERY")

    assert checked.decision.reason is BillingReason.UNCLASSIFIED_CODE and not checked.decision.billable


def test_the_same_instant_in_another_offset_and_the_code_as_int_or_str_is_the_same_call():
    assert valid(occurred_at="2026-03-10T12:00:00Z", return_code=0).fingerprint == valid(
        occurred_at="2026-03-10T20:00:00+08:00", return_code="0").fingerprint


@pytest.mark.parametrize("change", [{"return_code": 2006}, {"occurred_at": "2026-03-10T20:00:01+08:00"},
                                    {"source": "upload"}, {"channel": "plus.wechat_miniprogram"},
                                    {"nfc_req_id": "n-2"}])
def test_any_change_of_the_body_changes_the_fingerprint(change):
    assert valid(**change).fingerprint != valid().fingerprint


def test_exactly_35_days_late_is_accepted_and_a_microsecond_more_is_too_old():
    on_the_bound = valid(occurred_at=(NOW - MAX_LATENESS).isoformat())
    past_it = valid(occurred_at=(NOW - MAX_LATENESS - timedelta(microseconds=1)).isoformat())

    assert timing_refusal(on_the_bound, NOW) is None
    refused = timing_refusal(past_it, NOW)
    assert refused is not None and (refused.code, refused.field) == (RejectionCode.CALL_TOO_OLD,
                                                                     "calls[0].occurred_at")


def test_exactly_5_minutes_ahead_is_accepted_and_a_microsecond_more_is_in_the_future():
    on_the_bound = valid(occurred_at=(NOW + MAX_LEAD).isoformat())
    past_it = valid(occurred_at=(NOW + MAX_LEAD + timedelta(microseconds=1)).isoformat())

    assert timing_refusal(on_the_bound, NOW) is None
    refused = timing_refusal(past_it, NOW)
    assert refused is not None and refused.code is RejectionCode.CALL_IN_FUTURE


def test_the_request_id_is_echoed_only_when_it_is_a_usable_one():
    assert request_id_of({"request_id": "r-9"}) == "r-9"
    assert request_id_of({"request_id": 9}) is None
    assert request_id_of({"request_id": "x" * 200}) is None
    assert request_id_of("junk") is None


def test_a_call_is_kept_13_months():
    assert months_later(datetime(2026, 1, 31, 10, tzinfo=UTC), 13) == datetime(2027, 2, 28, 10, tzinfo=UTC)
    assert months_later(datetime(2026, 12, 15, tzinfo=UTC), 13) == datetime(2028, 1, 15, tzinfo=UTC)
    assert expires_at(datetime(2026, 3, 10, 12, tzinfo=UTC)) == int(datetime(2027, 4, 10, 12, tzinfo=UTC).timestamp())


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
       st.integers(min_value=0, max_value=40))
def test_months_later_is_never_earlier_and_lands_in_the_right_month(instant, months):
    later = months_later(instant, months)

    assert later >= instant
    assert (later.year * 12 + later.month) - (instant.year * 12 + instant.month) == months

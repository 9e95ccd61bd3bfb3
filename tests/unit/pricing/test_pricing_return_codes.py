from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.pricing import (
    CHANNELS,
    NFC_REPEAT_WINDOW,
    TABLES_BY_API_CHANNEL,
    TABLES_BY_FAMILY,
    BillingDecision,
    BillingReason,
    ReturnCodeTable,
    UnknownChannel,
    classify_call,
    is_nfc_window_start,
    normalize_return_code,
    return_code_tables,
)

TODAY = date(2025, 6, 1)
WECHAT_CHANNELS = [c.id for c in CHANNELS.values() if c.return_code_family == "wechat"]
SDK_CHANNELS = [c.id for c in CHANNELS.values() if c.return_code_family == "sdk"]
API_CHANNELS = [c.id for c in CHANNELS.values() if c.return_code_family == "api"]
FACE_API_CHANNELS = [
    "api.liveness_recognition",
    "api.id_photo_verification",
    "api.liveness_compare",
    "api.photo_verification_v2",
]


def reason(channel_id: str, code: str | int, day: date = TODAY) -> BillingReason:
    return classify_call(channel_id, code, day).reason


def billable_codes(channel_id: str, candidates, day: date = TODAY) -> set[str]:
    return {str(code) for code in candidates if classify_call(channel_id, code, day).billable}


# --- wechat family ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel_id", WECHAT_CHANNELS)
def test_wechat_channels_bill_success_name_mismatch_and_low_similarity(channel_id):
    every_known = [
        0, *range(1, 18), *range(201, 205), *range(301, 304), *range(1001, 1008), *range(1101, 1110),
        *range(1201, 1211), *range(1301, 1304), *range(2001, 2019),
    ]
    assert billable_codes(channel_id, every_known) == {"0", "2006", "2016"}
    assert all(reason(channel_id, code) is not BillingReason.UNCLASSIFIED_CODE for code in every_known)


def test_the_eid_channel_follows_the_wechat_table():
    assert reason("eid", 2016) is BillingReason.BILLABLE_CODE
    assert reason("eid", 2018) is BillingReason.FREE_CODE


@pytest.mark.parametrize("code", [2007, 2009, 2010, 2011, 2012, 2013, 2014, 2015])
def test_wechat_codes_2007_and_2009_to_2015_stopped_being_billable_on_2021_07_19(code):
    assert reason("enhanced.wechat_miniprogram", code, date(2021, 7, 18)) is BillingReason.BILLABLE_CODE
    assert reason("enhanced.wechat_miniprogram", code, date(2021, 7, 19)) is BillingReason.FREE_CODE


def test_wechat_code_2008_was_free_before_and_after_the_change():
    assert reason("eid", 2008, date(2021, 7, 18)) is BillingReason.FREE_CODE
    assert reason("eid", 2008, date(2021, 7, 19)) is BillingReason.FREE_CODE


def test_the_wechat_tables_cover_every_day_without_overlap():
    tables = TABLES_BY_FAMILY["wechat"]
    for day in (date.min, date(2021, 7, 18), date(2021, 7, 19), date.max):
        assert sum(table.in_force_on(day) for table in tables) == 1


def test_a_code_the_wechat_tables_do_not_print_is_unclassified():
    assert reason("plus.wechat_native_h5", 2019) is BillingReason.UNCLASSIFIED_CODE
    assert reason("plus.wechat_native_h5", 66660004) is BillingReason.UNCLASSIFIED_CODE


# --- sdk, willingness, nfc families ---------------------------------------------------------------


@pytest.mark.parametrize("channel_id", SDK_CHANNELS)
def test_sdk_channels_bill_success_and_the_two_mismatch_codes(channel_id):
    free = [-5008, -5018, -5023, 999999, 66660000, 66660003, 66660017, 66662001, 66665001, 400101, 400601]
    assert billable_codes(channel_id, [0, 66660004, 66660010, *free]) == {"0", "66660004", "66660010"}
    assert {reason(channel_id, code) for code in free} == {BillingReason.FREE_CODE}
    assert reason(channel_id, 2006) is BillingReason.UNCLASSIFIED_CODE


def test_willingness_bills_success_and_a_wrong_answer_only():
    assert billable_codes("willingness", [0, 66666004, 66666006, 66666010]) == {"0", "66666006"}
    assert reason("willingness", 66666004) is BillingReason.FREE_CODE
    assert reason("willingness", 66660004) is BillingReason.UNCLASSIFIED_CODE


def test_nfc_bills_success_and_every_printed_failure_is_free():
    printed_failures = [*range(66664002, 66664008), *range(600100, 600107), *range(66664020, 66664031)]
    assert reason("nfc", 0) is BillingReason.BILLABLE_CODE
    assert {reason("nfc", code) for code in printed_failures} == {BillingReason.FREE_CODE}
    assert reason("nfc", 66664003) is BillingReason.FREE_CODE
    assert reason("nfc", 66664001) is BillingReason.UNCLASSIFIED_CODE


# --- api family -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel_id", "billable", "free"),
    [
        ("verify.id_2e", [0, -1], range(-2, -8, -1)),
        ("verify.id_ocr", [0, -1], range(-2, -8, -1)),
        ("verify.id_validity", [0, -1], range(-2, -9, -1)),
        ("verify.bankcard_2e", [0, -1, *range(-4, -16, -1), -18], [-2, -3, -16, -17]),
        ("verify.bankcard_3e", [0, -1, *range(-5, -17, -1), -20], [-2, -3, -4, -17, -18, -19]),
        ("verify.bankcard_4e", [0, -1, *range(-6, -18, -1), -21], [-2, -3, -4, -5, -18, -19, -20]),
        ("verify.bankcard_basic", [0, -1, -5], [-2, -3, -4, -6]),
        ("verify.phone_tenure", [0, -2, -3], [-1, -4, -5, -13]),
        ("verify.phone_status", [0], [-1, -2, -3, -4, -13]),
        ("verify.phone_2e", [0, 1], [-1, -2, -3, -4, -5, -6, -13]),
        ("verify.phone_3e_simple", [0, -4], [-6, -7, -8, -9, -11, -12, -13]),
        ("verify.phone_3e_detailed", [0, -4], [-6, -7, -8, -9, -11, -12, -13]),
        ("verify.phone_3e_cmcc", [0, -4], [-6, -7, -8, -9, -11, -13]),
        ("verify.phone_3e_ctcc", [0, -4], [-6, -7, -8, -9, -11, -13]),
        ("verify.phone_3e_cucc", [0, -4], [-6, -7, -8, -9, -11, -13]),
    ],
)
def test_real_name_verification_apis_bill_exactly_their_listed_codes(channel_id, billable, free):
    assert {reason(channel_id, code) for code in billable} == {BillingReason.BILLABLE_CODE}
    assert {reason(channel_id, code) for code in free} == {BillingReason.FREE_CODE}


def test_phone_2e_bills_a_positive_1_mismatch_and_not_a_negative_1():
    assert reason("verify.phone_2e", "1") is BillingReason.BILLABLE_CODE
    assert reason("verify.phone_2e", "-1") is BillingReason.FREE_CODE


def test_range_ends_are_inclusive_and_stop_where_the_table_says():
    assert reason("verify.bankcard_2e", "-4") is BillingReason.BILLABLE_CODE
    assert reason("verify.bankcard_2e", "-15") is BillingReason.BILLABLE_CODE
    assert reason("verify.bankcard_2e", "-16") is BillingReason.FREE_CODE
    assert reason("verify.id_2e", "-7") is BillingReason.FREE_CODE
    assert reason("verify.id_2e", "-8") is BillingReason.UNCLASSIFIED_CODE
    assert reason("verify.phone_3e_cmcc", "-12") is BillingReason.UNCLASSIFIED_CODE
    assert reason("verify.phone_3e_simple", "-10") is BillingReason.UNCLASSIFIED_CODE


@pytest.mark.parametrize("channel_id", FACE_API_CHANNELS)
def test_face_apis_bill_success_and_the_two_verdicts_and_list_their_free_failures(channel_id):
    billable = ["Success", "FailedOperation.IdNameMisMatch", "FailedOperation.CompareLowSimilarity"]
    free = ["FailedOperation.IdPhotoPoorQuality", "FailedOperation.LifePhotoDetectFake",
            "FailedOperation.CompareFail", "FailedOperation.IncompleteFace"]
    assert {reason(channel_id, code) for code in billable} == {BillingReason.BILLABLE_CODE}
    assert {reason(channel_id, code) for code in free} == {BillingReason.FREE_CODE}
    assert reason(channel_id, "FailedOperation.SomethingNew") is BillingReason.UNCLASSIFIED_CODE


@pytest.mark.parametrize("channel_id", API_CHANNELS)
@pytest.mark.parametrize(
    "code",
    [
        "UnauthorizedOperation.Arrears",
        "UnauthorizedOperation.ChargeStatusException",
        "UnauthorizedOperation.Nonactivated",
        "InvalidParameter",
        "InvalidParameterValue.IdCardFormat",
        "RequestLimitExceeded",
        "AuthFailure.SignatureExpire",
    ],
)
def test_account_level_refusals_are_free_on_every_api_channel(channel_id, code):
    assert reason(channel_id, code) is BillingReason.FREE_CODE


def test_account_level_refusals_are_unknown_outside_the_api_family():
    assert reason("enhanced.app_sdk", "UnauthorizedOperation.Arrears") is BillingReason.UNCLASSIFIED_CODE


def test_ai_face_shield_bills_success_and_anything_else_is_known_and_free():
    assert reason("ai_face_shield", "Success") is BillingReason.BILLABLE_CODE
    assert reason("ai_face_shield", "FailedOperation.Whatever") is BillingReason.FREE_CODE
    assert reason("ai_face_shield", 12345) is BillingReason.FREE_CODE


def test_face_risk_bills_zero_or_success_and_anything_else_is_free():
    assert reason("face_risk", 0) is BillingReason.BILLABLE_CODE
    assert reason("face_risk", "Success") is BillingReason.BILLABLE_CODE
    assert reason("face_risk", "-1") is BillingReason.FREE_CODE


def test_every_api_channel_has_its_own_tables_and_every_other_channel_its_familys():
    assert set(TABLES_BY_API_CHANNEL) == set(API_CHANNELS)
    for channel in CHANNELS.values():
        expected = TABLES_BY_API_CHANNEL.get(channel.id) or TABLES_BY_FAMILY[channel.return_code_family]
        assert return_code_tables(channel.id) == expected


# --- codes as given -------------------------------------------------------------------------------


def test_int_and_str_codes_are_the_same_code():
    assert normalize_return_code(66660004) == normalize_return_code("66660004") == "66660004"
    assert normalize_return_code(-4) == "-4"
    assert normalize_return_code("  2006 ") == "2006"
    assert classify_call("verify.phone_2e", 1, TODAY) == classify_call("verify.phone_2e", "1", TODAY)


def test_lookalike_spellings_of_zero_are_not_guessed_into_a_billable_code():
    assert reason("enhanced.app_sdk", "00") is BillingReason.UNCLASSIFIED_CODE
    assert reason("enhanced.app_sdk", "+0") is BillingReason.UNCLASSIFIED_CODE


def test_a_bool_or_a_float_is_not_a_code_and_an_empty_code_is_refused():
    with pytest.raises(TypeError):
        normalize_return_code(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalize_return_code(0.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        normalize_return_code("   ")


def test_an_unknown_channel_cannot_be_classified():
    with pytest.raises(UnknownChannel):
        classify_call("sms", 0, TODAY)


def test_a_decision_cannot_be_billable_for_a_free_reason():
    with pytest.raises(ValueError):
        BillingDecision(True, BillingReason.FREE_CODE)


def test_a_dated_face_api_rule_can_be_added_as_data():
    # Given the older PaaS page's rule, as a table in force until some date
    (current,) = TABLES_BY_API_CHANNEL["api.liveness_recognition"]
    older = replace(
        current,
        billable=current.billable | {"FailedOperation.CompareFail"},
        free=current.free - {"FailedOperation.CompareFail"},
        effective_until=date(2020, 12, 31),
    )
    tables = (older, replace(current, effective_from=date(2021, 1, 1)))

    def compare_fail_billable_on(day: date) -> list[bool]:
        return [t.decide("FailedOperation.CompareFail").billable for t in tables if t.in_force_on(day)]

    # Then each day picks its own table
    assert compare_fail_billable_on(date(2020, 6, 1)) == [True]
    assert compare_fail_billable_on(TODAY) == [False]


def test_a_table_cannot_call_one_code_both_billable_and_free():
    with pytest.raises(ValueError):
        ReturnCodeTable(billable=frozenset({"0"}), free=frozenset({"0"}))


# --- nfc repeats ----------------------------------------------------------------------------------

WINDOW_START = datetime(2025, 6, 1, 10, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def nfc(code: str | int, occurred_at: datetime, first_billable_at: datetime | None = WINDOW_START):
    return classify_call(
        "nfc", code, occurred_at.date(), nfc_first_billable_at=first_billable_at, occurred_at=occurred_at
    )


def test_an_nfc_success_with_no_open_window_is_billable_and_opens_one():
    decision = nfc(0, WINDOW_START, first_billable_at=None)
    assert decision.reason is BillingReason.BILLABLE_CODE
    assert is_nfc_window_start(decision, "nfc")


def test_an_nfc_repeat_at_4_59_is_free():
    decision = nfc(0, WINDOW_START + timedelta(minutes=4, seconds=59))
    assert decision.reason is BillingReason.NFC_REPEAT_WITHIN_5_MIN
    assert not is_nfc_window_start(decision, "nfc")


def test_an_nfc_repeat_at_the_same_instant_is_free():
    assert nfc(0, WINDOW_START).reason is BillingReason.NFC_REPEAT_WITHIN_5_MIN


def test_an_nfc_query_at_exactly_5_minutes_or_5_01_is_billable_again_and_opens_a_new_window():
    at_five = nfc(0, WINDOW_START + NFC_REPEAT_WINDOW)
    at_five_01 = nfc(0, WINDOW_START + timedelta(minutes=5, seconds=1))
    assert at_five.reason is at_five_01.reason is BillingReason.BILLABLE_CODE
    assert is_nfc_window_start(at_five_01, "nfc")


def test_the_nfc_window_is_measured_in_real_time_whatever_the_zones():
    # 10:04:59 Shanghai given in UTC is still inside the window
    assert nfc(0, datetime(2025, 6, 1, 2, 4, 59, tzinfo=UTC)).reason is BillingReason.NFC_REPEAT_WITHIN_5_MIN


def test_the_nfc_window_is_measured_in_real_time_across_a_dst_fall_back():
    # 01:58 EDT and 01:01 EST (the repeated hour) are 3 minutes apart
    new_york = ZoneInfo("America/New_York")
    first = datetime(2024, 11, 3, 1, 58, tzinfo=new_york)
    repeat = datetime(2024, 11, 3, 1, 1, fold=1, tzinfo=new_york)
    decision = classify_call("nfc", 0, repeat.date(), nfc_first_billable_at=first, occurred_at=repeat)
    assert decision.reason is BillingReason.NFC_REPEAT_WITHIN_5_MIN


def test_an_nfc_failure_inside_the_window_stays_a_free_code():
    assert nfc(66664003, WINDOW_START + timedelta(minutes=1)).reason is BillingReason.FREE_CODE


def test_an_nfc_window_needs_the_calls_instant():
    with pytest.raises(ValueError):
        classify_call("nfc", 0, TODAY, nfc_first_billable_at=WINDOW_START)


def test_the_nfc_window_only_concerns_nfc_channels():
    decision = classify_call(
        "face_risk", 0, TODAY, nfc_first_billable_at=WINDOW_START, occurred_at=WINDOW_START
    )
    assert decision.reason is BillingReason.BILLABLE_CODE
    assert not is_nfc_window_start(decision, "face_risk")

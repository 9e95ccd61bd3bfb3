"""Whether a call is billable: its channel's return-code rules in force on the call's day.

The rules are data: per family for the SaaS channels, per channel for the `api` family, a sequence
of dated tables. A vendor change is a new dated table, never new code.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from shared.pricing.channels import get_channel

NFC_REPEAT_WINDOW = timedelta(minutes=5)


class BillingReason(StrEnum):
    BILLABLE_CODE = "BILLABLE_CODE"
    FREE_CODE = "FREE_CODE"
    UNCLASSIFIED_CODE = "UNCLASSIFIED_CODE"
    NFC_REPEAT_WITHIN_5_MIN = "NFC_REPEAT_WITHIN_5_MIN"


@dataclass(frozen=True)
class BillingDecision:
    billable: bool
    reason: BillingReason

    def __post_init__(self) -> None:
        if self.billable != (self.reason is BillingReason.BILLABLE_CODE):
            raise ValueError(f"a decision for {self.reason} cannot have billable={self.billable}")


BILLABLE = BillingDecision(True, BillingReason.BILLABLE_CODE)
FREE = BillingDecision(False, BillingReason.FREE_CODE)
UNCLASSIFIED = BillingDecision(False, BillingReason.UNCLASSIFIED_CODE)
NFC_REPEAT = BillingDecision(False, BillingReason.NFC_REPEAT_WITHIN_5_MIN)


@dataclass(frozen=True)
class ReturnCodeTable:
    """What return codes mean for billing on the days `effective_from` to `effective_until` (inclusive).

    A code is billable if listed in `billable`; known and free if listed in `free`, if it starts with
    one of `free_prefixes`, or if `everything_else_free` is set; otherwise the table does not know it.
    """

    billable: frozenset[str]
    free: frozenset[str] = frozenset()
    free_prefixes: tuple[str, ...] = ()
    everything_else_free: bool = False
    effective_from: date = date.min
    effective_until: date = date.max

    def __post_init__(self) -> None:
        if self.billable & self.free:
            raise ValueError(f"codes both billable and free: {sorted(self.billable & self.free)}")
        if self.effective_from > self.effective_until:
            raise ValueError("a table's effective range is empty")

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_until

    def decide(self, code: str) -> BillingDecision:
        if code in self.billable:
            return BILLABLE
        if code in self.free or code.startswith(self.free_prefixes) or self.everything_else_free:
            return FREE
        return UNCLASSIFIED


def _codes(*items: int | str | range) -> frozenset[str]:
    codes: set[str] = set()
    for item in items:
        codes.update(str(code) for code in (item if isinstance(item, range) else (item,)))
    return frozenset(codes)


def _span(first: int, last: int) -> range:
    """Every integer from `first` to `last` inclusive, in either direction ("-2 … -7")."""
    step = 1 if last >= first else -1
    return range(first, last + step, step)


# --- SaaS families (seed 003) -------------------------------------------------------------------

_WECHAT_KNOWN = _codes(
    0, _span(1, 17), _span(201, 204), _span(301, 303), _span(1001, 1007), _span(1101, 1109),
    _span(1201, 1210), _span(1301, 1303), _span(2001, 2018),
)
_WECHAT_BILLABLE = _codes(0, 2006, 2016)
_WECHAT_BILLABLE_UNTIL_2021_07_18 = _WECHAT_BILLABLE | _codes(2007, _span(2009, 2015))
_WECHAT_CHANGE_DAY = date(2021, 7, 19)

_SDK_BILLABLE = _codes(0, 66660004, 66660010)
_SDK_FREE = _codes(
    -5008, -5018, -5023, 999999, 66660000, 66660003, 66660005, 66660011, 66660015, 66660016, 66660017,
    66660018, 66660023, 66660035, 66660037, 66660041, 66660044, 66660046, 66662001, 66665001,
    400101, 400103, 400506, 400600, 400601,
)

_NFC_SERVER_FREE = _codes(_span(66664002, 66664007))
_NFC_TERMINAL_FREE = _codes(_span(600100, 600106), _span(66664020, 66664030))


# --- API family (RETURN_CODES.md) ---------------------------------------------------------------

# Account-level refusals: never billable on any api channel.
_ACCOUNT_REFUSALS = _codes(
    "UnauthorizedOperation.Arrears",
    "UnauthorizedOperation.ChargeStatusException",
    "UnauthorizedOperation.Nonactivated",
    "RequestLimitExceeded",
)
_ACCOUNT_REFUSAL_PREFIXES = ("InvalidParameter", "AuthFailure.")


def _api_table(
    billable: frozenset[str], free: Iterable[str] = (), *, everything_else_free: bool = False
) -> tuple[ReturnCodeTable, ...]:
    return (
        ReturnCodeTable(
            billable=billable,
            free=frozenset(free) | _ACCOUNT_REFUSALS,
            free_prefixes=_ACCOUNT_REFUSAL_PREFIXES,
            everything_else_free=everything_else_free,
        ),
    )


# An older PaaS page also billed IdPhotoPoorQuality, LifePhotoDetect* and CompareFail; its end date is
# unknown, so only the current table applies. Adding it back is one more dated ReturnCodeTable here.
_FACE_API = _api_table(
    _codes("Success", "FailedOperation.IdNameMisMatch", "FailedOperation.CompareLowSimilarity"),
    _codes(
        "FailedOperation.IdPhotoPoorQuality", "FailedOperation.LifePhotoDetectFaces",
        "FailedOperation.LifePhotoDetectFake", "FailedOperation.LifePhotoDetectNoFaces",
        "FailedOperation.CompareFail", "FailedOperation.CoveredFace",
        "FailedOperation.DetectEngineSystemError", "FailedOperation.ImageDecodeFailed",
        "FailedOperation.IncompleteFace",
    ),
)
_ID_2E = _api_table(_codes(0, -1), _codes(_span(-2, -7)))
_PHONE_3E = _api_table(_codes(0, -4), _codes(_span(-6, -9), -11, -12, -13))
_PHONE_3E_BY_OPERATOR = _api_table(_codes(0, -4), _codes(_span(-6, -9), -11, -13))

TABLES_BY_FAMILY: Mapping[str, tuple[ReturnCodeTable, ...]] = MappingProxyType(
    {
        "wechat": (
            ReturnCodeTable(
                billable=_WECHAT_BILLABLE_UNTIL_2021_07_18,
                free=_WECHAT_KNOWN - _WECHAT_BILLABLE_UNTIL_2021_07_18,
                effective_until=_WECHAT_CHANGE_DAY - timedelta(days=1),
            ),
            ReturnCodeTable(
                billable=_WECHAT_BILLABLE,
                free=_WECHAT_KNOWN - _WECHAT_BILLABLE,
                effective_from=_WECHAT_CHANGE_DAY,
            ),
        ),
        "sdk": (ReturnCodeTable(billable=_SDK_BILLABLE, free=_SDK_FREE),),
        "willingness": (ReturnCodeTable(billable=_codes(0, 66666006), free=_codes(66666004, 66666010)),),
        "nfc": (ReturnCodeTable(billable=_codes(0), free=_NFC_SERVER_FREE | _NFC_TERMINAL_FREE),),
    }
)

# The `api` family has one set of tables per channel.
TABLES_BY_API_CHANNEL: Mapping[str, tuple[ReturnCodeTable, ...]] = MappingProxyType(
    {
        "api.liveness_recognition": _FACE_API,
        "api.id_photo_verification": _FACE_API,
        "api.liveness_compare": _FACE_API,
        "api.photo_verification_v2": _FACE_API,
        "verify.id_2e": _ID_2E,
        "verify.id_ocr": _ID_2E,
        "verify.id_validity": _api_table(_codes(0, -1), _codes(_span(-2, -8))),
        "verify.bankcard_2e": _api_table(_codes(0, -1, _span(-4, -15), -18), _codes(-2, -3, -16, -17)),
        "verify.bankcard_3e": _api_table(
            _codes(0, -1, _span(-5, -16), -20), _codes(-2, -3, -4, -17, -18, -19)
        ),
        "verify.bankcard_4e": _api_table(
            _codes(0, -1, _span(-6, -17), -21), _codes(_span(-2, -5), -18, -19, -20)
        ),
        "verify.bankcard_basic": _api_table(_codes(0, -1, -5), _codes(-2, -3, -4, -6)),
        "verify.phone_tenure": _api_table(_codes(0, -2, -3), _codes(-1, -4, -5, -13)),
        "verify.phone_status": _api_table(_codes(0), _codes(_span(-1, -4), -13)),
        # A mismatch is a positive 1 on this one API, and it is billable.
        "verify.phone_2e": _api_table(_codes(0, 1), _codes(_span(-1, -6), -13)),
        "verify.phone_3e_simple": _PHONE_3E,
        "verify.phone_3e_detailed": _PHONE_3E,
        "verify.phone_3e_cmcc": _PHONE_3E_BY_OPERATOR,
        "verify.phone_3e_ctcc": _PHONE_3E_BY_OPERATOR,
        "verify.phone_3e_cucc": _PHONE_3E_BY_OPERATOR,
        "ai_face_shield": _api_table(_codes("Success"), everything_else_free=True),
        "face_risk": _api_table(_codes(0, "Success"), everything_else_free=True),
    }
)


def normalize_return_code(code: str | int) -> str:
    """The code as the vendor's tables spell it: ints as decimal strings, surrounding whitespace stripped.

    Nothing else is rewritten: "00" or "+0" are not codes any table prints, so they stay unclassified
    and visible to an operator instead of being guessed into a billable 0.
    """
    if isinstance(code, bool) or not isinstance(code, int | str):
        raise TypeError(f"a return code is a str or an int, not {type(code).__name__}")
    text = str(code).strip()
    if not text:
        raise ValueError("a return code cannot be empty")
    return text


def return_code_tables(channel_id: str) -> tuple[ReturnCodeTable, ...]:
    """Every dated table of the channel's rules (UnknownChannel if there is no such channel)."""
    family = get_channel(channel_id).return_code_family
    return TABLES_BY_API_CHANNEL[channel_id] if family == "api" else TABLES_BY_FAMILY[family]


def table_in_force(channel_id: str, usage_date: date) -> ReturnCodeTable | None:
    return next((table for table in return_code_tables(channel_id) if table.in_force_on(usage_date)), None)


def classify_call(
    channel_id: str,
    return_code: str | int,
    usage_date: date,
    *,
    nfc_first_billable_at: datetime | None = None,
    occurred_at: datetime | None = None,
) -> BillingDecision:
    """Decide whether one call is billable.

    For the nfc family, `nfc_first_billable_at` is when the call's nfc_req_id was last billed (the
    start of its open window), if ever: a billable code within 5 minutes of it is a free repeat; at
    5 minutes or later it is billable and opens a new window (see `is_nfc_window_start`).
    """
    code = normalize_return_code(return_code)
    table = table_in_force(channel_id, usage_date)
    decision = table.decide(code) if table is not None else UNCLASSIFIED
    is_nfc = get_channel(channel_id).return_code_family == "nfc"
    if decision.billable and is_nfc and nfc_first_billable_at is not None:
        if occurred_at is None:
            raise ValueError("occurred_at is needed to place an NFC call in its reqId's window")
        if _is_repeat_within_window(nfc_first_billable_at, occurred_at):
            return NFC_REPEAT
    return decision


def _is_repeat_within_window(window_start: datetime, occurred_at: datetime) -> bool:
    if window_start.tzinfo is None or occurred_at.tzinfo is None:
        raise ValueError("NFC window instants must carry a time zone")
    # Subtract in UTC: aware datetimes sharing one tzinfo subtract as wall clocks, wrong across DST.
    elapsed = occurred_at.astimezone(UTC) - window_start.astimezone(UTC)
    return timedelta(0) <= elapsed < NFC_REPEAT_WINDOW


def is_nfc_window_start(decision: BillingDecision, channel_id: str) -> bool:
    """True when the decision bills an NFC call: its instant becomes the reqId's new window start."""
    return decision.billable and get_channel(channel_id).return_code_family == "nfc"

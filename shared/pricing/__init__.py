"""Pure pricing rules of the billing backend: price book, channels, return codes, deduction, quotes.

No I/O and no third-party imports: money is Decimal, instants are aware datetimes.
"""

from shared.pricing.channels import CHANNELS, Channel, billing_tag_for, get_channel
from shared.pricing.cycle import (
    DAILY_SETTLEMENT_FROM,
    SettlementCycle,
    billing_date,
    billing_day_bounds,
    settlement_cycle,
    start_of_billing_day,
)
from shared.pricing.deduction import (
    Deduction,
    DeductionLine,
    PackBalance,
    PackKind,
    PricedLine,
    Usage,
    daily_unit_price,
    deduct,
    monthly_unit_prices,
    pack_kind_for_origin,
    postpaid_amount,
    price_lines,
)
from shared.pricing.errors import (
    PricingError,
    SourceNotAllowed,
    SourceRequired,
    UnknownBillingTag,
    UnknownChannel,
)
from shared.pricing.free_quota import (
    FREE_QUOTA_SIZE,
    PHOTO_V2_FREE_QUOTA_FROM,
    FreeQuotaGrant,
    free_quota_on_activation,
    free_quota_on_eid_merchant,
)
from shared.pricing.money import format_money, format_unit_price, line_amount, round_yuan
from shared.pricing.price_book import (
    MONTHLY_LADDER_TAGS,
    PRICE_BOOK,
    BillingTag,
    LadderTier,
    PackTier,
    get_tag,
)
from shared.pricing.quote import Quote, QuotePack, quote
from shared.pricing.return_codes import (
    NFC_REPEAT_WINDOW,
    RETURN_CODE_TABLES,
    BillingDecision,
    BillingReason,
    ReturnCodeTable,
    classify_call,
    is_nfc_window_start,
    normalize_return_code,
)
from shared.pricing.validity import (
    purchased_pack_validity,
    refund_deadline,
    refund_window_open,
    same_date_next_year,
)

__all__ = [
    "CHANNELS",
    "DAILY_SETTLEMENT_FROM",
    "FREE_QUOTA_SIZE",
    "MONTHLY_LADDER_TAGS",
    "NFC_REPEAT_WINDOW",
    "PHOTO_V2_FREE_QUOTA_FROM",
    "PRICE_BOOK",
    "RETURN_CODE_TABLES",
    "BillingDecision",
    "BillingReason",
    "BillingTag",
    "Channel",
    "Deduction",
    "DeductionLine",
    "FreeQuotaGrant",
    "LadderTier",
    "PackBalance",
    "PackKind",
    "PackTier",
    "PricedLine",
    "PricingError",
    "Quote",
    "QuotePack",
    "ReturnCodeTable",
    "SettlementCycle",
    "SourceNotAllowed",
    "SourceRequired",
    "UnknownBillingTag",
    "UnknownChannel",
    "Usage",
    "billing_date",
    "billing_day_bounds",
    "billing_tag_for",
    "classify_call",
    "daily_unit_price",
    "deduct",
    "format_money",
    "format_unit_price",
    "free_quota_on_activation",
    "free_quota_on_eid_merchant",
    "get_channel",
    "get_tag",
    "is_nfc_window_start",
    "line_amount",
    "monthly_unit_prices",
    "normalize_return_code",
    "pack_kind_for_origin",
    "postpaid_amount",
    "price_lines",
    "purchased_pack_validity",
    "quote",
    "refund_deadline",
    "refund_window_open",
    "round_yuan",
    "same_date_next_year",
    "settlement_cycle",
    "start_of_billing_day",
]

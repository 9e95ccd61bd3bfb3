"""The worked examples of the seed's 费用计算示例, and DESIGN.md's, to the fen."""

from datetime import UTC, date, datetime
from decimal import Decimal

from shared.pricing import (
    PackBalance,
    PackKind,
    QuotePack,
    Usage,
    deduct,
    format_money,
    get_tag,
    line_amount,
    quote,
)

ENHANCED_AUTHORITY = "enhanced_authority_wechat"


def test_three_packs_of_100000_enhanced_authority_cost_300000():
    tier = get_tag(ENHANCED_AUTHORITY).tier(100_000)
    assert tier is not None
    assert format_money(3 * tier.price) == "300000.00"


def test_15000_calls_with_one_10000_pack_cost_17000_in_all():
    # Given one 10,000 pack bought at the tier price and 15,000 billable calls in its validity
    tier = get_tag(ENHANCED_AUTHORITY).tier(10_000)
    assert tier is not None and tier.price == Decimal("11000")
    pack = PackBalance(
        pack_id="pack-1",
        billing_tag=ENHANCED_AUTHORITY,
        kind=PackKind.PURCHASED,
        remaining=10_000,
        effective_from=date(2024, 3, 1),
        expires_on=date(2025, 3, 1),
        acquired_at=datetime(2024, 3, 1, 6, 0, tzinfo=UTC),
    )
    # When they are settled
    (line,) = deduct([Usage(date(2024, 3, 31), ENHANCED_AUTHORITY, 15_000)], [pack]).lines
    postpaid = line_amount(line.postpaid_calls, get_tag(ENHANCED_AUTHORITY).unit_price)
    # Then the pack takes 10,000, 5,000 go postpaid at 1.2, and pack plus postpaid is 17,000.00
    assert line.pack_deductions == (("pack-1", 10_000),)
    assert line.postpaid_calls == 5_000
    assert format_money(postpaid) == "6000.00"
    assert format_money(postpaid + tier.price) == "17000.00"


def test_1000_id_verification_calls_postpaid_cost_300():
    assert format_money(line_amount(1_000, get_tag("id_verification").unit_price)) == "300.00"


def test_30000_phone_2e_calls_postpaid_cost_12000():
    assert format_money(line_amount(30_000, get_tag("phone_2e").unit_price)) == "12000.00"


def test_143_face_risk_calls_cost_half_a_yuan():
    assert format_money(line_amount(143, get_tag("face_risk_detection").unit_price)) == "0.50"


def test_300000_enhanced_authority_calls_are_quoted_cheaper_as_200000_plus_100000():
    result = quote(ENHANCED_AUTHORITY, 300_000)
    assert result.total == Decimal("280000.00")
    assert result.packs == (
        QuotePack(size=200_000, quantity=1, price=Decimal("180000")),
        QuotePack(size=100_000, quantity=1, price=Decimal("100000")),
    )
    assert result.postpaid_calls == 0
    assert result.postpaid_only_total == Decimal("360000.00")

from dataclasses import replace
from decimal import Decimal

import pytest

from shared.pricing import (
    MONTHLY_LADDER_TAGS,
    PRICE_BOOK,
    LadderTier,
    PackTier,
    UnknownBillingTag,
    get_tag,
    monthly_unit_prices,
)

API_MD_TAG_ORDER = [
    "plus_authority_wechat", "plus_upload_wechat", "plus_authority_overlay_h5", "plus_upload_overlay_h5",
    "plus_authority_app", "plus_upload_app", "enhanced_authority_wechat", "enhanced_upload_wechat",
    "enhanced_authority_app", "enhanced_upload_app",
    "enhanced_authority_overlay_h5", "enhanced_upload_overlay_h5",
    "basic_authority", "basic_upload", "id_verification", "id_validity_verification", "bankcard_verification",
    "bankcard_basic_query", "phone_tenure_status", "phone_2e", "phone_3e_simple", "phone_3e_detailed",
    "phone_3e_cmcc", "phone_3e_ctcc", "phone_3e_cucc", "eid_authority", "willingness_authority",
    "willingness_upload", "nfc_id_reading", "ai_face_shield", "photo_verification_v2", "face_risk_detection",
]

SAMPLE_LADDER = (
    LadderTier(0, Decimal("0.3")),
    LadderTier(10_000, Decimal("0.25")),
    LadderTier(100_000, Decimal("0.2")),
)


def test_the_book_holds_the_32_tags_of_api_md_in_its_order():
    assert list(PRICE_BOOK) == API_MD_TAG_ORDER
    assert all(tag_id == tag.id for tag_id, tag in PRICE_BOOK.items())


def test_only_nfc_reading_and_face_risk_detection_are_postpaid_only():
    postpaid_only = {tag.id for tag in PRICE_BOOK.values() if tag.postpaid_only}
    assert postpaid_only == {"nfc_id_reading", "face_risk_detection"}


def test_names_use_ascii_dashes_and_parentheses_and_are_unique():
    names_zh = [tag.name_zh for tag in PRICE_BOOK.values()]
    names_en = [tag.name_en for tag in PRICE_BOOK.values()]
    assert [name for name in names_zh if set(name) & set("−—（）")] == []
    assert [name for name in names_en if not name.isascii()] == []
    assert len(set(names_zh)) == len(set(names_en)) == 32
    assert get_tag("enhanced_authority_wechat").name_zh == "增强版人脸核身(权威库)-微信"
    assert get_tag("enhanced_authority_wechat").name_en == "Enhanced face verification (authority) - WeChat"


def test_money_in_the_book_is_decimal():
    for tag in PRICE_BOOK.values():
        assert isinstance(tag.unit_price, Decimal)
        assert all(isinstance(tier.price, Decimal) and isinstance(tier.size, int) for tier in tag.packs)


def test_a_tier_is_found_by_its_size_and_a_size_the_tag_does_not_sell_is_none():
    tag = get_tag("eid_authority")
    assert tag.tier(5_000) == PackTier(5_000, Decimal("6500"))
    assert tag.tier(200_000) is None
    assert get_tag("nfc_id_reading").tier(1_000) is None


def test_an_unknown_tag_is_a_value_error_of_its_own():
    with pytest.raises(UnknownBillingTag):
        get_tag("enhanced_authority")
    assert issubclass(UnknownBillingTag, ValueError)


def test_by_default_every_ladder_is_one_tier_at_the_daily_price():
    for tag in PRICE_BOOK.values():
        assert tag.monthly_ladder == (LadderTier(0, tag.unit_price),)
        assert tag.monthly_unit_price(0) == tag.monthly_unit_price(10_000_000) == tag.unit_price


def test_only_the_real_name_verification_tags_are_priced_on_the_monthly_ladder():
    real_name_verification_tags = {
        "id_verification", "id_validity_verification", "bankcard_verification", "bankcard_basic_query",
        "phone_tenure_status", "phone_2e", "phone_3e_simple", "phone_3e_detailed", "phone_3e_cmcc",
        "phone_3e_ctcc", "phone_3e_cucc",
    }
    assert real_name_verification_tags == MONTHLY_LADDER_TAGS


def test_the_whole_months_volume_is_priced_at_the_tier_it_reaches():
    tag = replace(get_tag("id_verification"), monthly_ladder=SAMPLE_LADDER)
    assert tag.monthly_unit_price(9_999) == Decimal("0.3")
    assert tag.monthly_unit_price(10_000) == Decimal("0.25")
    assert tag.monthly_unit_price(99_999) == Decimal("0.25")
    assert tag.monthly_unit_price(100_000) == Decimal("0.2")


def test_monthly_prices_use_the_ladder_only_for_ladder_tags():
    # Given a sample ladder on a ladder tag and on a face tag
    book = dict(PRICE_BOOK)
    for tag_id in ("id_verification", "enhanced_authority_wechat"):
        book[tag_id] = replace(book[tag_id], monthly_ladder=SAMPLE_LADDER)
    # When a month of 150,000 calls of each is priced
    prices = monthly_unit_prices({"id_verification": 150_000, "enhanced_authority_wechat": 150_000}, book)
    # Then only the ladder tag moves down the ladder
    assert prices == {"id_verification": Decimal("0.2"), "enhanced_authority_wechat": Decimal("1.2")}


def test_monthly_prices_refuse_an_unknown_tag():
    with pytest.raises(UnknownBillingTag):
        monthly_unit_prices({"nope": 1})


def test_a_ladder_must_start_at_zero_and_ascend():
    tag = get_tag("phone_2e")
    with pytest.raises(ValueError):
        replace(tag, monthly_ladder=(LadderTier(1, Decimal("0.4")),))
    with pytest.raises(ValueError):
        replace(tag, monthly_ladder=(LadderTier(0, Decimal("0.4")), LadderTier(0, Decimal("0.3"))))
    with pytest.raises(ValueError):
        replace(tag, monthly_ladder=())


def test_pack_tiers_must_ascend_by_size():
    tag = get_tag("phone_2e")
    with pytest.raises(ValueError):
        replace(tag, packs=tuple(reversed(tag.packs)))

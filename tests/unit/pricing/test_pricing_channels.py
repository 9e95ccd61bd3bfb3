import pytest

from shared.pricing import (
    CHANNELS,
    PRICE_BOOK,
    SourceNotAllowed,
    SourceRequired,
    UnknownChannel,
    billing_tag_for,
)
from shared.pricing.return_codes import return_code_tables


def by_source(template: str) -> dict[str | None, str]:
    return {"authority": template.format("authority"), "upload": template.format("upload")}


def fixed(tag: str) -> dict[str | None, str]:
    return {None: tag}


# channel id -> (return code family, tag by source); the None key marks a channel that takes no source.
EXPECTED = {
    "plus.wechat_miniprogram": ("wechat", by_source("plus_{}_wechat")),
    "plus.wechat_native_h5": ("wechat", by_source("plus_{}_wechat")),
    "plus.wechat_overlay_h5": ("wechat", by_source("plus_{}_overlay_h5")),
    "plus.app_sdk": ("sdk", by_source("plus_{}_app")),
    "enhanced.wechat_miniprogram": ("wechat", by_source("enhanced_{}_wechat")),
    "enhanced.wechat_native_h5": ("wechat", by_source("enhanced_{}_wechat")),
    "enhanced.wechat_overlay_h5": ("wechat", by_source("enhanced_{}_overlay_h5")),
    "enhanced.mobile_overlay_h5": ("sdk", by_source("enhanced_{}_overlay_h5")),
    "enhanced.app_sdk": ("sdk", by_source("enhanced_{}_app")),
    "basic.wechat_plain_h5": ("sdk", by_source("basic_{}")),
    "basic.pc_h5": ("sdk", by_source("basic_{}")),
    "basic.app_sdk": ("sdk", by_source("basic_{}")),
    "api.liveness_recognition": ("api", fixed("basic_authority")),
    "api.id_photo_verification": ("api", fixed("basic_authority")),
    "api.liveness_compare": ("api", fixed("basic_upload")),
    "api.photo_verification_v2": ("api", fixed("photo_verification_v2")),
    "verify.id_2e": ("api", fixed("id_verification")),
    "verify.id_ocr": ("api", fixed("id_verification")),
    "verify.id_validity": ("api", fixed("id_validity_verification")),
    "verify.bankcard_2e": ("api", fixed("bankcard_verification")),
    "verify.bankcard_3e": ("api", fixed("bankcard_verification")),
    "verify.bankcard_4e": ("api", fixed("bankcard_verification")),
    "verify.bankcard_basic": ("api", fixed("bankcard_basic_query")),
    "verify.phone_tenure": ("api", fixed("phone_tenure_status")),
    "verify.phone_status": ("api", fixed("phone_tenure_status")),
    "verify.phone_2e": ("api", fixed("phone_2e")),
    "verify.phone_3e_simple": ("api", fixed("phone_3e_simple")),
    "verify.phone_3e_detailed": ("api", fixed("phone_3e_detailed")),
    "verify.phone_3e_cmcc": ("api", fixed("phone_3e_cmcc")),
    "verify.phone_3e_ctcc": ("api", fixed("phone_3e_ctcc")),
    "verify.phone_3e_cucc": ("api", fixed("phone_3e_cucc")),
    "eid": ("wechat", fixed("eid_authority")),
    "willingness": ("willingness", by_source("willingness_{}")),
    "nfc": ("nfc", fixed("nfc_id_reading")),
    "ai_face_shield": ("api", fixed("ai_face_shield")),
    "face_risk": ("api", fixed("face_risk_detection")),
}

IMPLIED_SOURCES = {
    "api.liveness_recognition": "authority",
    "api.id_photo_verification": "authority",
    "api.liveness_compare": "upload",
    "eid": "authority",
}


def test_the_catalog_lists_every_channel_of_api_md_in_its_order():
    assert list(CHANNELS) == list(EXPECTED)
    assert len(CHANNELS) == 36


@pytest.mark.parametrize("channel_id", list(EXPECTED))
def test_each_channel_bills_the_tag_of_the_seeds_overview(channel_id):
    family, tag_by_source = EXPECTED[channel_id]
    channel = CHANNELS[channel_id]
    assert channel.return_code_family == family
    assert channel.sources == tuple(source for source in tag_by_source if source is not None)
    assert {source: billing_tag_for(channel_id, source) for source in tag_by_source} == tag_by_source


def test_every_channel_bills_a_tag_of_the_book_and_every_tag_has_a_channel():
    billed = {
        billing_tag_for(channel.id, source)
        for channel in CHANNELS.values()
        for source in channel.sources or [None]
    }
    assert billed == set(PRICE_BOOK)


def test_a_channel_that_picks_its_tag_by_source_needs_one():
    with pytest.raises(SourceRequired):
        billing_tag_for("enhanced.app_sdk", None)
    with pytest.raises(SourceRequired):
        billing_tag_for("willingness", None)


def test_a_source_the_channel_does_not_take_is_refused():
    with pytest.raises(SourceNotAllowed):
        billing_tag_for("plus.app_sdk", "selfie")
    with pytest.raises(SourceNotAllowed):
        billing_tag_for("verify.id_2e", "authority")
    with pytest.raises(SourceNotAllowed):
        billing_tag_for("nfc", "upload")


def test_an_implied_source_may_be_repeated_but_not_contradicted():
    for channel_id, source in IMPLIED_SOURCES.items():
        assert billing_tag_for(channel_id, source) == billing_tag_for(channel_id, None)
        other = "upload" if source == "authority" else "authority"
        with pytest.raises(SourceNotAllowed):
            billing_tag_for(channel_id, other)
    assert {c.id for c in CHANNELS.values() if c.implied_source} == set(IMPLIED_SOURCES)


def test_an_unknown_channel_is_refused_as_a_value_error():
    with pytest.raises(UnknownChannel):
        billing_tag_for("plus.wechat", "authority")
    assert issubclass(UnknownChannel, ValueError)
    assert issubclass(SourceRequired, ValueError)
    assert issubclass(SourceNotAllowed, ValueError)


def test_every_channel_has_return_code_rules():
    assert [channel_id for channel_id in CHANNELS if not return_code_tables(channel_id)] == []


def test_channel_names_are_unique_and_english_names_ascii():
    assert len({c.name_zh for c in CHANNELS.values()}) == len({c.name_en for c in CHANNELS.values()}) == 36
    assert all(c.name_en.isascii() for c in CHANNELS.values())

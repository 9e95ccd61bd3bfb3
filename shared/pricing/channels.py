"""Access channels (接入渠道) and the billing tag each one bills, by source where the source picks it."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.pricing.errors import SourceNotAllowed, SourceRequired, UnknownChannel

AUTHORITY = "authority"  # 跟权威库比对
UPLOAD = "upload"  # 跟上传照片比对
BOTH_SOURCES = (AUTHORITY, UPLOAD)

RETURN_CODE_FAMILIES = frozenset({"wechat", "sdk", "willingness", "nfc", "api"})


@dataclass(frozen=True)
class Channel:
    id: str
    name_zh: str
    name_en: str
    sources: tuple[str, ...]
    return_code_family: str
    # "{source}" in the template is replaced by the call's source, e.g. "plus_{source}_wechat".
    billing_tag_template: str
    # The one source a channel without a choice compares against ("— (authority)" in API.md), if any.
    implied_source: str | None = None

    def __post_init__(self) -> None:
        if self.return_code_family not in RETURN_CODE_FAMILIES:
            raise ValueError(f"{self.id}: unknown return code family {self.return_code_family!r}")
        if bool(self.sources) != ("{source}" in self.billing_tag_template):
            raise ValueError(f"{self.id}: the tag template names {{source}} iff the channel has sources")
        if self.sources and self.implied_source is not None:
            raise ValueError(f"{self.id}: a channel with a choice of sources implies none")

    def billing_tag(self, source: str | None) -> str:
        if self.sources:
            if source is None:
                raise SourceRequired(f"channel {self.id} needs a source: one of {', '.join(self.sources)}")
            if source not in self.sources:
                raise SourceNotAllowed(
                    f"channel {self.id} takes source {', '.join(self.sources)}, not {source!r}"
                )
            return self.billing_tag_template.format(source=source)
        if source is not None and source != self.implied_source:
            allowed = f"only {self.implied_source!r}" if self.implied_source else "none"
            raise SourceNotAllowed(f"channel {self.id} takes {allowed} as source, not {source!r}")
        return self.billing_tag_template


def _with_sources(channel_id: str, name_zh: str, name_en: str, family: str, template: str) -> Channel:
    return Channel(channel_id, name_zh, name_en, BOTH_SOURCES, family, template)


def _fixed(
    channel_id: str, name_zh: str, name_en: str, family: str, tag: str, implied_source: str | None = None
) -> Channel:
    return Channel(channel_id, name_zh, name_en, (), family, tag, implied_source)


_CHANNELS = (
    _with_sources("plus.wechat_miniprogram", "Plus版-微信小程序", "Plus - WeChat Mini Program",
                  "wechat", "plus_{source}_wechat"),
    _with_sources("plus.wechat_native_h5", "Plus版-微信原生H5(微信公众号)",
                  "Plus - WeChat native H5 (Official Account)", "wechat", "plus_{source}_wechat"),
    _with_sources("plus.wechat_overlay_h5", "Plus版-微信浮层H5(微信浏览器)",
                  "Plus - WeChat overlay H5 (WeChat browser)", "wechat", "plus_{source}_overlay_h5"),
    _with_sources("plus.app_sdk", "Plus版SDK(App)", "Plus - App SDK", "sdk", "plus_{source}_app"),
    _with_sources("enhanced.wechat_miniprogram", "增强版-微信小程序", "Enhanced - WeChat Mini Program",
                  "wechat", "enhanced_{source}_wechat"),
    _with_sources("enhanced.wechat_native_h5", "增强版-微信原生H5", "Enhanced - WeChat native H5",
                  "wechat", "enhanced_{source}_wechat"),
    _with_sources("enhanced.wechat_overlay_h5", "增强版-微信浮层H5", "Enhanced - WeChat overlay H5",
                  "wechat", "enhanced_{source}_overlay_h5"),
    _with_sources("enhanced.mobile_overlay_h5", "增强版-移动浮层H5", "Enhanced - mobile overlay H5",
                  "sdk", "enhanced_{source}_overlay_h5"),
    _with_sources("enhanced.app_sdk", "增强版SDK(App)", "Enhanced - App SDK", "sdk", "enhanced_{source}_app"),
    _with_sources("basic.wechat_plain_h5", "基础版-微信普通H5", "Basic - WeChat plain H5",
                  "sdk", "basic_{source}"),
    _with_sources("basic.pc_h5", "基础版-PC H5", "Basic - PC H5", "sdk", "basic_{source}"),
    _with_sources("basic.app_sdk", "基础版SDK(App)", "Basic - App SDK", "sdk", "basic_{source}"),
    _fixed("api.liveness_recognition", "活体人脸核身API", "Liveness face verification API",
           "api", "basic_authority", AUTHORITY),
    _fixed("api.id_photo_verification", "身份证人像照片验真API", "ID card portrait verification API",
           "api", "basic_authority", AUTHORITY),
    _fixed("api.liveness_compare", "活体人脸比对API", "Liveness face comparison API",
           "api", "basic_upload", UPLOAD),
    _fixed("api.photo_verification_v2", "照片人脸核身V2.0 API", "Photo face verification V2.0 API",
           "api", "photo_verification_v2"),
    _fixed("verify.id_2e", "身份信息认证(二要素核验)", "ID 2-element verification", "api", "id_verification"),
    _fixed("verify.id_ocr", "身份证识别及信息核验", "ID card OCR and verification", "api", "id_verification"),
    _fixed("verify.id_validity", "身份信息及有效期核验", "ID and validity period verification",
           "api", "id_validity_verification"),
    _fixed("verify.bankcard_2e", "银行卡二要素核验", "Bank card 2-element verification",
           "api", "bankcard_verification"),
    _fixed("verify.bankcard_3e", "银行卡三要素核验", "Bank card 3-element verification",
           "api", "bankcard_verification"),
    _fixed("verify.bankcard_4e", "银行卡四要素核验", "Bank card 4-element verification",
           "api", "bankcard_verification"),
    _fixed("verify.bankcard_basic", "银行卡基础信息查询", "Bank card basic information query",
           "api", "bankcard_basic_query"),
    _fixed("verify.phone_tenure", "手机号在网时长核验", "Phone number tenure check",
           "api", "phone_tenure_status"),
    _fixed("verify.phone_status", "手机号状态查询", "Phone number status query",
           "api", "phone_tenure_status"),
    _fixed("verify.phone_2e", "手机号二要素核验", "Phone 2-element verification", "api", "phone_2e"),
    _fixed("verify.phone_3e_simple", "手机三要素核验(简版)", "Phone 3-element verification (simple)",
           "api", "phone_3e_simple"),
    _fixed("verify.phone_3e_detailed", "手机三要素核验(详版)", "Phone 3-element verification (detailed)",
           "api", "phone_3e_detailed"),
    _fixed("verify.phone_3e_cmcc", "手机号三要素核验(移动)", "Phone 3-element verification (China Mobile)",
           "api", "phone_3e_cmcc"),
    _fixed("verify.phone_3e_ctcc", "手机号三要素核验(电信)", "Phone 3-element verification (China Telecom)",
           "api", "phone_3e_ctcc"),
    _fixed("verify.phone_3e_cucc", "手机号三要素核验(联通)", "Phone 3-element verification (China Unicom)",
           "api", "phone_3e_cucc"),
    _fixed("eid", "E证通", "eID", "wechat", "eid_authority", AUTHORITY),
    _with_sources("willingness", "意愿核身", "Willingness verification",
                  "willingness", "willingness_{source}"),
    _fixed("nfc", "实证NFC", "ID NFC reading", "nfc", "nfc_id_reading"),
    _fixed("ai_face_shield", "AI人脸防护盾", "AI face shield", "api", "ai_face_shield"),
    _fixed("face_risk", "人脸安全风险识别服务", "Face security risk detection", "api", "face_risk_detection"),
)

CHANNELS: Mapping[str, Channel] = MappingProxyType({channel.id: channel for channel in _CHANNELS})


def get_channel(channel_id: str) -> Channel:
    try:
        return CHANNELS[channel_id]
    except (KeyError, TypeError):
        raise UnknownChannel(f"unknown channel: {channel_id!r}") from None


def billing_tag_for(channel_id: str, source: str | None) -> str:
    """The billing tag a call on this channel (and source, where the channel takes one) is billed under."""
    return get_channel(channel_id).billing_tag(source)

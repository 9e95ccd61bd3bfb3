"""The price book: every billing tag (计费标签) of the 价格说明 page, its unit price and pack tiers."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from shared.pricing.errors import UnknownBillingTag


@dataclass(frozen=True)
class PackTier:
    """A pack (资源包) the vendor sells: `size` calls for `price` yuan."""

    size: int
    price: Decimal

    def __post_init__(self) -> None:
        if self.size <= 0:
            raise ValueError(f"pack size must be positive, got {self.size}")
        if self.price <= 0:
            raise ValueError(f"pack price must be positive, got {self.price}")


@dataclass(frozen=True)
class LadderTier:
    """A step of a monthly 阶梯到达 ladder: from `from_calls` calls a month, every call costs `unit_price`."""

    from_calls: int
    unit_price: Decimal


@dataclass(frozen=True)
class BillingTag:
    id: str
    name_zh: str
    name_en: str
    unit_price: Decimal
    packs: tuple[PackTier, ...]
    monthly_ladder: tuple[LadderTier, ...]

    def __post_init__(self) -> None:
        sizes = [tier.size for tier in self.packs]
        if sizes != sorted(set(sizes)):
            raise ValueError(f"{self.id}: pack tiers must have distinct sizes in ascending order")
        starts = [step.from_calls for step in self.monthly_ladder]
        if not starts or starts[0] != 0 or starts != sorted(set(starts)):
            raise ValueError(f"{self.id}: the monthly ladder must start at 0 calls and strictly ascend")

    @property
    def postpaid_only(self) -> bool:
        return not self.packs

    def tier(self, size: int) -> PackTier | None:
        return next((tier for tier in self.packs if tier.size == size), None)

    def monthly_unit_price(self, month_volume: int) -> Decimal:
        """The unit price the month's whole volume reaches on the ladder (阶梯到达, not progressive)."""
        if month_volume < 0:
            raise ValueError(f"month_volume must be >= 0, got {month_volume}")
        reached = [step for step in self.monthly_ladder if step.from_calls <= month_volume]
        return reached[-1].unit_price


# Tier sizes the vendor uses; the seed writes them as 1千次, 5千次, 1万次, 10万次 ...
_K1, _K5, _W1, _W10, _W20, _W50, _W100 = 1_000, 5_000, 10_000, 100_000, 200_000, 500_000, 1_000_000
_SIX_SIZES = (_K1, _W1, _W10, _W20, _W50, _W100)
_FOUR_SIZES = (_K1, _W1, _W10, _W20)


def _tag(
    tag_id: str,
    name_zh: str,
    name_en: str,
    unit_price: str,
    sizes: tuple[int, ...] = (),
    prices: tuple[int, ...] = (),
) -> BillingTag:
    if len(sizes) != len(prices):
        raise ValueError(f"{tag_id}: {len(sizes)} sizes but {len(prices)} prices")
    price = Decimal(unit_price)
    return BillingTag(
        id=tag_id,
        name_zh=name_zh,
        name_en=name_en,
        unit_price=price,
        packs=tuple(PackTier(size, Decimal(amount)) for size, amount in zip(sizes, prices, strict=True)),
        # The vendor's monthly figures are not public: one tier at the daily price until they are known.
        monthly_ladder=(LadderTier(0, price),),
    )


_PLUS_AUTHORITY = ("1.5", _SIX_SIZES, (1_500, 15_000, 140_000, 280_000, 675_000, 1_300_000))
_PLUS_UPLOAD = ("0.6", _SIX_SIZES, (600, 6_000, 50_000, 100_000, 225_000, 400_000))
_ENHANCED_AUTHORITY = ("1.2", _SIX_SIZES, (1_150, 11_000, 100_000, 180_000, 400_000, 800_000))
_ENHANCED_UPLOAD = ("0.3", _SIX_SIZES, (280, 2_700, 26_000, 50_000, 115_000, 230_000))

_TAGS = (
    _tag("plus_authority_wechat", "Plus版人脸核身(权威库)-微信",
         "Plus face verification (authority) - WeChat", *_PLUS_AUTHORITY),
    _tag("plus_upload_wechat", "Plus版人脸核身(自传照片)-微信",
         "Plus face verification (uploaded photo) - WeChat", *_PLUS_UPLOAD),
    _tag("plus_authority_overlay_h5", "Plus版人脸核身(权威库)-浮层H5",
         "Plus face verification (authority) - Overlay H5", *_PLUS_AUTHORITY),
    _tag("plus_upload_overlay_h5", "Plus版人脸核身(自传照片)-浮层H5",
         "Plus face verification (uploaded photo) - Overlay H5", *_PLUS_UPLOAD),
    _tag("plus_authority_app", "Plus版人脸核身(权威库)-APP",
         "Plus face verification (authority) - App", *_PLUS_AUTHORITY),
    _tag("plus_upload_app", "Plus版人脸核身(自传照片)-APP",
         "Plus face verification (uploaded photo) - App", *_PLUS_UPLOAD),
    _tag("enhanced_authority_wechat", "增强版人脸核身(权威库)-微信",
         "Enhanced face verification (authority) - WeChat", *_ENHANCED_AUTHORITY),
    _tag("enhanced_upload_wechat", "增强版人脸核身(自传照片)-微信",
         "Enhanced face verification (uploaded photo) - WeChat", *_ENHANCED_UPLOAD),
    _tag("enhanced_authority_app", "增强版人脸核身(权威库)-App",
         "Enhanced face verification (authority) - App", *_ENHANCED_AUTHORITY),
    _tag("enhanced_upload_app", "增强版人脸核身(自传照片)-App",
         "Enhanced face verification (uploaded photo) - App", *_ENHANCED_UPLOAD),
    _tag("enhanced_authority_overlay_h5", "增强版人脸核身(权威库)-浮层H5",
         "Enhanced face verification (authority) - Overlay H5", *_ENHANCED_AUTHORITY),
    _tag("enhanced_upload_overlay_h5", "增强版人脸核身(自传照片)-浮层H5",
         "Enhanced face verification (uploaded photo) - Overlay H5", *_ENHANCED_UPLOAD),
    _tag("basic_authority", "基础版人脸核身(权威库)", "Basic face verification (authority)",
         "1", _SIX_SIZES, (930, 8_000, 75_000, 140_000, 340_000, 660_000)),
    _tag("basic_upload", "基础版人脸核身(自传照片)", "Basic face verification (uploaded photo)",
         "0.15", _SIX_SIZES, (145, 1_200, 11_500, 22_000, 52_500, 100_000)),
    _tag("id_verification", "身份信息核验", "ID verification",
         "0.3", _SIX_SIZES, (300, 2_800, 26_000, 48_000, 115_000, 220_000)),
    _tag("id_validity_verification", "身份信息及有效期核验", "ID and validity period verification",
         "1.8", _SIX_SIZES, (1_500, 14_000, 130_000, 240_000, 550_000, 1_000_000)),
    _tag("bankcard_verification", "银行卡信息核验", "Bank card verification",
         "0.6", _FOUR_SIZES, (580, 5_600, 54_000, 104_000)),
    # 20万次 really is 36,000 in the seed, cheaper per call than 10万次: kept as published.
    _tag("bankcard_basic_query", "银行卡基础信息查询", "Bank card basic information query",
         "0.3", _FOUR_SIZES, (280, 2_700, 26_000, 36_000)),
    _tag("phone_tenure_status", "手机号在网时长/状态查询", "Phone number tenure / status query",
         "0.4", _FOUR_SIZES, (380, 3_800, 37_000, 72_000)),
    _tag("phone_2e", "手机号信息核验(二要素)", "Phone 2-element verification",
         "0.4", _FOUR_SIZES, (380, 3_700, 36_000, 70_000)),
    _tag("phone_3e_simple", "手机号信息核验(三要素)-简版", "Phone 3-element verification - Simple",
         "1.1", _FOUR_SIZES, (1_050, 10_000, 95_000, 180_000)),
    _tag("phone_3e_detailed", "手机号信息核验(三要素)-详版", "Phone 3-element verification - Detailed",
         "1.2", _FOUR_SIZES, (1_100, 10_500, 100_000, 190_000)),
    _tag("phone_3e_cmcc", "手机号信息核验(三要素)-移动", "Phone 3-element verification - China Mobile",
         "1.3", _FOUR_SIZES, (1_250, 12_000, 115_000, 220_000)),
    _tag("phone_3e_ctcc", "手机号信息核验(三要素)-电信", "Phone 3-element verification - China Telecom",
         "0.7", _FOUR_SIZES, (650, 6_000, 55_000, 100_000)),
    _tag("phone_3e_cucc", "手机号信息核验(三要素)-联通", "Phone 3-element verification - China Unicom",
         "0.7", _FOUR_SIZES, (650, 6_000, 55_000, 100_000)),
    _tag("eid_authority", "E证通(权威库)", "eID verification (authority)",
         "1.5", (_K1, _K5, _W1, _W10, _W50, _W100), (1_400, 6_500, 12_000, 100_000, 450_000, 800_000)),
    _tag("willingness_authority", "意愿核身(权威库)", "Willingness verification (authority)",
         "1.5", _SIX_SIZES, (1_450, 14_400, 142_000, 280_000, 690_000, 1_350_000)),
    _tag("willingness_upload", "意愿核身(自传照片)", "Willingness verification (uploaded photo)",
         "0.8", _SIX_SIZES, (730, 7_200, 71_000, 138_000, 335_000, 650_000)),
    _tag("nfc_id_reading", "证件 NFC 识别", "ID document NFC reading", "1.0"),
    _tag("ai_face_shield", "AI人脸防护盾", "AI face shield",
         "1.2", _SIX_SIZES, (1_200, 11_500, 110_000, 210_000, 500_000, 950_000)),
    _tag("photo_verification_v2", "照片人脸核身V2.0", "Photo face verification V2.0",
         "1", (_K1, _W1, _W10), (930, 8_000, 75_000)),
    _tag("face_risk_detection", "人脸安全风险识别服务", "Face security risk detection", "0.0035"),
)

PRICE_BOOK: Mapping[str, BillingTag] = MappingProxyType({tag.id: tag for tag in _TAGS})

# The 实名信息核验 tags: accounts that settle monthly pay these on the monthly ladder (价格说明(月结)).
MONTHLY_LADDER_TAGS: frozenset[str] = frozenset(
    {
        "id_verification",
        "id_validity_verification",
        "bankcard_verification",
        "bankcard_basic_query",
        "phone_tenure_status",
        "phone_2e",
        "phone_3e_simple",
        "phone_3e_detailed",
        "phone_3e_cmcc",
        "phone_3e_ctcc",
        "phone_3e_cucc",
    }
)


def get_tag(tag_id: str) -> BillingTag:
    try:
        return PRICE_BOOK[tag_id]
    except (KeyError, TypeError):
        raise UnknownBillingTag(f"unknown billing tag: {tag_id!r}") from None

"""The free quota (免费额度) packs the price page promises."""

from dataclasses import dataclass
from datetime import UTC, datetime

from shared.pricing.cycle import BEIJING, require_aware
from shared.pricing.validity import same_date_next_year

FREE_QUOTA_SIZE = 100

# 照片人脸核身V2.0 is a newer API: only accounts activated from this instant get its free pack.
PHOTO_V2_FREE_QUOTA_FROM = datetime(2024, 5, 15, 0, 0, tzinfo=BEIJING)

ACTIVATION_FREE_QUOTA_TAGS = (
    "enhanced_authority_wechat",
    "enhanced_upload_wechat",
    "enhanced_authority_app",
    "enhanced_upload_app",
    "enhanced_authority_overlay_h5",
    "enhanced_upload_overlay_h5",
    "basic_authority",
    "basic_upload",
)
PHOTO_V2_TAG = "photo_verification_v2"
EID_TAG = "eid_authority"


@dataclass(frozen=True)
class FreeQuotaGrant:
    billing_tag: str
    size: int
    valid_from: datetime
    expires_at: datetime


def one_year_after(instant: datetime) -> datetime:
    """The same wall-clock instant a year on in the instant's own zone; 29 February becomes 28 February."""
    later_day = same_date_next_year(instant.date())
    return instant.replace(year=later_day.year, month=later_day.month, day=later_day.day)


def _grant(tag: str, granted_at: datetime) -> FreeQuotaGrant:
    return FreeQuotaGrant(tag, FREE_QUOTA_SIZE, granted_at, one_year_after(granted_at))


def free_quota_on_activation(activated_at: datetime) -> tuple[FreeQuotaGrant, ...]:
    require_aware(activated_at, "activated_at")
    tags = ACTIVATION_FREE_QUOTA_TAGS
    if activated_at.astimezone(UTC) >= PHOTO_V2_FREE_QUOTA_FROM:
        tags = (*tags, PHOTO_V2_TAG)
    return tuple(_grant(tag, activated_at) for tag in tags)


def free_quota_on_eid_merchant(granted_at: datetime) -> FreeQuotaGrant:
    """The E证通 free pack, granted when the account first gets its E证通 merchant id."""
    return _grant(EID_TAG, require_aware(granted_at, "granted_at"))

"""Validity of purchased packs and the 7-day refund window, in the billing time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.pricing.cycle import billing_date, require_aware, start_of_billing_day

PACK_EXPIRY_TIME = time(23, 59, 59)
REFUND_DAYS = 7


def same_date_next_year(day: date) -> date:
    """The same date a year on; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def purchased_pack_validity(purchased_at: datetime, zone: ZoneInfo) -> tuple[date, datetime]:
    """(effective_from, expires_at) of a bought pack.

    It offsets calls from 00:00 of its purchase day and expires at 23:59:59 of the same date a year on
    (bought 2021-05-06 16:07:54 -> expires 2022-05-06 23:59:59), both in the billing zone.
    """
    purchase_day = billing_date(purchased_at, zone)
    expires_at = datetime.combine(same_date_next_year(purchase_day), PACK_EXPIRY_TIME, tzinfo=zone)
    return purchase_day, expires_at


def refund_deadline(purchased_at: datetime, zone: ZoneInfo) -> datetime:
    """The last instant of the 7th day after the purchase day (bought 10-01: until 10-08 23:59:59.999999)."""
    purchase_day = billing_date(purchased_at, zone)
    closes_at = start_of_billing_day(purchase_day + timedelta(days=REFUND_DAYS + 1), zone)
    # Step back in UTC: arithmetic on a zoned datetime is wall-clock arithmetic.
    return (closes_at.astimezone(UTC) - timedelta(microseconds=1)).astimezone(zone)


def refund_window_open(purchased_at: datetime, now: datetime, zone: ZoneInfo) -> bool:
    deadline = refund_deadline(purchased_at, zone)
    # Compare in UTC: two datetimes sharing a tzinfo compare as wall clocks, ignoring DST folds.
    return require_aware(now, "now").astimezone(UTC) <= deadline.astimezone(UTC)

"""What each movement books (API.md, Reports; DESIGN.md, The vendor's books). Pure: the services write the
bookings in the transaction of the movement that causes them.

- A purchase books each bought pack's paid value (its wallet part) as pack sales, and its voucher part as a
  voucher discount, on the purchase's billing date. Gifted packs (free quota, promotions) carry no value.
- A settlement books its bill's postpaid amounts as postpaid revenue, and what its deductions recognize of
  each bought pack (shared.books.value), on its bill's date: a daily bill's day, a monthly bill's last day.
  A deduction from a pack whose expiry already booked its breakage turns as much breakage back: the same
  amount as negative breakage.
- An expiry books the pack's value not recognized yet as breakage, on the billing date the pack expired.
- A refund books the paid value it gives back (an unused pack: all of it) as refunds, on the refund's date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from shared.accounts.models import Pack, PackOrigin, PackStatus
from shared.books.models import Booking, Figure
from shared.books.value import deferred_value, recognized_by
from shared.settlement.models import Bill
from shared.settlement.plan import PackChange


def carries_value(pack: Pack) -> bool:
    return pack.origin is PackOrigin.PURCHASE and pack.paid is not None


def purchase_bookings(packs: Iterable[Pack], day: date) -> list[Booking]:
    bookings = []
    for pack in packs:
        if carries_value(pack) and pack.paid is not None:
            bookings.append(Booking(day, pack.billing_tag, Figure.PACK_SALES, pack.paid_value))
            bookings.append(Booking(day, pack.billing_tag, Figure.VOUCHER_DISCOUNTS, pack.paid.voucher))
    return bookings


def deferred_after(pack: Pack, remaining: int) -> Decimal | None:
    """The pack's deferred value once `remaining` calls are left (None: a pack without value)."""
    return deferred_value(pack.paid_value, pack.size, remaining) if carries_value(pack) else None


def settlement_bookings(bill: Bill, changes: Iterable[PackChange], packs: dict[str, Pack]) -> list[Booking]:
    """`packs`: the packs drawn on, as the settlement read them."""
    day = bill.period_end
    bookings = [Booking(day, line.billing_tag, Figure.POSTPAID_REVENUE, line.amount) for line in bill.lines]
    for change in changes:
        pack = packs[change.pack_id]
        if not carries_value(pack):
            continue
        recognized = recognized_by(pack.paid_value, pack.size, change.before, change.after)
        bookings.append(Booking(day, pack.billing_tag, Figure.RECOGNIZED_PACK_REVENUE, recognized))
        if change.recorded_status is PackStatus.EXPIRED:
            bookings.append(Booking(day, pack.billing_tag, Figure.BREAKAGE, -recognized))
    return bookings


def expiry_bookings(pack: Pack, day: date) -> list[Booking]:
    """`pack` as the expiry read it: what is left of its value is breakage."""
    if not carries_value(pack):
        return []
    return [Booking(day, pack.billing_tag, Figure.BREAKAGE, deferred_value(pack.paid_value, pack.size, pack.remaining))]


def refund_bookings(pack: Pack, day: date) -> list[Booking]:
    if not carries_value(pack):
        return []
    return [Booking(day, pack.billing_tag, Figure.REFUNDS, deferred_value(pack.paid_value, pack.size, pack.remaining))]

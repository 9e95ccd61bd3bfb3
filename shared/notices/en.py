"""The notices in English, for accounts whose locale is `en`. Tags are named by the price book's English
names; each notice says what happened and what to do; a detail field that is missing leaves its clause out."""

from __future__ import annotations

from collections.abc import Callable

from shared.events import EventType
from shared.notices.detail import Detail
from shared.notices.formats import Formats, clause
from shared.notices.notice import Draft

SMS_SIGNATURE = "[Face Verification] "
GREETING = "Dear customer (account {account_id}),\n\n"
SIGN_OFF = "\n\nThis message was sent automatically; please do not reply to it."


def _pack(d: Detail, f: Formats, *, with_size: bool = True) -> str:
    """ (Enhanced face verification (authority) - WeChat, 10,000 calls), or less when the detail says less."""
    parts = []
    if (tag := d.text("billing_tag")) is not None:
        parts.append(f.tag(tag))
    if with_size and (size := d.count("size")) is not None:
        parts.append(f.calls(size))
    return f" ({', '.join(parts)})" if parts else ""


def _balance(d: Detail, f: Formats) -> str:
    return clause("; your balance is {}", d.money("balance"), f.money)


def pack_delivered(d: Detail, f: Formats) -> Draft:
    pack = d.part("pack")
    gifted = pack.text("origin") == "promotion"
    opening = "A pack was granted to you" if gifted else "Your pack has been delivered"
    expires = pack.instant("expires_at")
    return Draft(
        title="Pack granted" if gifted else "Pack delivered",
        text=f"{opening}{_pack(pack, f)}{clause(', valid until {}', expires, f.instant)}. "
             "It is deducted automatically from your calls; check its balance in the console at any time.",
        sms=f"{opening}{_pack(pack, f)}{clause(', valid until {}', expires, f.short_instant)}.",
    )


def free_quota_granted(d: Detail, f: Formats) -> Draft:
    packs = d.parts("packs")
    lines = [
        f"- {f.tag(pack.text('billing_tag') or 'Free pack')}{clause(': {}', pack.count('size'), f.calls)}"
        f"{clause(', valid until {}', pack.instant('expires_at'), f.instant)}"
        for pack in packs
    ]
    total = sum(pack.count("size") or 0 for pack in packs)
    expiries = [at for pack in packs if (at := pack.instant("expires_at")) is not None]
    listing = ":\n" + "\n".join(lines) + "\n" if lines else ". "
    count = {0: "free packs", 1: "a free pack"}.get(len(packs), f"{len(packs)} free packs")
    return Draft(
        title="Free quota granted",
        text=f"You have been granted free packs{listing}Free packs are deducted before purchased ones and are void "
             "once they expire: use them within their validity.",
        sms=f"You have been granted {count}{clause(' ({} in all)', total or None, f.calls)}"
            f"{clause(', valid until {}', min(expiries, default=None), f.short_instant)}. See your in-site messages.",
    )


def pack_low(d: Detail, f: Formats) -> Draft:
    left = clause(" has {} left,", d.count("remaining"), f.calls) or " is"
    return Draft(
        title="Pack running low",
        text=f"Your pack{_pack(d, f)}{left} less than 20% of its size. Once it is used up, calls are billed "
             "postpaid at the unit price; buy a pack in time to keep them prepaid.",
        sms=f"Your pack{_pack(d, f, with_size=False)}{left} under 20% of its size. Please buy a pack in time.",
    )


def pack_exhausted(d: Detail, f: Formats) -> Draft:
    return Draft(
        title="Pack used up",
        text=f"Your pack{_pack(d, f)} is used up: further calls are billed postpaid at the unit price. Buy a new "
             "pack to keep them prepaid; if you have turned postpaid off, calls are refused until you do.",
        sms=f"Your pack{_pack(d, f, with_size=False)} is used up; calls are now billed postpaid. "
            "Buy a new pack to keep them prepaid.",
    )


def pack_expiring(d: Detail, f: Formats) -> Draft:
    expires = d.instant("expires_at")
    left = clause(" with {} left", d.count("remaining"), f.calls)
    return Draft(
        title="Pack expiring soon",
        text=f"Your pack{_pack(d, f)}{left} expires {clause('on {}', expires, f.instant) or 'within 7 days'}"
             f"{clause(' (in {} days)', d.count('days_left'))}. Expired packs are void and unused calls are not "
             "refunded: use them before then, or buy a new pack to keep calls prepaid afterwards.",
        sms=f"Your pack{_pack(d, f, with_size=False)}{left} expires "
            f"{clause('on {}', expires, f.short_instant) or 'within 7 days'}. Unused calls will be void.",
    )


def pack_expired(d: Detail, f: Formats) -> Draft:
    unused = d.count("unused_calls")
    unused = d.count("remaining") if unused is None else unused
    void = clause("; the {} left unused are void", unused or None, f.calls)
    return Draft(
        title="Pack expired",
        text=f"Your pack{_pack(d, f)} expired{clause(' on {}', d.instant('expires_at'), f.instant)}{void}. "
             "Further calls are deducted from your other packs or billed postpaid; buy a new pack to keep them "
             "prepaid.",
        sms=f"Your pack{_pack(d, f, with_size=False)} has expired{void}. Buy a new pack to keep calls prepaid.",
    )


def arrears(d: Detail, f: Formats) -> Draft:
    suspend_at = d.instant("suspend_at")
    release = clause("; if you have not recharged by {}, its resources will be released", d.instant("release_at"),
                      f.instant)
    state = "is still in arrears" if d.flag("entered_arrears") is False else "is in arrears"
    deadline = (f"if it is still below zero at {f.instant(suspend_at)}, the service will be suspended" if suspend_at
                else "if it is still below zero 24 hours after this notice, the service will be suspended")
    return Draft(
        title="Account in arrears",
        text=f"Your account {state}{_balance(d, f)}{clause(' (bill {})', d.text('bill_id'))}. Please recharge to "
             f"bring your balance to zero or above: {deadline}{release}.",
        sms=f"Your account {state}{_balance(d, f)}. Please recharge"
            f"{clause(' before {}', suspend_at, f.short_instant)} or the service will be suspended.",
    )


def suspended(d: Detail, f: Formats) -> Draft:
    release_at = d.instant("release_at")
    return Draft(
        title="Service suspended",
        text=f"Your account has been in arrears for over 24 hours, so the face verification service was suspended"
             f"{clause(' at {}', d.instant('suspended_at'), f.instant)}{_balance(d, f)}. Recharge to bring your "
             "balance to zero or above and the service resumes at once"
             f"{clause('; if you have not by {}, its resources will be released', release_at, f.instant)}.",
        sms=f"Service suspended for arrears{clause(', balance {}', d.money('balance'), f.money)}. Recharge to zero "
            f"or above to resume it{clause('; resources are released at {}', release_at, f.short_instant)}.",
    )


def released(d: Detail, f: Formats) -> Draft:
    return Draft(
        title="Service released",
        text=f"After a long suspension for arrears, your face verification service was released"
             f"{clause(' at {}', d.instant('released_at'), f.instant)}{_balance(d, f)}. Your packs and money are "
             "kept; to use the service again, recharge to settle your arrears.",
        sms=f"Your service was released after a long suspension{_balance(d, f)}. Packs and money are kept; "
            "recharge to use it again.",
    )


def restored(d: Detail, f: Formats) -> Draft:
    if d.text("status") == "suspended":  # the arrears are over, but a suspension for a violation is not
        return Draft(
            title="Arrears settled",
            text=f"Your arrears are settled{_balance(d, f)}. Your account remains suspended for a violation; the "
                 "service resumes once that suspension is lifted.",
            sms=f"Your arrears are settled{_balance(d, f)}. Your account remains suspended for a violation.",
        )
    return Draft(
        title="Service restored",
        text=f"Your arrears are settled{_balance(d, f)}. The face verification service and pack deduction are "
             "back to normal.",
        sms=f"Your arrears are settled{_balance(d, f)}. The service is restored.",
    )


def refund_completed(d: Detail, f: Formats) -> Draft:
    total = clause(": {} in all", d.money("amount"), f.money)
    to = d.part("to")
    shares = [f"{f.money(share)} to your {f.wallet(wallet)}" for wallet in ("cash", "income", "gift")
              if (share := to.money(wallet)) is not None and share > 0]
    voucher = d.money("voucher_not_returned")
    vouchers = (" Vouchers used to pay for it are not returned." if voucher is None
                else clause(" The {} paid by voucher is not returned.", voucher if voucher > 0 else None, f.money))
    return Draft(
        title="Refund completed",
        text=f"The refund of your pack{_pack(d, f) or clause(' {}', d.text('pack_id'))} is complete{total}"
             f"{clause(' ({})', ', '.join(shares) or None)}.{vouchers}"
             f"{clause(' Refund id: {}.', d.text('refund_id'))}",
        sms=f"The refund of your pack is complete{total}, paid back to the wallets that paid for it.",
    )


def daily_report(d: Detail, f: Formats) -> Draft:
    day = clause("{}", d.day("date"), f.day)
    when = f"on {day}" if day else "yesterday"
    tags = [(tag, calls) for tag in d.parts("tags") if (calls := tag.count("calls")) is not None]
    total = d.count("calls")
    total = sum(calls for _, calls in tags) if total is None else total
    charges = d.money("charges")
    packs_left = [pack for pack in d.parts("packs_left") if pack.count("remaining") is not None]
    lines = [f"Calls {when}: {f.calls(total)}{clause(' ({} billable)', d.count('billable_calls'), '{:,}'.format)}."]
    lines += [f"- {f.tag(tag.text('billing_tag') or '')}: {f.calls(calls)}"
              f"{clause(' ({} billable)', tag.count('billable_calls'), '{:,}'.format)}" for tag, calls in tags]
    lines.append(f"Charges: {f.money(charges)}" if charges is not None
                 else "Charges: not settled yet; see your bills once they are")
    if packs_left:
        lines.append("Packs left:")
        lines += [f"- {f.tag(pack.text('billing_tag') or '')}: {f.calls(pack.count('remaining') or 0)}"
                  f"{clause(', valid until {}', pack.instant('expires_at'), f.instant)}" for pack in packs_left]
    left = sum(pack.count("remaining") or 0 for pack in packs_left)
    return Draft(
        title=f"Daily report {when}",
        text="\n".join(lines) + "\nTo stop these reports, turn the daily report off in your account settings.",
        sms=f"Daily report {when}: {f.calls(total)}{clause(', charges {}', charges, f.money)}"
            f"{clause(', {} left in packs', left if packs_left else None, f.calls)}.",
    )


TEMPLATES: dict[str, Callable[[Detail, Formats], Draft]] = {
    EventType.PACK_DELIVERED: pack_delivered,
    EventType.FREE_QUOTA_GRANTED: free_quota_granted,
    EventType.PACK_LOW: pack_low,
    EventType.PACK_EXHAUSTED: pack_exhausted,
    EventType.PACK_EXPIRING: pack_expiring,
    EventType.PACK_EXPIRED: pack_expired,
    EventType.ARREARS: arrears,
    EventType.SUSPENDED: suspended,
    EventType.RELEASED: released,
    EventType.RESTORED: restored,
    EventType.REFUND_COMPLETED: refund_completed,
    EventType.DAILY_REPORT: daily_report,
}

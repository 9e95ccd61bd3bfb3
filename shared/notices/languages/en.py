"""The notices in English, for accounts whose locale is `en`. Tags are named by the price book's English
names; each notice says what happened and what to do; a fact that is unknown leaves its clause out."""

from __future__ import annotations

from decimal import Decimal

from shared.accounts.models import Locale, Wallet
from shared.events import EventType
from shared.notices.facts.account import Arrears, Released, Restored, Suspended
from shared.notices.facts.alerts import BalanceLow, BudgetReached, RunwayLow
from shared.notices.facts.packs import (
    FreeQuotaGranted,
    PackDelivered,
    PackExhausted,
    PackExpired,
    PackExpiring,
    PackLabel,
    PackLow,
    PackRenewalFailed,
    PackRenewed,
)
from shared.notices.facts.refunds import RefundCompleted
from shared.notices.facts.reports import DailyReport
from shared.notices.facts.webhooks import WebhookDisabled
from shared.notices.formats import Formats, clause, signed_figures
from shared.notices.language import Language
from shared.notices.notice import Draft
from shared.pricing import BillingTag

SMS_SIGNATURE = "[Face Verification] "
GREETING = "Dear customer (account {account_id}),\n\n"
SIGN_OFF = "\n\nThis message was sent automatically; please do not reply to it."
WALLET_NAMES = {Wallet.CASH: "cash wallet", Wallet.INCOME: "income wallet", Wallet.GIFT: "gift wallet"}


class EnglishFormats(Formats):
    def money(self, amount: Decimal) -> str:
        return f"CNY {signed_figures(amount)}"

    def calls(self, count: int) -> str:
        return f"{count:,} call" if count == 1 else f"{count:,} calls"

    def tag_name(self, tag: BillingTag) -> str:
        return tag.name_en

    def wallet(self, wallet: Wallet) -> str:
        return WALLET_NAMES[wallet]


def _pack(pack: PackLabel, f: Formats, *, with_size: bool = True) -> str:
    """ (Enhanced face verification (authority) - WeChat, 10,000 calls), or less when less is known."""
    parts = []
    if pack.tag is not None:
        parts.append(f.tag(pack.tag))
    if with_size and pack.size is not None:
        parts.append(f.calls(pack.size))
    return f" ({', '.join(parts)})" if parts else ""


def _balance(balance: Decimal | None, f: Formats) -> str:
    return clause("; your balance is {}", balance, f.money)


def pack_delivered(facts: PackDelivered, f: Formats) -> Draft:
    opening = "A pack was granted to you" if facts.gifted else "Your pack has been delivered"
    return Draft(
        title="Pack granted" if facts.gifted else "Pack delivered",
        text=f"{opening}{_pack(facts.pack, f)}{clause(', valid until {}', facts.expires_at, f.instant)}. "
             "It is deducted automatically from your calls; check its balance in the console at any time.",
        sms=f"{opening}{_pack(facts.pack, f)}{clause(', valid until {}', facts.expires_at, f.short_instant)}.",
    )


def free_quota_granted(facts: FreeQuotaGranted, f: Formats) -> Draft:
    lines = [
        f"- {f.tag(pack.tag) or 'Free pack'}{clause(': {}', pack.size, f.calls)}"
        f"{clause(', valid until {}', pack.expires_at, f.instant)}"
        for pack in facts.packs
    ]
    listing = ":\n" + "\n".join(lines) + "\n" if lines else ". "
    count = {0: "free packs", 1: "a free pack"}.get(len(facts.packs), f"{len(facts.packs)} free packs")
    return Draft(
        title="Free quota granted",
        text=f"You have been granted free packs{listing}Free packs are deducted before purchased ones and are void "
             "once they expire: use them within their validity.",
        sms=f"You have been granted {count}{clause(' ({} in all)', facts.total_calls, f.calls)}"
            f"{clause(', valid until {}', facts.first_expiry, f.short_instant)}. See your in-site messages.",
    )


def pack_low(facts: PackLow, f: Formats) -> Draft:
    left = clause(" has {} left,", facts.remaining, f.calls) or " is"
    return Draft(
        title="Pack running low",
        text=f"Your pack{_pack(facts.pack, f)}{left} less than 20% of its size. Once it is used up, calls are billed "
             "postpaid at the unit price; buy a pack in time to keep them prepaid.",
        sms=f"Your pack{_pack(facts.pack, f, with_size=False)}{left} under 20% of its size. Please buy a pack in time.",
    )


def pack_exhausted(facts: PackExhausted, f: Formats) -> Draft:
    return Draft(
        title="Pack used up",
        text=f"Your pack{_pack(facts.pack, f)} is used up: further calls are billed postpaid at the unit price. Buy a "
             "new pack to keep them prepaid; if you have turned postpaid off, calls are refused until you do.",
        sms=f"Your pack{_pack(facts.pack, f, with_size=False)} is used up; calls are now billed postpaid. "
            "Buy a new pack to keep them prepaid.",
    )


def pack_expiring(facts: PackExpiring, f: Formats) -> Draft:
    left = clause(" with {} left", facts.remaining, f.calls)
    return Draft(
        title="Pack expiring soon",
        text=f"Your pack{_pack(facts.pack, f)}{left} expires "
             f"{clause('on {}', facts.expires_at, f.instant) or 'within 7 days'}"
             f"{clause(' (in {} days)', facts.days_left)}. Expired packs are void and unused calls are not "
             "refunded: use them before then, or buy a new pack to keep calls prepaid afterwards.",
        sms=f"Your pack{_pack(facts.pack, f, with_size=False)}{left} expires "
            f"{clause('on {}', facts.expires_at, f.short_instant) or 'within 7 days'}. Unused calls will be void.",
    )


def pack_expired(facts: PackExpired, f: Formats) -> Draft:
    void = clause("; the {} left unused are void", facts.voided_calls, f.calls)
    return Draft(
        title="Pack expired",
        text=f"Your pack{_pack(facts.pack, f)} expired{clause(' on {}', facts.expired_at, f.instant)}{void}. "
             "Further calls are deducted from your other packs or billed postpaid; buy a new pack to keep them "
             "prepaid.",
        sms=f"Your pack{_pack(facts.pack, f, with_size=False)} has expired{void}. Buy a new pack to keep calls "
            "prepaid.",
    )


def pack_renewed(facts: PackRenewed, f: Formats) -> Draft:
    price = clause(" for {}", facts.price, f.money)
    until = clause(", valid until {}", facts.expires_at, f.instant)
    return Draft(
        title="Pack renewed",
        text=f"Your pack{_pack(facts.pack, f)} expired and was renewed automatically: a new pack of the same type and "
             f"size was bought from your balance{price}{until}. Auto-renewal stays on for the new pack; you can turn "
             "it off in the console's pack list.",
        sms=f"Your pack{_pack(facts.pack, f, with_size=False)} was renewed{price}"
            f"{clause(', valid until {}', facts.expires_at, lambda at: f.day(at.astimezone(f.zone).date()))}.",
    )


def pack_renewal_failed(facts: PackRenewalFailed, f: Formats) -> Draft:
    if facts.suspended:
        why = "your account is suspended"
    else:
        why = (f"your balance is not enough{clause(' to pay its price of {}', facts.price, f.money)}"
               f"{clause(' ({} short)', facts.shortfall, f.money)}")
    if facts.stopped:
        then = "This was the last try: auto-renewal has stopped. Buy a new pack in the console to keep calls prepaid."
        sms_then = "Auto-renewal has stopped."
    else:
        then = (f"We will try again at 00:00 each day{clause(' until {}', facts.last_retry, f.day)}: "
                "recharge before then to keep the pack" + (" and have the service restored." if facts.suspended
                                                          else "."))
        sms_then = f"Retried daily{clause(' until {}', facts.last_retry, f.day)}."
    return Draft(
        title="Pack renewal failed",
        text=f"Your pack{_pack(facts.pack, f)} expired but could not be renewed: {why}. {then}",
        sms=f"Pack{_pack(facts.pack, f, with_size=False)} not renewed: "
            f"{'account suspended' if facts.suspended else 'balance short'}"
            f"{'' if facts.suspended else clause(' by {}', facts.shortfall, f.money)}. {sms_then}",
    )


def arrears(facts: Arrears, f: Formats) -> Draft:
    state = "is still in arrears" if facts.still_in_arrears else "is in arrears"
    deadline = (f"if it is still below zero at {f.instant(facts.suspend_at)}, the service will be suspended"
                if facts.suspend_at is not None
                else "if it is still below zero 24 hours after this notice, the service will be suspended")
    release = clause("; if you have not recharged by {}, its resources will be released", facts.release_at,
                     f.instant)
    return Draft(
        title="Account in arrears",
        text=f"Your account {state}{_balance(facts.balance, f)}{clause(' (bill {})', facts.bill_id)}. Please "
             f"recharge to bring your balance to zero or above: {deadline}{release}.",
        sms=f"Your account {state}{_balance(facts.balance, f)}. Please recharge"
            f"{clause(' before {}', facts.suspend_at, f.short_instant)} or the service will be suspended.",
    )


def suspended(facts: Suspended, f: Formats) -> Draft:
    return Draft(
        title="Service suspended",
        text=f"Your account has been in arrears for over 24 hours, so the face verification service was suspended"
             f"{clause(' at {}', facts.suspended_at, f.instant)}{_balance(facts.balance, f)}. Recharge to bring "
             "your balance to zero or above and the service resumes at once"
             f"{clause('; if you have not by {}, its resources will be released', facts.release_at, f.instant)}.",
        sms=f"Service suspended for arrears{clause(', balance {}', facts.balance, f.money)}. Recharge to zero "
            f"or above to resume it{clause('; resources are released at {}', facts.release_at, f.short_instant)}.",
    )


def released(facts: Released, f: Formats) -> Draft:
    return Draft(
        title="Service released",
        text=f"After a long suspension for arrears, your face verification service was released"
             f"{clause(' at {}', facts.released_at, f.instant)}{_balance(facts.balance, f)}. Your packs and money "
             "are kept; to use the service again, recharge to settle your arrears.",
        sms=f"Your service was released after a long suspension{_balance(facts.balance, f)}. Packs and money are "
            "kept; recharge to use it again.",
    )


def restored(facts: Restored, f: Formats) -> Draft:
    balance = _balance(facts.balance, f)
    if facts.suspended_for_violation:
        return Draft(
            title="Arrears settled",
            text=f"Your arrears are settled{balance}. Your account remains suspended for a violation; the service "
                 "resumes once that suspension is lifted.",
            sms=f"Your arrears are settled{balance}. Your account remains suspended for a violation.",
        )
    return Draft(
        title="Service restored",
        text=f"Your arrears are settled{balance}. The face verification service and pack deduction are back to "
             "normal.",
        sms=f"Your arrears are settled{balance}. The service is restored.",
    )


def refund_completed(facts: RefundCompleted, f: Formats) -> Draft:
    total = clause(": {} in all", facts.amount, f.money)
    shares = ", ".join(f"{f.money(share.amount)} to your {f.wallet(share.wallet)}" for share in facts.shares)
    vouchers = (" Vouchers used to pay for it are not returned." if facts.vouchers_unstated
                else clause(" The {} paid by voucher is not returned.", facts.voucher_kept, f.money))
    return Draft(
        title="Refund completed",
        text=f"The refund of your pack{_pack(facts.pack, f) or clause(' {}', facts.pack_id)} is complete{total}"
             f"{clause(' ({})', shares or None)}.{vouchers}{clause(' Refund id: {}.', facts.refund_id)}",
        sms=f"The refund of your pack is complete{total}, paid back to the wallets that paid for it.",
    )


def daily_report(facts: DailyReport, f: Formats) -> Draft:
    when = f"on {f.day(facts.day)}" if facts.day is not None else "yesterday"
    lines = [f"Calls {when}: {f.calls(facts.calls)}{clause(' ({} billable)', facts.billable_calls, '{:,}'.format)}."]
    lines += [f"- {f.tag(tag.tag)}: {f.calls(tag.calls)}{clause(' ({} billable)', tag.billable_calls, '{:,}'.format)}"
              for tag in facts.tags]
    lines.append(f"Charges: {f.money(facts.charges)}" if facts.charges is not None
                 else "Charges: not settled yet; see your bills once they are")
    if facts.packs_left:
        lines.append("Packs left:")
        lines += [f"- {f.tag(pack.tag)}: {f.calls(pack.remaining)}"
                  f"{clause(', valid until {}', pack.expires_at, f.instant)}" for pack in facts.packs_left]
    if facts.balance is not None:
        lines.append(f"Balance: {f.money(facts.balance)}"
                     f"{clause('; at the charges of the last 7 days it lasts about {} days', facts.runway_days)}")
    return Draft(
        title=f"Daily report {when}",
        text="\n".join(lines) + "\nTo stop these reports, turn the daily report off in your account settings.",
        sms=f"Daily report {when}: {f.calls(facts.calls)}{clause(', charges {}', facts.charges, f.money)}"
            f"{clause(', {} left in packs', facts.calls_left_in_packs, f.calls)}.",
    )


def balance_low(facts: BalanceLow, f: Formats) -> Draft:
    below = clause(", below your balance alert of {}", facts.threshold, f.money) or ", below your balance alert"
    again = clause(" (at most once a day and on 5 days in a row, until your balance is back at {} or more)",
                   facts.threshold, f.money)
    return Draft(
        title="Balance below your alert",
        text=f"Your balance is {f.money(facts.balance) if facts.balance is not None else 'low'}{below}. Recharge to "
             f"keep the service running: once the balance goes below zero, the account falls into arrears and is "
             f"suspended 24 hours later. This alert is sent{again or ' at most once a day'}.",
        sms=f"Your balance is {f.money(facts.balance) if facts.balance is not None else 'low'}{below}. "
            "Please recharge.",
    )


def budget_reached(facts: BudgetReached, f: Formats) -> Draft:
    which = "month" if facts.monthly else "day"
    period = clause(" for {}", facts.period)
    share = clause(", {}% of", facts.threshold) or ", reaching"
    budget = f"your {which} budget{clause(' of {}', facts.amount, f.money)}"
    spent = clause(" is {}", facts.spent, f.money) or " has reached a threshold"
    return Draft(
        title=f"Budget alert{clause(': {}% reached', facts.threshold)}",
        text=f"Your spend{period}{spent}{share} {budget}. Spend counts the postpaid charges of the bills dated in "
             "the period and the packs bought in it. Check your bills in the console; change the budget in your "
             "account's alert settings.",
        sms=f"Your spend{period}{spent}{share} {budget}.",
    )


def runway_low(facts: RunwayLow, f: Formats) -> Draft:
    lasts = ("is used up" if facts.runway_days == 0
             else clause("lasts about {} more days", facts.runway_days) or "runs low")
    alert = clause(", less than the {} days of your runway alert", facts.alert_days)
    return Draft(
        title="Balance running out",
        text=f"At your average daily postpaid charges of the last 7 days, your balance"
             f"{clause(' of {}', facts.balance, f.money)} {lasts}{alert}. Recharge, or buy packs, before it runs "
             "out: an account in arrears is suspended 24 hours after its arrears notice.",
        sms=f"At your recent daily charges your balance {lasts}{alert}. Please recharge.",
    )


def webhook_disabled(facts: WebhookDisabled, f: Formats) -> Draft:
    webhook = f"Your webhook{clause(' {}', facts.webhook_id)}{clause(' to {}', facts.url)}"
    return Draft(
        title="Webhook disabled",
        text=f"{webhook} was disabled{clause(' at {}', facts.disabled_at, f.instant)}: every delivery to it has "
             f"failed for 5 days{clause(', since {}', facts.failing_since, f.instant)}. Nothing more is sent to it."
             " A disabled webhook cannot be enabled again: delete it and register a working URL.",
        sms=f"Your webhook was disabled: every delivery to it has failed for 5 days"
            f"{clause(', since {}', facts.failing_since, f.short_instant)}. Delete it and register a working URL.",
    )


LANGUAGE = Language(
    locale=Locale.EN,
    formats=EnglishFormats,
    texts={
        EventType.PACK_DELIVERED: pack_delivered,
        EventType.FREE_QUOTA_GRANTED: free_quota_granted,
        EventType.PACK_LOW: pack_low,
        EventType.PACK_EXHAUSTED: pack_exhausted,
        EventType.PACK_EXPIRING: pack_expiring,
        EventType.PACK_EXPIRED: pack_expired,
        EventType.PACK_RENEWED: pack_renewed,
        EventType.PACK_RENEWAL_FAILED: pack_renewal_failed,
        EventType.ARREARS: arrears,
        EventType.SUSPENDED: suspended,
        EventType.RELEASED: released,
        EventType.RESTORED: restored,
        EventType.REFUND_COMPLETED: refund_completed,
        EventType.DAILY_REPORT: daily_report,
        EventType.BALANCE_LOW: balance_low,
        EventType.BUDGET_REACHED: budget_reached,
        EventType.RUNWAY_LOW: runway_low,
        EventType.WEBHOOK_DISABLED: webhook_disabled,
    },
    sms_signature=SMS_SIGNATURE,
    greeting=GREETING,
    sign_off=SIGN_OFF,
)

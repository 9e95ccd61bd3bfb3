"""The four checks of the nightly reconciliation (API.md, Reports and reconciliation), pure.

Each recomputes a stored figure from its history with its own arithmetic, never through the code that stored
it (the wallets' charges, settlement's deductions, shared.books.value), so a fault in that code shows here
instead of agreeing with itself.

- WALLET_BALANCE: each wallet (cash, income, gift) = the sum of that wallet's ledger entries; the balance =
  the sum of all of them.
- PACK_REMAINING: each pack's remaining calls = its size - the calls every bill line deducted from it.
- DEFERRED_REVENUE: each bought pack's deferred value = paid - round_half_up(paid x used / size, 0.01), on
  whole fen, where `used` is what the bill lines deducted (not the stored remaining, so a wrong remaining shows
  as PACK_REMAINING alone); a bought pack without a stored deferred value is a difference too.
- BILLED_CALLS, per tag of the checked day D: the billable calls recorded for D in the Calls table =
  the calls the bill lines of D carry (own and late lines, on whichever bill) + the calls still waiting for a
  bill. Waiting is what the day's usage counter holds beyond what settlement has settled of it
  (billable - settled_billable, counting the settled figure of a committed settlement whose after-commit work
  is not done yet): late calls received after the night's settlement, a suspended account's usage, a monthly
  account's month. So the check holds at every instant, settled or not: before D is settled it proves the
  counters saw every call, after it that the bills carry them, and a call neither billed nor waiting, or billed
  twice, is a difference. (A call a few seconds old may be in the Calls table before its stream record reaches
  the counter; the service reads the account again before it reports a difference.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from shared.accounts.models import WALLET_ORDER, Account, LedgerEntry, Pack, PackOrigin
from shared.reconciliation.models import AccountFindings, AccountHistory, Check, DayCount, Difference
from shared.settlement.models import Bill

_ZERO = Decimal(0)
_FEN = Decimal("0.01")
MISSING = "missing"  # the `actual` of a figure that should be stored and is not


def money_text(amount: Decimal) -> str:
    """"0.00" for whole fen; anything finer as it is, so a stored 10.005 is not rounded into agreement."""
    if amount == 0:
        return "0.00"
    whole_fen = amount.quantize(_FEN)
    return str(whole_fen) if whole_fen == amount else str(amount.normalize())


def fen_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def whole_fen(amount: Decimal) -> int | None:
    """The amount in fen, or None if it is not a whole number of fen."""
    fen = amount * 100
    return int(fen) if fen == fen.to_integral_value() else None


def recognized_fen(paid_fen: int, size: int, used: int) -> int:
    """round_half_up(paid x used / size) in fen: the value recognized once `used` of `size` calls are deducted."""
    quotient, remainder = divmod(paid_fen * used, size)
    return quotient + (1 if 2 * remainder >= size else 0)


# -- WALLET_BALANCE ----------------------------------------------------------------------------------------

def wallet_differences(account: Account, ledger: Iterable[LedgerEntry]) -> list[Difference]:
    sums = dict.fromkeys(WALLET_ORDER, _ZERO)
    for entry in ledger:
        sums[entry.wallet] += entry.amount
    found = [Difference(account.account_id, Check.WALLET_BALANCE, money_text(total),
                        money_text(account.wallets[wallet]), wallet.value)
             for wallet, total in sums.items() if account.wallets[wallet] != total]
    total = sum(sums.values(), _ZERO)
    if account.balance != total:
        found.append(Difference(account.account_id, Check.WALLET_BALANCE, money_text(total),
                                money_text(account.balance), "balance"))
    return found


# -- PACK_REMAINING ----------------------------------------------------------------------------------------

def deducted_by_pack(bills: Iterable[Bill]) -> Counter[str]:
    """The calls every line of these bills deducted from each pack."""
    deducted: Counter[str] = Counter()
    for bill in bills:
        for line in bill.lines:
            for deduction in line.pack_deductions:
                deducted[deduction.pack_id] += deduction.calls
    return deducted


def pack_remaining_differences(account_id: str, packs: Iterable[Pack], deducted: Mapping[str, int]
                               ) -> list[Difference]:
    return [Difference(account_id, Check.PACK_REMAINING, str(expected), str(pack.remaining), pack.pack_id)
            for pack in packs
            if (expected := pack.size - deducted.get(pack.pack_id, 0)) != pack.remaining]


# -- DEFERRED_REVENUE --------------------------------------------------------------------------------------

def deferred_differences(account_id: str, packs: Iterable[Pack], deducted: Mapping[str, int]) -> list[Difference]:
    found = []
    for pack in packs:
        if pack.origin is not PackOrigin.PURCHASE:
            continue  # gifted packs carry no value
        actual = MISSING if pack.deferred is None else money_text(pack.deferred)
        paid = _ZERO if pack.paid is None else pack.paid.from_wallets
        paid_fen = whole_fen(paid)
        if paid_fen is None or pack.size <= 0:
            found.append(Difference(account_id, Check.DEFERRED_REVENUE, f"a paid value in whole fen, not "
                                    f"{money_text(paid)}, over {pack.size} calls", actual, pack.pack_id))
            continue
        expected = paid_fen - recognized_fen(paid_fen, pack.size, deducted.get(pack.pack_id, 0))
        if pack.deferred is None or pack.deferred != Decimal(expected) / 100:
            found.append(Difference(account_id, Check.DEFERRED_REVENUE, fen_text(expected), actual, pack.pack_id))
    return found


# -- BILLED_CALLS ------------------------------------------------------------------------------------------

def billed_on(bills: Iterable[Bill], day: date) -> Counter[str]:
    """The billable calls of `day` per tag that the bills' lines carry, late lines included."""
    billed: Counter[str] = Counter()
    for bill in bills:
        for line in bill.lines:
            if line.usage_date == day:
                billed[line.billing_tag] += line.billable_calls
    return billed


def waiting_calls(counters: Mapping[str, DayCount], pending_settled: Mapping[str, int]) -> Counter[str]:
    """Per tag, the day's billable calls no settlement has settled yet (0 when settlement got them all)."""
    waiting: Counter[str] = Counter()
    for tag, counter in counters.items():
        settled = max(counter.settled, pending_settled.get(tag, 0))
        if counter.billable > settled:
            waiting[tag] = counter.billable - settled
    return waiting


def billed_calls_differences(account_id: str, day: date, recorded: Mapping[str, int], bills: Sequence[Bill],
                             counters: Mapping[str, DayCount], pending_settled: Mapping[str, int]
                             ) -> list[Difference]:
    billed = billed_on(bills, day)
    waiting = waiting_calls(counters, pending_settled)
    found = []
    for tag in sorted(set(recorded) | set(billed) | set(waiting)):
        expected, actual = recorded.get(tag, 0), billed[tag] + waiting[tag]
        if expected != actual:
            found.append(Difference(account_id, Check.BILLED_CALLS, str(expected), str(actual), tag))
    return found


# -- the account ---------------------------------------------------------------------------------------------

def check_account(history: AccountHistory, day: date) -> AccountFindings:
    """Every check of one account for billing date `day`, in API.md's order."""
    account_id = history.account.account_id
    deducted = deducted_by_pack(history.bills)
    differences = [
        *wallet_differences(history.account, history.ledger),
        *pack_remaining_differences(account_id, history.packs, deducted),
        *billed_calls_differences(account_id, day, history.recorded_calls, history.bills, history.counters,
                                  history.pending_settled),
        *deferred_differences(account_id, history.packs, deducted),
    ]
    return AccountFindings(account_id, len(history.packs), tuple(differences))

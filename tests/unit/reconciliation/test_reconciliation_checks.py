"""The four checks of the nightly reconciliation, pure: what each finds, with the exact strings it reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.accounts.models import (
    Account,
    AccountStatus,
    Contacts,
    LedgerEntry,
    LedgerKind,
    Locale,
    Pack,
    PackOrigin,
    Payment,
    Wallet,
    Wallets,
)
from shared.books.value import deferred_value
from shared.pricing import SettlementCycle
from shared.reconciliation.checks import (
    MISSING,
    billed_calls_differences,
    check_account,
    deducted_by_pack,
    deferred_differences,
    fen_text,
    money_text,
    pack_remaining_differences,
    recognized_fen,
    wallet_differences,
)
from shared.reconciliation.models import AccountHistory, Check, DayCount, Difference
from shared.settlement.models import Bill, BillLine, PackDeduction

DAY = date(2026, 3, 1)
AT = datetime(2026, 3, 1, 2, tzinfo=UTC)
TAG = "id_verification"
OTHER_TAG = "phone_2e"


def account(cash: str = "0.00", income: str = "0.00", gift: str = "0.00", balance: str | None = None) -> Account:
    wallets = Wallets(Decimal(cash), Decimal(income), Decimal(gift))
    return Account(account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None,
                   settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True,
                   balance=wallets.total if balance is None else Decimal(balance), wallets=wallets,
                   contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False, activated_at=AT, created_at=AT)


def entry(wallet: Wallet, amount: str, kind: LedgerKind = LedgerKind.RECHARGE, ref: str = "r1") -> LedgerEntry:
    return LedgerEntry("acme", kind, wallet, Decimal(amount), AT, ref)


PAID = Payment(cash=Decimal("200.00"), voucher=Decimal("100.00"))  # 300.00, 100.00 of it by voucher


def pack(pack_id: str = "pk_1", size: int = 1000, remaining: int = 1000, origin: PackOrigin = PackOrigin.PURCHASE,
         paid: Payment | None = PAID, deferred: str | None = "200.00") -> Pack:
    return Pack(account_id="acme", pack_id=pack_id, billing_tag=TAG, origin=origin, size=size, remaining=remaining,
                acquired_at=AT, effective_from=DAY, expires_at=AT + timedelta(days=365),
                paid=paid if origin is PackOrigin.PURCHASE else None,
                deferred=None if deferred is None else Decimal(deferred))


def line(usage_date: date, calls: int, deductions: dict[str, int] | None = None, tag: str = TAG,
         late: bool = False) -> BillLine:
    deducted = tuple(PackDeduction(pack_id, count) for pack_id, count in (deductions or {}).items())
    postpaid = calls - sum(deduction.calls for deduction in deducted)
    return BillLine(usage_date=usage_date, billing_tag=tag, billable_calls=calls, pack_deductions=deducted,
                    postpaid_calls=postpaid, unit_price=Decimal("0.30"), amount=Decimal("0.30") * postpaid, late=late)


def bill(period: date, *lines: BillLine) -> Bill:
    return Bill(account_id="acme", cycle=SettlementCycle.DAILY, period_start=period, period_end=period,
                settled_at=datetime.combine(period + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
                lines=tuple(lines))


# -- formatting -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, text", [
    ("0", "0.00"), ("-0.00", "0.00"), ("180", "180.00"), ("180.0", "180.00"), ("-12.5", "-12.50"),
    ("19999.99", "19999.99"), ("10.005", "10.005"), ("1E+2", "100.00"),
])
def test_money_is_written_with_two_decimals_unless_it_holds_less_than_a_fen(amount, text):
    assert money_text(Decimal(amount)) == text


@pytest.mark.parametrize("fen, text", [(0, "0.00"), (5, "0.05"), (18000, "180.00"), (-150, "-1.50")])
def test_fen_are_written_as_money(fen, text):
    assert fen_text(fen) == text


# -- WALLET_BALANCE ---------------------------------------------------------------------------------------------

def test_wallets_that_are_the_sums_of_their_ledger_entries_agree():
    ledger = [entry(Wallet.CASH, "500.00"), entry(Wallet.CASH, "-200.00", LedgerKind.PACK_PURCHASE, "p1"),
              entry(Wallet.GIFT, "30.00", ref="r2"), entry(Wallet.CASH, "0", LedgerKind.PACK_BREAKAGE, "pk_1")]

    assert wallet_differences(account(cash="300.00", gift="30.00"), ledger) == []


def test_a_wallet_that_is_not_the_sum_of_its_entries_is_reported_with_both_figures():
    ledger = [entry(Wallet.CASH, "500.00"), entry(Wallet.INCOME, "20.00", ref="r2")]

    found = wallet_differences(account(cash="500.00", income="25.00", balance="520.00"), ledger)

    assert found == [Difference("acme", Check.WALLET_BALANCE, "20.00", "25.00", "income")]


def test_a_balance_that_is_not_the_sum_of_the_whole_ledger_is_reported():
    found = wallet_differences(account(cash="500.00", balance="499.99"), [entry(Wallet.CASH, "500.00")])

    assert found == [Difference("acme", Check.WALLET_BALANCE, "500.00", "499.99", "balance")]


def test_figures_are_compared_by_value_not_by_how_they_are_written():
    # DynamoDB trims trailing zeros: 500 and 500.00 are the same money.
    assert wallet_differences(account(cash="500"), [entry(Wallet.CASH, "500.00")]) == []


# -- PACK_REMAINING ---------------------------------------------------------------------------------------------

def test_deductions_are_summed_over_every_line_of_every_bill_late_lines_included():
    bills = [bill(DAY, line(DAY, 100, {"pk_1": 60, "pk_2": 40})),
             bill(DAY + timedelta(days=1), line(DAY, 5, {"pk_1": 5}, late=True), line(DAY + timedelta(days=1), 7))]

    assert deducted_by_pack(bills) == {"pk_1": 65, "pk_2": 40}


def test_a_pack_whose_remaining_is_its_size_less_its_deductions_agrees():
    assert pack_remaining_differences("acme", [pack(remaining=935)], {"pk_1": 65}) == []


def test_a_pack_that_holds_more_or_fewer_calls_than_its_deductions_leave_is_reported():
    found = pack_remaining_differences("acme", [pack(remaining=936), pack("pk_2", size=50, remaining=50)],
                                       {"pk_1": 65, "pk_2": 1})

    assert found == [Difference("acme", Check.PACK_REMAINING, "935", "936", "pk_1"),
                     Difference("acme", Check.PACK_REMAINING, "49", "50", "pk_2")]


# -- DEFERRED_REVENUE -------------------------------------------------------------------------------------------

def test_the_deferred_value_of_a_bought_pack_is_its_wallet_part_less_what_its_deductions_recognize():
    # 1,000 calls for 300.00, 100.00 of it by voucher: 200.00 of value; 100 calls used recognize 20.00.
    assert deferred_differences("acme", [pack(remaining=900, deferred="180.00")], {"pk_1": 100}) == []
    assert deferred_differences("acme", [pack(remaining=900, deferred="180.01")], {"pk_1": 100}) == [
        Difference("acme", Check.DEFERRED_REVENUE, "180.00", "180.01", "pk_1")]


def test_recognition_rounds_half_up_to_the_fen_on_the_cumulative_figure():
    # 0.05 over 2 calls: after one, 0.025 is recognized in all, rounded half up to 0.03; 0.02 stays deferred.
    half = pack(size=2, remaining=1, paid=Payment(cash=Decimal("0.05")), deferred="0.02")
    assert deferred_differences("acme", [half], {"pk_1": 1}) == []
    # 100.00 over 3 calls: 33.333... recognized after one (33.33), 66.666... after two (66.67).
    third = pack(size=3, remaining=1, paid=Payment(cash=Decimal("100.00")), deferred="33.33")
    assert deferred_differences("acme", [third], {"pk_1": 2}) == []


def test_the_deferred_value_follows_the_deductions_not_the_stored_remaining():
    # A wrong remaining is PACK_REMAINING's to report; the value follows what the bills deducted.
    tampered = pack(remaining=850, deferred="180.00")

    assert deferred_differences("acme", [tampered], {"pk_1": 100}) == []
    assert pack_remaining_differences("acme", [tampered], {"pk_1": 100}) == [
        Difference("acme", Check.PACK_REMAINING, "900", "850", "pk_1")]


def test_a_bought_pack_without_a_stored_deferred_value_is_reported_as_missing():
    assert deferred_differences("acme", [pack(deferred=None)], {}) == [
        Difference("acme", Check.DEFERRED_REVENUE, "200.00", MISSING, "pk_1")]


def test_gifted_packs_carry_no_value_and_are_not_checked_for_one():
    gifts = [pack(origin=PackOrigin.FREE_QUOTA, deferred=None),
             pack("pk_2", origin=PackOrigin.PROMOTION, deferred=None)]

    assert deferred_differences("acme", gifts, {"pk_1": 10}) == []


def test_a_pack_used_to_the_end_has_nothing_deferred_and_a_refunded_unused_one_all_of_it():
    assert deferred_differences("acme", [pack(remaining=0, deferred="0")], {"pk_1": 1000}) == []
    assert deferred_differences("acme", [pack(remaining=1000, deferred="200")], {}) == []


@settings(max_examples=300, deadline=None)
@given(paid_fen=st.integers(0, 10**9), size=st.integers(1, 10**6), data=st.data())
def test_recognition_never_exceeds_the_paid_value_and_ends_at_it(paid_fen, size, data):
    used = data.draw(st.integers(0, size))
    recognized = recognized_fen(paid_fen, size, used)

    assert 0 <= recognized <= paid_fen
    assert recognized_fen(paid_fen, size, size) == paid_fen
    assert recognized_fen(paid_fen, size, 0) == 0
    assert recognized <= recognized_fen(paid_fen, size, min(size, used + 1))
    # round_half_up(paid x used / size), exactly, as a Decimal would have it with enough digits
    assert Decimal(recognized) == (Decimal(paid_fen * used) / Decimal(size)).quantize(Decimal(1), "ROUND_HALF_UP")


@settings(max_examples=200, deadline=None)
@given(paid_fen=st.integers(0, 10**8), size=st.integers(1, 5000), data=st.data())
def test_a_pack_drawn_on_bill_by_bill_as_the_books_rule_values_it_always_agrees(paid_fen, size, data):
    """Whatever the split of its calls into deductions over bills, a pack whose remaining and deferred value
    are what settlement and shared.books.value leave shows no difference (that rule is the oracle here, never
    used by the check itself)."""
    draws = data.draw(st.lists(st.integers(1, size), max_size=8))
    paid = Decimal(paid_fen) / 100
    remaining, bills = size, []
    for number, calls in enumerate(draws):
        calls = min(calls, remaining)
        if calls == 0:
            break
        remaining -= calls
        bills.append(bill(DAY + timedelta(days=number), line(DAY + timedelta(days=number), calls, {"pk_1": calls})))
    stored = pack(size=size, remaining=remaining, paid=Payment(cash=paid),
                  deferred=str(deferred_value(paid, size, remaining)))
    deducted = deducted_by_pack(bills)

    assert pack_remaining_differences("acme", [stored], deducted) == []
    assert deferred_differences("acme", [stored], deducted) == []


# -- BILLED_CALLS -----------------------------------------------------------------------------------------------

def test_the_day_s_calls_agree_with_its_bill_lines_own_and_late_on_whichever_bill():
    bills = [bill(DAY, line(DAY, 90), line(DAY, 4, tag=OTHER_TAG)),
             bill(DAY + timedelta(days=2), line(DAY, 10, late=True), line(DAY + timedelta(days=2), 3)),
             bill(DAY - timedelta(days=1), line(DAY - timedelta(days=1), 50))]
    counters = {TAG: DayCount(100, 100), OTHER_TAG: DayCount(4, 4)}

    assert billed_calls_differences("acme", DAY, {TAG: 100, OTHER_TAG: 4}, bills, counters, {}) == []


def test_calls_still_waiting_for_a_bill_are_no_difference():
    # 5 late calls arrived after the night's settlement; a suspended account's 7 calls of another tag wait too.
    bills = [bill(DAY, line(DAY, 100))]
    counters = {TAG: DayCount(105, 100), OTHER_TAG: DayCount(7, 0)}

    assert billed_calls_differences("acme", DAY, {TAG: 105, OTHER_TAG: 7}, bills, counters, {}) == []


def test_a_settlement_committed_but_not_finished_counts_what_it_settles_not_what_the_counter_still_says():
    # Its bill is written, its counter not yet moved: the bill's counts stand in for the counter's settled figure.
    bills = [bill(DAY, line(DAY, 100))]

    assert billed_calls_differences("acme", DAY, {TAG: 100}, bills, {TAG: DayCount(100, 0)}, {TAG: 100}) == []
    assert billed_calls_differences("acme", DAY, {TAG: 100}, bills, {TAG: DayCount(100, 0)}, {}) == [
        Difference("acme", Check.BILLED_CALLS, "100", "200", TAG)]


def test_a_call_neither_billed_nor_waiting_is_a_difference():
    # The counter missed a call (its stream record was lost): settlement billed 99 of the 100 recorded.
    found = billed_calls_differences("acme", DAY, {TAG: 100}, [bill(DAY, line(DAY, 99))], {TAG: DayCount(99, 99)}, {})

    assert found == [Difference("acme", Check.BILLED_CALLS, "100", "99", TAG)]


def test_calls_billed_twice_or_without_a_call_behind_them_are_a_difference():
    bills = [bill(DAY, line(DAY, 100)), bill(DAY + timedelta(days=1), line(DAY, 100, late=True))]
    counters = {TAG: DayCount(100, 100), OTHER_TAG: DayCount(3, 3)}
    found = billed_calls_differences("acme", DAY, {TAG: 100}, [*bills, bill(DAY, line(DAY, 3, tag=OTHER_TAG))],
                                     counters, {})

    assert found == [Difference("acme", Check.BILLED_CALLS, "100", "200", TAG),
                     Difference("acme", Check.BILLED_CALLS, "0", "3", OTHER_TAG)]


def test_a_counter_settled_beyond_its_calls_waits_for_nothing():
    found = billed_calls_differences("acme", DAY, {TAG: 5}, [bill(DAY, line(DAY, 6))], {TAG: DayCount(5, 6)}, {})

    assert found == [Difference("acme", Check.BILLED_CALLS, "5", "6", TAG)]


# -- the whole account ------------------------------------------------------------------------------------------

def healthy_history() -> AccountHistory:
    bought = pack(remaining=900, deferred="180.00")
    gift = pack("pk_0", size=50, remaining=0, origin=PackOrigin.FREE_QUOTA, deferred=None)
    bills = (bill(DAY, line(DAY, 150, {"pk_0": 50, "pk_1": 100})),)
    ledger = (entry(Wallet.CASH, "1000.00"), entry(Wallet.CASH, "-200.00", LedgerKind.PACK_PURCHASE, "p1"))
    return AccountHistory(account=account(cash="800.00"), ledger=ledger, packs=(gift, bought), bills=bills,
                          recorded_calls={TAG: 150}, counters={TAG: DayCount(150, 150)})


def test_a_healthy_account_shows_nothing_and_counts_its_packs():
    found = check_account(healthy_history(), DAY)

    assert (found.account_id, found.packs_checked, found.differences) == ("acme", 2, ())


TAMPERS = {
    "a wallet": (lambda h: replace(h, account=replace(h.account, wallets=Wallets(cash=Decimal("801.00")),
                                                      balance=Decimal("801.00"))),
                 [(Check.WALLET_BALANCE, "800.00", "801.00", "cash"),
                  (Check.WALLET_BALANCE, "800.00", "801.00", "balance")]),
    "a pack's remaining": (lambda h: replace(h, packs=(h.packs[0], replace(h.packs[1], remaining=901))),
                           [(Check.PACK_REMAINING, "900", "901", "pk_1")]),
    "a bill line's calls": (lambda h: replace(h, bills=(bill(DAY, replace(h.bills[0].lines[0], billable_calls=151)),)),
                            [(Check.BILLED_CALLS, "150", "151", TAG)]),
    "a gift's deduction deleted": (
        lambda h: replace(h, bills=(bill(DAY, replace(h.bills[0].lines[0],
                                                      pack_deductions=(PackDeduction("pk_1", 100),))),)),
        [(Check.PACK_REMAINING, "50", "0", "pk_0")]),
    "a deferred value": (lambda h: replace(h, packs=(h.packs[0], replace(h.packs[1], deferred=Decimal("181.00")))),
                         [(Check.DEFERRED_REVENUE, "180.00", "181.00", "pk_1")]),
}


@pytest.mark.parametrize("tamper", TAMPERS, ids=list(TAMPERS))
def test_each_tampered_figure_is_reported_by_its_own_check_alone(tamper):
    change, expected = TAMPERS[tamper]

    found = check_account(change(healthy_history()), DAY)

    assert [(d.check, d.expected, d.actual, d.subject) for d in found.differences] == expected
    assert {d.account_id for d in found.differences} == {"acme"}


def test_a_bought_pack_s_deleted_deduction_shows_in_its_remaining_and_in_its_value():
    history = healthy_history()
    without = replace(history, bills=(bill(DAY, replace(history.bills[0].lines[0],
                                                        pack_deductions=(PackDeduction("pk_0", 50),))),))

    found = check_account(without, DAY)

    assert [(d.check, d.expected, d.actual, d.subject) for d in found.differences] == [
        (Check.PACK_REMAINING, "1000", "900", "pk_1"), (Check.DEFERRED_REVENUE, "200.00", "180.00", "pk_1")]


@settings(max_examples=200, deadline=None)
@given(delta=st.integers(-5, 5).filter(bool), which=st.sampled_from(["cash", "remaining", "calls", "deferred"]))
def test_any_change_of_one_stored_figure_is_found_by_exactly_its_check(delta, which):
    history = healthy_history()
    if which == "cash":
        changed = replace(history, account=replace(history.account, wallets=Wallets(cash=Decimal("800.00") + delta)))
        check = Check.WALLET_BALANCE
    elif which == "remaining":
        changed = replace(history, packs=(history.packs[0], replace(history.packs[1], remaining=900 + delta)))
        check = Check.PACK_REMAINING
    elif which == "calls":
        changed = replace(history, recorded_calls={TAG: 150 + delta})
        check = Check.BILLED_CALLS
    else:
        changed = replace(history, packs=(history.packs[0],
                                          replace(history.packs[1], deferred=Decimal("180.00") + Decimal(delta) / 100)))
        check = Check.DEFERRED_REVENUE

    assert [d.check for d in check_account(changed, DAY).differences] == [check]

"""The alerts' rules: the balance alert's once-a-day, five-in-a-row and re-arming, budgets' thresholds and
periods, and runway_days, with the edges API.md names (a balance on the threshold is not below it)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.alerts.models import Alerts, AlertSettings, Budget, BudgetPeriod, DaySpend
from shared.alerts.rules import (
    BALANCE_NOTICES_IN_A_ROW,
    BalanceLow,
    BudgetReached,
    MoneyChange,
    RunwayLow,
    after_money_change,
    runway_days,
    spend_horizon,
)

D = Decimal
DAY = date(2026, 3, 10)


def alerts(**settings) -> Alerts:
    return Alerts(settings=AlertSettings(**settings))


def settle(state: Alerts, balance: str, on: date, postpaid: str = "0", day: date | None = None):
    spent = [((day or on - timedelta(days=1)), DaySpend(postpaid=D(postpaid)))]
    return after_money_change(state, change=MoneyChange.SETTLEMENT, balance=D(balance), today=on, spent=spent)


def kinds(outcome) -> list[type]:
    return [type(notice) for notice in outcome.notices]


# -- balance_low


def test_a_balance_that_lands_on_the_threshold_is_not_below_it():
    assert settle(alerts(balance_threshold=D("100.00")), "100.00", DAY).notices == ()
    assert settle(alerts(balance_threshold=D("100.00")), "99.99", DAY).notices == (
        BalanceLow(DAY, D("99.99"), D("100.00")),)


def test_a_balance_crossed_twice_in_a_day_is_announced_once():
    first = after_money_change(alerts(balance_threshold=D("100")), change=MoneyChange.PURCHASE, balance=D("80"),
                               today=DAY)
    second = after_money_change(first.alerts, change=MoneyChange.SETTLEMENT, balance=D("60"), today=DAY)

    assert kinds(first) == [BalanceLow] and second.notices == ()


def test_a_balance_below_for_six_days_is_announced_on_five_then_silence_until_a_recharge_rearms_it():
    state, sent = alerts(balance_threshold=D("100.00")), []
    for night in range(6):
        outcome = settle(state, str(90 - 10 * night), DAY + timedelta(days=night), postpaid="10")
        state, sent = outcome.alerts, sent + list(outcome.notices)
    assert [notice.on for notice in sent] == [DAY + timedelta(days=n) for n in range(BALANCE_NOTICES_IN_A_ROW)]

    recharged = after_money_change(state, change=MoneyChange.RECHARGE, balance=D("500"), today=DAY + timedelta(6))
    again = settle(recharged.alerts, "50", DAY + timedelta(days=7))
    assert recharged.notices == () and kinds(again) == [BalanceLow]


def test_a_recharge_that_leaves_the_balance_below_sends_nothing_and_does_not_rearm():
    low = settle(alerts(balance_threshold=D("100")), "10", DAY)
    recharge = after_money_change(low.alerts, change=MoneyChange.RECHARGE, balance=D("50"), today=DAY)
    assert recharge.notices == () and recharge.alerts.state.balance == low.alerts.state.balance


def test_a_negative_threshold_waits_for_arrears_below_it():
    state = alerts(balance_threshold=D("-50.00"))
    assert settle(state, "-50.00", DAY).notices == ()
    assert kinds(settle(state, "-50.01", DAY)) == [BalanceLow]


def test_a_balance_crossed_recovered_and_crossed_again_in_a_day_is_announced_once_that_day():
    low = settle(alerts(balance_threshold=D("100")), "10", DAY)
    recovered = after_money_change(low.alerts, change=MoneyChange.RECHARGE, balance=D("200"), today=DAY)
    low_again = after_money_change(recovered.alerts, change=MoneyChange.PURCHASE, balance=D("20"), today=DAY)
    next_day = settle(low_again.alerts, "20", DAY + timedelta(days=1))
    assert kinds(low) == [BalanceLow] and low_again.notices == ()
    assert next_day.notices == (BalanceLow(DAY + timedelta(days=1), D("20"), D("100")),)
    assert next_day.alerts.state.balance.notices == 1  # the recharge armed it again: a new count


# -- budgets


def test_thresholds_crossed_together_give_one_notice_naming_the_highest():
    state = alerts(budgets=(Budget(BudgetPeriod.DAY, D("10.00"), (50, 100)),))
    outcome = settle(state, "100", DAY, postpaid="10.00")
    assert outcome.notices == (BudgetReached(state.settings.budgets[0], "2026-03-09", D("10.00"), 100),)


def test_each_threshold_is_announced_once_a_period():
    budget = Budget(BudgetPeriod.DAY, D("10.00"), (50, 80, 100))
    first = after_money_change(alerts(budgets=(budget,)), change=MoneyChange.PURCHASE, balance=D("100"), today=DAY,
                               spent=[(DAY, DaySpend(packs=D("6.00")))])
    second = after_money_change(first.alerts, change=MoneyChange.PURCHASE, balance=D("99"), today=DAY,
                                spent=[(DAY, DaySpend(packs=D("1.00")))])
    third = after_money_change(second.alerts, change=MoneyChange.PURCHASE, balance=D("90"), today=DAY,
                               spent=[(DAY, DaySpend(packs=D("3.00")))])
    assert [notice.threshold for notice in first.notices] == [50]
    assert second.notices == ()
    assert [notice.threshold for notice in third.notices] == [100]


def test_a_budget_at_1000_percent_needs_ten_times_its_amount():
    budget = Budget(BudgetPeriod.DAY, D("1.00"), (1000,))
    below = settle(alerts(budgets=(budget,)), "0", DAY, postpaid="9.99")
    at = settle(alerts(budgets=(budget,)), "0", DAY, postpaid="10.00")
    assert [type(n) for n in below.notices if isinstance(n, BudgetReached)] == []
    assert [n.threshold for n in at.notices if isinstance(n, BudgetReached)] == [1000]


def test_a_month_budget_counts_the_bills_dated_in_its_month_and_starts_again_on_the_first():
    budget = Budget(BudgetPeriod.MONTH, D("100.00"), (100,))
    state = alerts(budgets=(budget,))
    march_31 = settle(state, "500", date(2026, 4, 1), postpaid="60", day=date(2026, 3, 31))
    # The 31 March bill settles at 00:00 on 1 April: it is March's spend, with March's earlier bills.
    march = after_money_change(state, change=MoneyChange.SETTLEMENT, balance=D("500"), today=date(2026, 3, 31),
                               spent=[(date(2026, 3, 30), DaySpend(postpaid=D("50")))])
    both = settle(march.alerts, "440", date(2026, 4, 1), postpaid="60", day=date(2026, 3, 31))
    april = settle(both.alerts, "300", date(2026, 4, 2), postpaid="90", day=date(2026, 4, 1))
    assert march_31.notices == () and march.notices == ()
    assert [(n.period_key, n.spent) for n in both.notices] == [("2026-03", D("110"))]
    assert april.notices == ()


def test_a_refund_does_not_unspend_a_purchase():
    budget = Budget(BudgetPeriod.DAY, D("10.00"), (100,))
    bought = after_money_change(alerts(budgets=(budget,)), change=MoneyChange.PURCHASE, balance=D("0"), today=DAY,
                                spent=[(DAY, DaySpend(packs=D("10.00")))])
    refunded = after_money_change(bought.alerts, change=MoneyChange.REFUND, balance=D("10"), today=DAY)
    assert kinds(bought) == [BudgetReached] and refunded.notices == ()
    assert refunded.alerts.spend[DAY] == DaySpend(packs=D("10.00"))


def test_the_spend_keeps_this_month_and_the_one_before():
    old = {date(2026, 1, 31): DaySpend(postpaid=D("5")), date(2026, 2, 1): DaySpend(postpaid=D("7"))}
    outcome = after_money_change(Alerts(spend=old), change=MoneyChange.RECHARGE, balance=D("1"),
                                 today=date(2026, 3, 10))
    assert spend_horizon(date(2026, 3, 10)) == date(2026, 2, 1)
    assert list(outcome.alerts.spend) == [date(2026, 2, 1)]


# -- runway


def test_runway_is_the_balance_over_the_last_seven_days_average_rounded_down():
    spend = {DAY - timedelta(days=n): DaySpend(postpaid=D("10")) for n in range(1, 4)}  # 30 over 7 days
    assert runway_days(D("100"), spend, DAY) == 23  # 100 / (30 / 7) = 23.3
    assert runway_days(D("0"), spend, DAY) == 0
    assert runway_days(D("-5"), {}, DAY) == 0
    assert runway_days(D("100"), {}, DAY) is None
    assert runway_days(D("100"), {DAY: DaySpend(postpaid=D("10"))}, DAY) is None  # today's bill is not in the 7


def test_runway_low_is_sent_once_until_the_runway_recovers():
    state = alerts(runway_days=7)
    first = settle(state, "20", DAY, postpaid="10")  # 20 / (10 / 7) = 14: fine
    low = settle(first.alerts, "5", DAY + timedelta(days=1), postpaid="10")  # 5 / (20 / 7) = 1
    still = settle(low.alerts, "2", DAY + timedelta(days=2), postpaid="3")
    recharged = after_money_change(still.alerts, change=MoneyChange.RECHARGE, balance=D("1000"),
                                   today=DAY + timedelta(days=2))
    again = settle(recharged.alerts, "1", DAY + timedelta(days=3), postpaid="1")
    assert first.notices == ()
    assert low.notices == (RunwayLow(1, 7, D("5")),)
    assert still.notices == () and recharged.notices == ()
    assert kinds(again) == [RunwayLow]


def test_only_a_settlement_sends_runway_low():
    state = Alerts(settings=AlertSettings(runway_days=7), spend={DAY - timedelta(1): DaySpend(postpaid=D("70"))})
    purchase = after_money_change(state, change=MoneyChange.PURCHASE, balance=D("10"), today=DAY)
    assert purchase.notices == () and not purchase.alerts.state.runway_low_sent


# -- properties

balances = st.decimals(min_value=-1000, max_value=1000, places=2)


@given(threshold=balances, moves=st.lists(st.tuples(st.integers(0, 3), balances, st.sampled_from(list(MoneyChange))),
                                          max_size=40))
def test_balance_low_is_at_most_one_a_date_and_never_more_than_five_between_recoveries(threshold, moves):
    state, today, sent, since_recovery = alerts(balance_threshold=threshold), DAY, [], 0
    for days_later, balance, change in moves:
        today += timedelta(days=days_later)
        outcome = after_money_change(state, change=change, balance=balance, today=today)
        state = outcome.alerts
        lows = [notice for notice in outcome.notices if isinstance(notice, BalanceLow)]
        if balance >= threshold:
            since_recovery = 0
        since_recovery += len(lows)
        assert since_recovery <= BALANCE_NOTICES_IN_A_ROW
        assert all(notice.balance < threshold and notice.on == today for notice in lows)
        assert change is not MoneyChange.RECHARGE or not lows
        sent += [notice.on for notice in lows]
    assert len(sent) == len(set(sent))


@given(amount=st.decimals(min_value="0.01", max_value=1000, places=2),
       thresholds=st.lists(st.integers(1, 1000), min_size=1, max_size=3, unique=True),
       parts=st.lists(st.decimals(min_value=0, max_value=500, places=2), max_size=20))
def test_every_threshold_reached_is_announced_once_and_only_once_reached(amount, thresholds, parts):
    budget = Budget(BudgetPeriod.DAY, amount, tuple(sorted(thresholds)))
    state, total, announced = alerts(budgets=(budget,)), D(0), []
    for part in parts:
        outcome = after_money_change(state, change=MoneyChange.PURCHASE, balance=D(0), today=DAY,
                                     spent=[(DAY, DaySpend(packs=part))])
        state, total = outcome.alerts, total + part
        for notice in outcome.notices:
            if isinstance(notice, BudgetReached):
                assert total * 100 >= amount * notice.threshold and notice.spent == total
                announced.append(notice.threshold)
    reached = [threshold for threshold in thresholds if total * 100 >= amount * threshold]
    assert len(announced) == len(set(announced))
    assert (max(announced) if announced else None) == (max(reached) if reached else None)


@pytest.mark.parametrize("change", list(MoneyChange))
def test_nothing_set_sends_nothing(change):
    outcome = after_money_change(Alerts(), change=change, balance=D("-999"), today=DAY,
                                 spent=[(DAY, DaySpend(D("5"), D("5")))])
    assert outcome.notices == () and outcome.alerts.spend == {DAY: DaySpend(D("5"), D("5"))}

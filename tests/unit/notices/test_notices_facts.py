"""The facts of a notice, the same for every language: what is derived from the detail, and what a
missing field leaves unknown."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from shared.accounts.models import Wallet
from shared.notices.detail import Detail
from shared.notices.facts.account import arrears, restored
from shared.notices.facts.packs import PackLabel, free_quota_granted, pack_expired
from shared.notices.facts.refunds import WalletShare, refund_completed
from shared.notices.facts.reports import daily_report


def test_free_quota_facts_add_up_the_sizes_and_take_the_first_expiry():
    facts = free_quota_granted(Detail({"packs": [
        {"billing_tag": "phone_2e", "size": 100, "expires_at": "2027-03-10T12:00:00+08:00"},
        {"size": 50, "expires_at": "2027-01-01T00:00:00+00:00"},
        {"billing_tag": "basic_upload"},
    ]}))

    assert facts.total_calls == 150 and facts.first_expiry == datetime.fromisoformat("2027-01-01T00:00:00+00:00")
    assert [pack.tag for pack in facts.packs] == ["phone_2e", None, "basic_upload"]


def test_free_quota_facts_without_any_size_leave_the_total_unknown():
    assert free_quota_granted(Detail({"packs": [{"billing_tag": "phone_2e"}]})).total_calls is None


def test_an_expired_pack_voids_what_was_left_reading_remaining_when_unused_calls_is_absent():
    assert pack_expired(Detail({"remaining": 7})).voided_calls == 7
    assert pack_expired(Detail({"unused_calls": 0, "remaining": 7})).voided_calls is None


def test_a_pack_is_labelled_by_what_the_detail_knows_of_it():
    assert pack_expired(Detail({"billing_tag": "phone_2e", "size": "lots"})).pack == PackLabel("phone_2e", None)


def test_only_an_explicit_false_entered_arrears_means_still_in_arrears():
    assert arrears(Detail({"entered_arrears": False})).still_in_arrears
    assert not arrears(Detail({"entered_arrears": "false"})).still_in_arrears
    assert not arrears(Detail({})).still_in_arrears


def test_a_restoration_while_suspended_for_a_violation_is_told_apart():
    assert restored(Detail({"status": "suspended"})).suspended_for_violation
    assert not restored(Detail({"status": "active", "balance": "1.00"})).suspended_for_violation


def test_a_refund_keeps_the_wallets_that_get_money_back_and_tells_an_unstated_voucher_from_none():
    facts = refund_completed(Detail({"to": {"gift": "1.00", "income": "0.00", "cash": "2.50"},
                                     "voucher_not_returned": "0.00"}))

    assert facts.shares == (WalletShare(Wallet.CASH, Decimal("2.50")), WalletShare(Wallet.GIFT, Decimal("1.00")))
    assert (facts.vouchers_unstated, facts.voucher_kept) == (False, None)
    assert refund_completed(Detail({})).vouchers_unstated
    assert refund_completed(Detail({"voucher_not_returned": "5"})).voucher_kept == Decimal("5")


def test_a_daily_report_totals_its_tags_when_the_total_is_absent_and_sums_the_packs_left():
    facts = daily_report(Detail({"date": "2026-03-10", "tags": [{"calls": 3}, {"calls": 4}, {"billing_tag": "x"}],
                                 "packs_left": [{"remaining": 5}, {"remaining": 0}, {"billing_tag": "y"}]}))

    assert facts.day == date(2026, 3, 10) and facts.calls == 7 and len(facts.tags) == 2
    assert facts.calls_left_in_packs == 5 and len(facts.packs_left) == 2
    assert facts.charges is None


def test_a_daily_report_without_packs_left_has_no_calls_left_in_packs():
    assert daily_report(Detail({"calls": 1})).calls_left_in_packs is None

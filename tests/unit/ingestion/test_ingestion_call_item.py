"""The call item: its key spreads an account over 16 partitions, and it always fits one write unit."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from shared.pricing import BillingReason
from shared.store.calls import (
    CALL_SHARDS,
    StoredCall,
    call_item,
    call_partition_key,
    call_shard,
    item_size,
    stored_call_from_item,
)

AT = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)


def longest_call() -> StoredCall:
    return StoredCall(
        account_id="a" * 128, request_id="r" * 128, channel="enhanced.wechat_miniprogram", source="authority",
        return_code="9" * 64, occurred_at=AT, received_at=AT, billing_date=date(2026, 3, 10),
        billing_tag="enhanced_authority_overlay_h5", billable=False, reason=BillingReason.NFC_REPEAT_WITHIN_5_MIN,
        fingerprint="f" * 32, nfc_req_id="n" * 128, expires_at=1_900_000_000,
    )


def test_the_largest_call_item_is_under_1_kb_so_a_call_costs_one_write_unit():
    assert item_size(call_item(longest_call())) < 1024


def test_an_item_maps_back_to_the_same_call():
    call = longest_call()

    assert stored_call_from_item(call_item(call)) == call


def test_item_sizes_follow_dynamodbs_rules():
    assert item_size({"name": {"S": "abc"}}) == 7
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + 1 + 1 + 1


def test_request_ids_spread_over_16_partitions_and_a_repeat_meets_its_first_write():
    shards = Counter(call_shard(f"req-{number}") for number in range(3200))

    assert set(shards) == set(range(CALL_SHARDS))
    assert min(shards.values()) > 150
    assert call_partition_key("acme", "req-1") == call_partition_key("acme", "req-1") == f"acme#{call_shard('req-1')}"

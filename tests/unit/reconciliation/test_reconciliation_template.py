"""What template.yaml and the call item give the reconciliation: its 02:00 schedule, its queue, and the sparse
BillableByDay index that counts a day's billable calls from the calls themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from infra.local.clock import scheduler_input
from infra.local.intrinsics import PhysicalResources
from infra.local.schedule_expressions import parse_schedule
from infra.local.template import ScheduleSpec, StackTemplate, load_template
from shared.pricing import BillingReason
from shared.store.calls import BILLABLE_BY_DAY, call_item, item_size
from tests.support import REPO_ROOT
from tests.unit.ingestion.test_ingestion_call_item import longest_call


def template() -> StackTemplate:
    return StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))


def reconciliation_schedule(parameters: dict[str, str]) -> ScheduleSpec:
    stack = template()
    physical = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="test",
                                 parameters=stack.parameter_values(parameters))
    [schedule] = [spec for spec in stack.schedules(physical.resolve) if spec.job == "reconciliation"]
    return schedule


def test_the_job_fires_every_day_at_02_00_of_the_billing_time_zone_with_its_scheduled_instant():
    schedule = reconciliation_schedule({})
    fires = list(parse_schedule(schedule.expression, schedule.timezone).fire_times(
        datetime.fromisoformat("2026-03-01T12:00:00+08:00"), datetime.fromisoformat("2026-03-03T12:00:00+08:00")))
    event = scheduler_input(schedule.payload, fires[0], "reconciliation")

    assert schedule.function_id == "ReconciliationDispatcherFunction"
    assert fires == [datetime.fromisoformat("2026-03-02T02:00:00+08:00"),
                     datetime.fromisoformat("2026-03-03T02:00:00+08:00")]
    assert event["job"] == "reconciliation" and datetime.fromisoformat(event["scheduled_at"]) == fires[0]
    assert reconciliation_schedule({"BillingTimeZone": "Europe/Berlin"}).timezone == "Europe/Berlin"


def test_the_queue_is_encrypted_dead_letters_after_5_receives_and_outlasts_six_worker_timeouts():
    resources = template().document["Resources"]
    queue = resources["ReconciliationQueue"]["Properties"]
    worker = resources["ReconciliationWorkerFunction"]["Properties"]

    assert queue["SqsManagedSseEnabled"] and resources["ReconciliationDeadLetterQueue"]["Properties"][
        "SqsManagedSseEnabled"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert worker["Events"]["ReconciliationQueueBatches"]["Properties"]["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"]


def calls_index() -> dict:
    table = template().document["Resources"]["CallsTable"]["Properties"]
    [index] = [index for index in table["GlobalSecondaryIndexes"] if index["IndexName"] == BILLABLE_BY_DAY]
    return index


def test_the_index_is_keyed_on_the_table_s_own_shards_and_a_date_only_billable_calls_carry():
    index = calls_index()
    keys = {key["KeyType"]: key["AttributeName"] for key in index["KeySchema"]}

    assert keys == {"HASH": "pk", "RANGE": "billable_date"}
    assert index["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["billing_tag"]}


def test_only_a_billable_call_lands_in_the_index():
    free = longest_call()
    billable = replace(free, billable=True, reason=BillingReason.BILLABLE_CODE)

    assert "billable_date" not in call_item(free)
    assert call_item(billable)["billable_date"] == {"S": "2026-03-10"}


def test_the_largest_billable_call_and_its_index_entry_each_cost_one_write_unit():
    item = call_item(replace(longest_call(), billable=True, reason=BillingReason.BILLABLE_CODE))
    # an index entry: its keys, the table's keys and the projected attributes, plus 100 bytes
    entry = {name: item[name] for name in ("pk", "request_id", "billable_date", "billing_tag")}

    assert item_size(item) < 1024
    assert item_size(entry) + 100 < 1024

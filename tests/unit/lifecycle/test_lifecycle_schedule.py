"""template.yaml's schedule of the pack-lifecycle job, read as the local stack reads it."""

from __future__ import annotations

from datetime import datetime

from infra.local.clock import scheduler_input
from infra.local.intrinsics import PhysicalResources
from infra.local.schedule_expressions import parse_schedule
from infra.local.template import ScheduleSpec, StackTemplate, load_template
from shared.instants import parse_instant
from tests.support import REPO_ROOT


def lifecycle_schedule(parameters: dict[str, str]) -> ScheduleSpec:
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    physical = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="test",
                                 parameters=template.parameter_values(parameters))
    [schedule] = [spec for spec in template.schedules(physical.resolve) if spec.job == "pack-lifecycle"]
    return schedule


def test_the_job_fires_every_day_at_00_00_of_the_billing_time_zone():
    schedule = lifecycle_schedule({})
    fires = list(parse_schedule(schedule.expression, schedule.timezone).fire_times(
        datetime.fromisoformat("2027-03-01T12:00:00+08:00"), datetime.fromisoformat("2027-03-03T12:00:00+08:00")))

    assert schedule.function_id == "PackLifecycleFunction"
    assert fires == [datetime.fromisoformat("2027-03-02T00:00:00+08:00"),
                     datetime.fromisoformat("2027-03-03T00:00:00+08:00")]


def test_the_schedule_follows_the_billing_time_zone_parameter():
    assert lifecycle_schedule({"BillingTimeZone": "America/New_York"}).timezone == "America/New_York"


def test_the_job_gets_its_scheduled_instant_as_the_run_s_now():
    at = datetime.fromisoformat("2027-03-02T00:00:00+08:00")

    event = scheduler_input(lifecycle_schedule({}).payload, at, "pack-lifecycle")

    assert event["job"] == "pack-lifecycle"
    assert parse_instant(event["scheduled_at"]) == at

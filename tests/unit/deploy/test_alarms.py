"""The alarms, retention and scanner skips of template.yaml, read statically: every alarm reaches the operator
and names metrics of this stack, every dead-letter queue and busy function has its alarms, the README's runbook
covers each alarm, and no table that holds money or history can go with the stack."""

from __future__ import annotations

import re

import pytest

from tests.support import REPO_ROOT
from tests.template_alarms import alarms, metrics_read, template

RESOURCES = template()["Resources"]
WATCHED_FUNCTIONS = ("ApiFunction", "IngestFunction", "SettlementDispatcherFunction", "SettlementWorkerFunction",
                     "ReconciliationDispatcherFunction", "ReconciliationWorkerFunction", "NotifierFunction")


def _of_type(resource_type: str) -> dict[str, dict]:
    return {logical_id: resource for logical_id, resource in RESOURCES.items() if resource["Type"] == resource_type}


def _dead_letter_queues() -> set[str]:
    queues = {queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
              for queue in _of_type("AWS::SQS::Queue").values() if "RedrivePolicy" in queue["Properties"]}
    queues |= {function["Properties"]["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0]
               for function in _of_type("AWS::Serverless::Function").values()
               if "DeadLetterQueue" in function["Properties"]}
    return queues


def _alarmed(namespace: str, metric_name: str, dimension: str) -> set[str]:
    """The resources whose `metric_name` some alarm reads, by the logical id its `dimension` names."""
    named = set()
    for alarm in alarms().values():
        for stat in alarm.get("Metrics", [{"MetricStat": {"Metric": alarm}}]):
            metric = stat.get("MetricStat", {}).get("Metric", {})
            if (metric.get("Namespace"), metric.get("MetricName")) == (namespace, metric_name):
                for entry in metric.get("Dimensions", []):
                    if entry["Name"] == dimension:
                        value = entry["Value"]
                        named.add(value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0])
    return named


@pytest.mark.parametrize("alarm_id", sorted(alarms()))
def test_every_alarm_tells_the_operator_when_it_fires_and_when_it_clears(alarm_id):
    alarm = alarms()[alarm_id]
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": "OpsAlarmTopic"}]
    assert alarm["TreatMissingData"] in {"notBreaching", "breaching"}


def test_every_dead_letter_queue_has_an_alarm():
    assert _dead_letter_queues() == _alarmed("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName")
    assert len(_dead_letter_queues()) == 6


@pytest.mark.parametrize("metric_name", ["Errors", "Throttles"])
def test_the_functions_that_move_money_and_notices_have_error_and_throttle_alarms(metric_name):
    assert set(WATCHED_FUNCTIONS) <= _alarmed("AWS/Lambda", metric_name, "FunctionName")


@pytest.mark.parametrize("alarm_id", sorted(alarms()))
def test_the_aws_metrics_an_alarm_reads_name_resources_of_this_stack(alarm_id):
    api_name = RESOURCES["BillingApi"]["Properties"]["Name"]
    expected_types = {"QueueName": "AWS::SQS::Queue", "FunctionName": "AWS::Serverless::Function"}
    for metric in metrics_read(alarms()[alarm_id]):
        for name, value in metric["Dimensions"].items():
            if name in expected_types:
                target = re.search(r"'(?:Ref|Fn::GetAtt)': \[?'(\w+)'", value).group(1)
                assert RESOURCES[target]["Type"] == expected_types[name], (alarm_id, name, target)
            elif name == "ApiName":
                assert value == repr(api_name)
            elif name == "Stage":
                assert value == repr({"Ref": "ApiStageName"})


def test_the_runbook_has_a_paragraph_for_every_alarm():
    readme = (REPO_ROOT / "README.md").read_text()
    runbook = readme.split("\n## Runbook\n", 1)[1].split("\n## ", 1)[0]
    missing = [alarm_id for alarm_id in alarms() if f"`{alarm_id}`" not in runbook]
    assert not missing, f"the README's runbook does not cover {missing}"


HISTORY_TABLES = ("AccountsTable", "ApiKeysTable", "PacksTable", "LedgerTable", "BillsTable", "CallsTable",
                  "UsageTable", "MessagesTable", "BooksTable", "IdempotencyTable", "WebhooksTable")


def test_the_tables_are_the_ones_that_hold_money_or_history():
    assert set(_of_type("AWS::DynamoDB::Table")) == set(HISTORY_TABLES)


@pytest.mark.parametrize("table_id", HISTORY_TABLES)
def test_no_table_goes_with_the_stack_and_each_can_be_recovered_to_a_point_in_time(table_id):
    table = RESOURCES[table_id]
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("logical_id", sorted(logical_id for logical_id, resource in RESOURCES.items()
                                              if "checkov" in resource.get("Metadata", {})))
def test_every_finding_the_scanner_is_told_to_skip_says_why(logical_id):
    for skip in RESOURCES[logical_id]["Metadata"]["checkov"]["skip"]:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"])
        assert len(skip["comment"]) > 40, (logical_id, skip["id"])

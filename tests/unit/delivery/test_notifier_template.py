"""The notifier's wiring in template.yaml agrees with what its code assumes about time and retries."""

from __future__ import annotations

from pathlib import Path

from infra.local.template import StackTemplate, load_template
from shared.services.notice_delivery import LEASE

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
RESOURCES = TEMPLATE.resources


def test_every_domain_event_reaches_the_notifier_queue_as_published():
    (subscription,) = [properties for properties in TEMPLATE.resources_of_type("AWS::SNS::Subscription").values()
                       if properties["Endpoint"] == {"Fn::GetAtt": ["NotifierQueue", "Arn"]}]

    assert subscription["TopicArn"] == {"Ref": "DomainEventsTopic"}
    assert subscription["Protocol"] == "sqs" and subscription["RawMessageDelivery"] is True
    assert "FilterPolicy" not in subscription


def test_a_lease_outlives_the_function_and_lapses_before_the_queue_delivers_again():
    timeout = TEMPLATE.functions()["NotifierFunction"].timeout_s
    queue = RESOURCES["NotifierQueue"]["Properties"]

    assert timeout < LEASE.total_seconds() < queue["VisibilityTimeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # AWS's advice for event source mappings


def test_a_notice_that_keeps_failing_ends_in_the_dead_letter_queue():
    queue = RESOURCES["NotifierQueue"]["Properties"]
    (source,) = [event["Properties"] for event in RESOURCES["NotifierFunction"]["Properties"]["Events"].values()]

    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotifierDeadLetterQueue", "Arn"]}
    assert source["Queue"] == {"Fn::GetAtt": ["NotifierQueue", "Arn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

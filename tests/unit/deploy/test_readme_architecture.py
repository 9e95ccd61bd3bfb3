"""The README's architecture diagram against template.yaml, so that the drawing cannot fall behind the stack."""

from __future__ import annotations

import itertools
import re

import pytest

from infra.local.template import load_template
from infra.package import REPO_ROOT

DRAWN_TYPES = (
    "AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::DynamoDB::Table", "AWS::SQS::Queue",
    "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::S3::Bucket", "AWS::CloudFront::Distribution",
)


def _diagram() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```mermaid\n(.*?)```", section, re.S).group(1)


def _resources() -> dict:
    return load_template(REPO_ROOT / "template.yaml")["Resources"]


def _edge(source: str, target: str, diagram: str) -> bool:
    """Whether `source` points at `target`, directly or in a `A & B --> C` / `A --> B & C` group."""
    for line in diagram.splitlines():
        segments = re.split(r"\s*-\.?->(?:\|[^|]*\|)?\s*|\s*-->(?:\|[^|]*\|)?\s*", line.strip())
        for left, right in itertools.pairwise(segments):
            if source in _node_ids(left) and target in _node_ids(right):
                return True
    return False


def _node_ids(segment: str) -> list[str]:
    """`A[label] & B[(label)]` -> [A, B]: the id that opens the segment and each one after an `&`."""
    return re.findall(r"(?:^|&)\s*(\w+)", segment)


def _logical_id(reference: dict) -> str:
    """{"Ref": "X"} or {"Fn::GetAtt": ["X", "Arn"]} (or "X.Arn") -> "X"."""
    (target,) = reference.values()
    return target[0] if isinstance(target, list) else target.split(".")[0]


def _event_sources() -> list[tuple[str, str]]:
    """(what triggers, function) for every event of every function: queues, streams, schedules, the API."""
    pairs = []
    for function_id, resource in _resources().items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_name, event in resource["Properties"].get("Events", {}).items():
            reference = {"SQS": "Queue", "DynamoDB": "Stream", "Api": "RestApiId"}.get(event["Type"])
            # A schedule has no resource of its own: the diagram names it after its event.
            source = _logical_id(event["Properties"][reference]) if reference else event_name
            pairs.append((source, function_id))
    return pairs


@pytest.mark.parametrize("logical_id", sorted(
    logical_id for logical_id, resource in _resources().items() if resource["Type"] in DRAWN_TYPES))
def test_every_function_table_queue_topic_and_front_door_is_drawn(logical_id):
    assert re.search(rf"\b{logical_id}\b", _diagram()), f"{logical_id} is in template.yaml but not in the diagram"


@pytest.mark.parametrize("source, function_id", sorted(set(_event_sources())))
def test_every_event_source_points_at_its_function(source, function_id):
    assert _edge(source, function_id, _diagram()), f"the diagram lacks {source} --> {function_id}"


def test_every_dead_letter_queue_hangs_off_its_queue():
    for queue_id, resource in _resources().items():
        redrive = resource.get("Properties", {}).get("RedrivePolicy")
        if resource["Type"] == "AWS::SQS::Queue" and redrive:
            assert _edge(queue_id, _logical_id(redrive["deadLetterTargetArn"]), _diagram())


def test_the_edge_reader_reads_groups_and_labels():
    diagram = "A & B -->|x| C\n  D -.-> E[(E)] & F\n"
    assert _edge("A", "C", diagram) and _edge("B", "C", diagram)
    assert _edge("D", "E", diagram) and _edge("D", "F", diagram)
    assert not _edge("C", "A", diagram)

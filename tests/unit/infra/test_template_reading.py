"""template.yaml read as the local stack reads it: short-form intrinsics, Globals, routes, schedules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.intrinsics import PhysicalResources
from infra.local.template import StackTemplate, TemplateError, load_template

REPO_ROOT = Path(__file__).resolve().parents[3]

SMALL_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Zone:
    Type: String
    Default: Asia/Shanghai
Globals:
  Function:
    CodeUri: .
    Timeout: 10
    Environment:
      Variables:
        TABLE: !Ref Things
        ZONE: !Ref Zone
Resources:
  Things:
    Type: AWS::DynamoDB::Table
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: functions.worker.app.handler
      Timeout: 60
      Environment:
        Variables:
          STREAM: !GetAtt Things.StreamArn
          LABEL: !Sub "${AWS::StackName}-${Zone}-${Things.Arn}"
          JOINED: !Join [":", [a, !Ref Zone]]
      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 0 * * ? *)
            ScheduleExpressionTimezone: !Ref Zone
            Input: '{"job": "nightly-work"}'
        Unnamed:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(5 minutes)
        Read:
          Type: Api
          Properties:
            Path: /v1/things/{thing_id}
            Method: get
"""


@pytest.fixture
def small(tmp_path) -> StackTemplate:
    path = tmp_path / "template.yaml"
    path.write_text(SMALL_TEMPLATE)
    return StackTemplate(path, load_template(path))


@pytest.fixture
def physical() -> PhysicalResources:
    resources = PhysicalResources(region="us-east-1", account_id="123456789012", stack_name="local",
                                  parameters={"Zone": "Asia/Shanghai"})
    resources.refs["Things"] = "things-table"
    resources.attributes[("Things", "Arn")] = "arn:things"
    resources.attributes[("Things", "StreamArn")] = "arn:things/stream"
    return resources


def test_short_form_intrinsics_load_as_their_long_forms(small):
    variables = small.resources["Worker"]["Properties"]["Environment"]["Variables"]

    assert variables["STREAM"] == {"Fn::GetAtt": ["Things", "StreamArn"]}
    assert variables["LABEL"] == {"Fn::Sub": "${AWS::StackName}-${Zone}-${Things.Arn}"}
    assert variables["JOINED"] == {"Fn::Join": [":", ["a", {"Ref": "Zone"}]]}


def test_globals_are_merged_into_each_function_as_sam_does(small, physical):
    worker = small.functions()["Worker"]

    assert worker.timeout_s == 60
    assert worker.code_dir == small.path.parent.resolve()
    resolved = physical.resolve(worker.environment)
    assert resolved == {
        "TABLE": "things-table",
        "ZONE": "Asia/Shanghai",
        "STREAM": "arn:things/stream",
        "LABEL": "local-Asia/Shanghai-arn:things",
        "JOINED": "a:Asia/Shanghai",
    }


def test_schedules_take_their_job_id_from_the_input_or_the_event_name(small, physical):
    schedules = {schedule.job: schedule for schedule in small.schedules(physical.resolve)}

    assert schedules["nightly-work"].timezone == "Asia/Shanghai"
    assert schedules["nightly-work"].payload == {"job": "nightly-work"}
    assert schedules["unnamed"].expression == "rate(5 minutes)"
    assert schedules["unnamed"].timezone == "UTC"


def test_api_routes_are_read_with_upper_case_methods(small):
    (route,) = small.api_routes()

    assert (route.function_id, route.method, route.path, route.authorizer) == (
        "Worker", "GET", "/v1/things/{thing_id}", None)


def test_a_reference_to_nothing_is_a_template_error(physical):
    with pytest.raises(TemplateError, match="Ref Nowhere"):
        physical.resolve({"Ref": "Nowhere"})
    with pytest.raises(TemplateError, match="not supported"):
        physical.resolve({"Fn::If": ["c", "a", "b"]})


def test_a_file_without_resources_is_refused(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Description: nothing here\n")

    with pytest.raises(TemplateError, match="no Resources"):
        load_template(path)


def test_the_real_template_routes_every_function_it_declares():
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    routed = {route.function_id for route in template.api_routes()}

    assert routed <= set(template.functions())
    assert {("GET", "/v1/catalog"), ("GET", "/v1/quote"), ("GET", "/v1/openapi.json"), ("GET", "/v1/docs")} <= {
        (route.method, route.path) for route in template.api_routes()}
    assert json.dumps(template.parameter_values({}))  # every parameter has a default

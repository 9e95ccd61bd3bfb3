"""The local stack reads everything from template.yaml: a route or a schedule added there is served
or fired with no other change. Each test starts `python -m infra.local` on a modified copy."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from infra.local.template import load_template
from tests.support import REPO_ROOT, StackProcess

FIXTURES = "tests.fixtures"


def template_with(tmp_path: Path, resources: dict, api_properties: dict | None = None, *,
                  own_schedules: bool = True) -> Path:
    """template.yaml plus `resources` (functions whose code is the repo's tests/fixtures); without its own
    schedules if `own_schedules` is False (days of the every-5-minutes arrears check are slow to run)."""
    document = load_template(REPO_ROOT / "template.yaml")
    if not own_schedules:
        for resource in document["Resources"].values():
            for event in (resource.get("Properties", {}).get("Events") or {}).values():
                if event["Type"] == "ScheduleV2":
                    event["Properties"]["State"] = "DISABLED"
    for resource in resources.values():
        resource["Properties"]["CodeUri"] = str(REPO_ROOT)
    document["Resources"].update(resources)
    document["Resources"]["BillingApi"]["Properties"].update(api_properties or {})
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def function(handler: str, events: dict, environment: dict | None = None) -> dict:
    properties = {"Handler": f"{FIXTURES}.{handler}", "Events": events}
    if environment:
        properties["Environment"] = {"Variables": environment}
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def api_event(path: str, method: str = "GET") -> dict:
    return {"Type": "Api", "Properties": {"RestApiId": {"Ref": "BillingApi"}, "Path": path, "Method": method}}


def schedule_event(expression: str, job: str) -> dict:
    return {
        "Type": "ScheduleV2",
        "Properties": {
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": {"Ref": "BillingTimeZone"},
            "Input": json.dumps({"job": job, "scheduled_at": "<aws.scheduler.scheduled-time>"}),
        },
    }


def probe_runs(clock_answer: dict) -> list[dict]:
    """The runs of the probes a test added, not those of the template's own jobs."""
    return [run for run in clock_answer["runs"] if run["job"].endswith("-probe")]


def recorded(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_route_added_to_the_template_is_served_with_no_other_change(tmp_path):
    template = template_with(tmp_path, {"EchoFunction": function(
        "echo_function.handler", {"Echo": api_event("/v1/echo/{thing_id}", "POST")})})
    operator = {"Authorization": "Bearer fbk_local-operator", "X-Trace": "t1"}

    with StackProcess({"BILLING_TEMPLATE": str(template), "BILLING_OPERATOR_KEY": "fbk_local-operator"}) as api:
        answer = api.post("/v1/echo/abc?x=1&x=2", {"hello": "世界"}, headers=operator)
        without_key = api.post("/v1/echo/abc", {})
        catalog = api.get("/v1/catalog")

    assert without_key.status == 401 and without_key.json()["error"]["code"] == "UNAUTHENTICATED"
    assert answer.status == 200
    event = answer.json()["event"]
    assert answer.json()["function_name"] == "EchoFunction"
    assert event["resource"] == "/v1/echo/{thing_id}"
    assert event["path"] == "/v1/echo/abc"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"thing_id": "abc"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["queryStringParameters"] == {"x": "2"}
    assert event["headers"]["X-Trace"] == "t1"
    assert json.loads(event["body"]) == {"hello": "世界"}
    assert event["requestContext"]["resourcePath"] == "/v1/echo/{thing_id}"
    assert event["requestContext"]["authorizer"]["scope"] == "operator"
    assert catalog.status == 200


def test_the_clock_fires_a_daily_cron_at_00_00_in_the_billing_zone(tmp_path):
    record = tmp_path / "runs.jsonl"
    template = template_with(tmp_path, {"ProbeFunction": function(
        "recorder_function.handler",
        {"Midnight": schedule_event("cron(0 0 * * ? *)", "midnight-probe")},
        {"RECORDER_FILE": str(record)})}, own_schedules=False)

    with StackProcess({"BILLING_TEMPLATE": str(template),
                       "BILLING_CLOCK_START": "2026-03-01T12:00:00+08:00"}) as api:
        before = api.post("/_local/clock", {"now": "2026-03-01T23:59:59+08:00"}).json()
        answer = api.post("/_local/clock", {"now": "2026-03-03T00:00:00+08:00"}).json()
        jobs = api.get("/_local/jobs").json()["jobs"]

    assert probe_runs(before) == []
    assert [(run["job"], run["at"], run["ok"]) for run in probe_runs(answer)] == [
        ("midnight-probe", "2026-03-02T00:00:00+08:00", True),
        ("midnight-probe", "2026-03-03T00:00:00+08:00", True),
    ]
    runs = recorded(record)
    assert [run["event"]["scheduled_at"] for run in runs] == ["2026-03-01T16:00:00Z", "2026-03-02T16:00:00Z"]
    assert [run["now"][:19] for run in runs] == ["2026-03-01T16:00:00", "2026-03-02T16:00:00"]
    assert {"job": "midnight-probe", "function": "ProbeFunction", "schedule": "cron(0 0 * * ? *)",
            "timezone": "Asia/Shanghai"} in jobs


def test_schedules_follow_daylight_saving_in_a_zone_that_has_it(tmp_path):
    record = tmp_path / "runs.jsonl"
    template = template_with(tmp_path, {"ProbeFunction": function(
        "recorder_function.handler",
        {"Midnight": schedule_event("cron(0 0 * * ? *)", "midnight-probe"),
         "FirstOfMonth": schedule_event("cron(0 0 1 * ? *)", "monthly-probe")},
        {"RECORDER_FILE": str(record)})}, own_schedules=False)

    with StackProcess({"BILLING_TEMPLATE": str(template), "BILLING_TIME_ZONE": "America/New_York",
                       "BILLING_CLOCK_START": "2026-02-28T12:00:00-05:00"}) as api:
        answer = api.post("/_local/clock", {"now": "2026-03-09T12:00:00-04:00"}).json()
        skipped = api.post("/_local/clock", {"now": "2026-03-12T12:00:00-04:00", "fire": False}).json()
        by_hand = api.post("/_local/jobs/monthly-probe").json()

    fired = [(run["job"], run["at"]) for run in probe_runs(answer)]
    # Midnight in New York is 05:00Z before 2026-03-08 and 04:00Z from then on (a 23-hour day).
    assert fired[0] == ("midnight-probe", "2026-03-01T13:00:00+08:00")
    assert fired[1] == ("monthly-probe", "2026-03-01T13:00:00+08:00")
    assert fired[-2:] == [("midnight-probe", "2026-03-08T13:00:00+08:00"),
                          ("midnight-probe", "2026-03-09T12:00:00+08:00")]
    assert len([job for job, _ in fired if job == "midnight-probe"]) == 9
    assert skipped["runs"] == []
    assert by_hand["job"] == "monthly-probe" and by_hand["ok"] is True
    assert len(recorded(record)) == 11


def test_a_lambda_authorizer_declared_in_the_template_guards_its_routes(tmp_path):
    resources = {
        "EchoFunction": function("echo_function.handler", {"Echo": api_event("/v1/guarded")}),
        "KeyAuthorizerFunction": function("token_authorizer.handler", {}),
    }
    auth = {
        "Auth": {
            "DefaultAuthorizer": "KeyAuthorizer",
            "Authorizers": {"KeyAuthorizer": {
                "FunctionArn": {"Fn::GetAtt": ["KeyAuthorizerFunction", "Arn"]},
                "FunctionPayloadType": "TOKEN",
                "Identity": {"Header": "Authorization"},
            }},
        },
        "GatewayResponses": {"ACCESS_DENIED": {"StatusCode": 403, "ResponseTemplates": {
            "application/json": '{"error": {"code": "FORBIDDEN", "message": "denied", "details": []}}'}}},
    }
    template = template_with(tmp_path, resources, auth)

    with StackProcess({"BILLING_TEMPLATE": str(template)}) as api:
        missing = api.get("/v1/guarded")
        unknown = api.get("/v1/guarded", headers={"Authorization": "Bearer nope"})
        denied = api.get("/v1/guarded", headers={"Authorization": "Bearer go-away"})
        allowed = api.get("/v1/guarded", headers={"Authorization": "Bearer let-me-in"})

    assert missing.status == 401 and unknown.status == 401
    assert denied.status == 403 and denied.json()["error"]["code"] == "FORBIDDEN"
    assert allowed.status == 200
    assert allowed.json()["event"]["requestContext"]["authorizer"] == {"principalId": "tester", "scope": "operator"}


def test_make_run_serves_the_real_template_from_the_given_clock_start():
    with StackProcess({"BILLING_CLOCK_START": "2026-01-04T00:00:00+08:00"}) as api:
        quote = api.get("/v1/quote?billing_tag=enhanced_authority_wechat&calls=300000").json()
        clock = api.get("/_local/clock").json()
        health = api.get("/_local/health").status

    assert health == 200
    assert quote["total"] == "280000.00"
    assert clock["now"].startswith("2026-01-04T00:00")

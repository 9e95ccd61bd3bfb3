"""GET /_local/metrics: the CloudWatch metrics the functions emitted (their EMF documents) as the stack ran them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from infra.local.stack import LocalStack
from tests.support import HttpClient

# template.yaml's Globals: POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME.
NAMESPACE = "FaceIdBilling"
SERVICE = "faceid-billing"


def now(api: HttpClient) -> datetime:
    return datetime.fromisoformat(api.get("/_local/clock").json()["now"])


def emitted(api: HttpClient, query: str = "") -> list[dict[str, Any]]:
    answer = api.get("/_local/metrics" + query)
    assert answer.status == 200, answer.body
    return answer.json()["metrics"]


def newest(api: HttpClient, name: str) -> dict[str, Any]:
    return emitted(api, f"?name={name}")[-1]


def test_the_metrics_of_post_calls_show_with_their_function_value_and_dimensions(operator: HttpClient):
    assert operator.post("/v1/accounts", {"account_id": "metrics-acme", "contacts": {}}).status == 201
    occurred_at = (now(operator) - timedelta(minutes=1)).isoformat()
    call = {"account_id": "metrics-acme", "channel": "enhanced.wechat_miniprogram", "source": "authority",
            "return_code": "0", "occurred_at": occurred_at}
    before = now(operator)

    answer = operator.post("/v1/calls", {"calls": [{**call, "request_id": "m1"}, {**call, "request_id": "m2"},
                                                   {**call, "request_id": "m3", "channel": "no-such-channel"}]})

    assert answer.status == 200
    after = now(operator)
    figures = {name: newest(operator, name) for name in ("CallsAccepted", "CallsDuplicate", "CallsRejected")}
    assert {name: figure["value"] for name, figure in figures.items()} == {
        "CallsAccepted": 2, "CallsDuplicate": 0, "CallsRejected": 1}
    for figure in figures.values():
        assert {key: figure[key] for key in ("function", "namespace", "unit", "dimensions")} == {
            "function": "IngestFunction", "namespace": NAMESPACE, "unit": "Count", "dimensions": {"service": SERVICE}}
        assert figure["at"].endswith("+08:00")
        assert before <= datetime.fromisoformat(figure["at"]) <= after  # the stack's clock, not the machine's


def test_a_reconciliation_run_shows_its_difference_count(operator: HttpClient):
    ran = operator.post("/_local/jobs/reconciliation")

    assert ran.status == 200 and ran.json()["ok"], ran.body
    figure = newest(operator, "ReconciliationDifferences")
    assert figure["function"] == "ReconciliationWorkerFunction"
    assert (figure["namespace"], figure["unit"], figure["dimensions"]) == (NAMESPACE, "Count", {"service": SERVICE})
    assert isinstance(figure["value"], int | float) and figure["value"] >= 0


def test_metrics_come_oldest_first_and_name_keeps_only_those_named(operator: HttpClient):
    assert operator.post("/_local/jobs/reconciliation").json()["ok"]
    assert operator.post("/v1/calls", {"calls": [{"account_id": "metrics-nobody", "request_id": "x",
                                                  "channel": "face_risk", "return_code": "0",
                                                  "occurred_at": now(operator).isoformat()}]}).status == 200

    everything = emitted(operator)
    assert [figure["name"] for figure in everything[-4:]] == [
        "ReconciliationDifferences", "CallsAccepted", "CallsDuplicate", "CallsRejected"]
    instants = [datetime.fromisoformat(figure["at"]) for figure in everything]
    assert instants == sorted(instants)
    assert {figure["name"] for figure in emitted(operator, "?name=CallsRejected")} == {"CallsRejected"}
    assert {figure["name"] for figure in emitted(operator, "?name=CallsRejected&name=ReconciliationDifferences")} == {
        "CallsRejected", "ReconciliationDifferences"}
    assert emitted(operator, "?name=NoSuchMetric") == []


def test_each_function_s_first_invocation_emits_its_own_cold_start(operator: HttpClient):
    # Both functions ask powertools for ColdStart; its flag is one per process, the stack keeps one per function.
    assert operator.get("/v1/catalog").status == 200
    refund = operator.post("/v1/accounts/metrics-nobody/packs/no-such-pack/refund", {"refund_id": "metrics-r1"})
    assert refund.status < 500, refund.body

    cold_starts = emitted(operator, "?name=ColdStart")
    functions = [figure["function"] for figure in cold_starts]
    assert {"ApiFunction", "RefundsFunction"} <= set(functions) and len(functions) == len(set(functions))
    for figure in cold_starts:
        assert figure["dimensions"] == {"function_name": figure["function"], "service": SERVICE}


def test_the_emf_documents_still_go_to_stdout(operator: HttpClient, capsys):
    capsys.readouterr()

    assert operator.post("/_local/jobs/reconciliation").json()["ok"]

    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert any("ReconciliationDifferences" in document for document in documents)


def test_a_function_s_flush_carries_only_its_own_metrics_and_dimensions(local_stack: LocalStack):
    # powertools keeps one metric set per process, shared by every Metrics(); the stack keeps one per function, so
    # one function's flush never carries what another, running at the same time, has added but not flushed.
    from aws_lambda_powertools import Metrics

    from infra.local.metrics import working_for

    metrics = Metrics()
    with working_for("ProbeFunctionA"):
        metrics.add_metric(name="ProbeA", unit="Count", value=1)
        with working_for("ProbeFunctionB"):
            metrics.add_dimension(name="probe", value="b")
            metrics.add_metric(name="ProbeB", unit="Count", value=2)
            metrics.flush_metrics()
        metrics.flush_metrics()

    figures = [figure for figure in local_stack.metrics.values() if figure["name"] in ("ProbeA", "ProbeB")]
    assert [(f["function"], f["name"], f["value"], f["dimensions"]) for f in figures] == [
        ("ProbeFunctionB", "ProbeB", 2, {"probe": "b", "service": SERVICE}),
        ("ProbeFunctionA", "ProbeA", 1, {"service": SERVICE}),
    ]

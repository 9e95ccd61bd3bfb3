"""The local stack of the real template, over HTTP, as a newcomer uses it after `make run`."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from email.message import EmailMessage

import boto3
import pytest

from infra.local.stack import LocalStack
from shared.services.notice_senders import ACCOUNT_HEADER, NOTICE_TYPE_HEADER
from tests.support import HttpClient


def test_health_answers_once_the_stack_is_ready(api: HttpClient):
    answer = api.get("/_local/health")

    assert answer.status == 200
    assert answer.json()["status"] == "ok"


def test_catalog_quote_and_documents_are_served_on_the_local_port(api: HttpClient):
    assert api.get("/v1/catalog").status == 200
    quote = api.get("/v1/quote?billing_tag=enhanced_authority_wechat&calls=300000")
    assert quote.status == 200 and quote.json()["total"] == "280000.00"
    document = api.get("/v1/openapi.json")
    assert document.status == 200 and "/v1/quote" in document.json()["paths"]
    docs = api.get("/v1/docs")
    assert docs.status == 200 and docs.headers["Content-Type"].startswith("text/html")


def test_an_unknown_route_is_a_404_in_the_error_shape(api: HttpClient):
    answer = api.get("/v1/no-such-thing")

    assert answer.status == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_the_tables_and_topic_of_the_template_exist_in_the_emulator(local_stack: LocalStack):
    dynamodb = local_stack.aws.client("dynamodb")
    tables = set(dynamodb.list_tables()["TableNames"])

    assert {"AccountsTable", "PacksTable", "CallsTable", "UsageTable", "LedgerTable", "BillsTable"} <= tables
    calls = dynamodb.describe_table(TableName="CallsTable")["Table"]
    assert calls["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert dynamodb.describe_time_to_live(TableName="CallsTable")["TimeToLiveDescription"]["AttributeName"] == (
        "expires_at"
    )
    indexes = {index["IndexName"] for index in dynamodb.describe_table(TableName="AccountsTable")["Table"][
        "GlobalSecondaryIndexes"]}
    assert indexes == {"ByStatus", "ByCreation", "ByDeadline", "DailyReportSubscribers"}
    topics = local_stack.aws.client("sns").list_topics()["Topics"]
    assert any(topic["TopicArn"].endswith(":DomainEventsTopic") for topic in topics)


def test_functions_get_the_template_environment_with_physical_names(local_stack: LocalStack):
    import os

    assert os.environ["ACCOUNTS_TABLE"] == "AccountsTable"
    assert os.environ["DOMAIN_EVENTS_TOPIC_ARN"].startswith("arn:aws:sns:us-east-1:123456789012:")
    assert os.environ["BILLING_TIME_ZONE"] == "Asia/Shanghai"


def test_the_clock_only_moves_forward(api: HttpClient):
    now = datetime.fromisoformat(api.get("/_local/clock").json()["now"])

    answer = api.post("/_local/clock", {"now": (now - timedelta(hours=1)).isoformat()})

    assert answer.status == 409
    assert answer.json()["error"]["code"] == "CLOCK_BACKWARDS"


def test_advancing_the_clock_by_an_iso_duration_moves_every_function_s_now(local_stack: LocalStack, api: HttpClient):
    from shared import clock

    before = datetime.fromisoformat(api.get("/_local/clock").json()["now"])

    answer = api.post("/_local/clock", {"advance": "PT25H"})

    assert answer.status == 200
    after = datetime.fromisoformat(answer.json()["now"])
    assert timedelta(hours=25) <= after - before < timedelta(hours=25, seconds=5)
    assert answer.json()["now"].endswith("+08:00")
    assert abs(clock.now() - after) < timedelta(seconds=5)


def test_a_malformed_clock_request_is_a_validation_error(api: HttpClient):
    for body in ({}, {"now": "yesterday"}, {"advance": "P1M"}, {"now": "2030-01-01T00:00:00"},
                 {"advance": "PT1H", "fire": "yes"}, {"now": "2030-01-01T00:00:00Z", "advance": "PT1H"}):
        answer = api.post("/_local/clock", body)
        assert answer.status == 400, body
        assert answer.json()["error"]["code"] == "VALIDATION_ERROR"


def test_an_unknown_job_is_404(api: HttpClient):
    answer = api.post("/_local/jobs/no-such-job")

    assert answer.status == 404


def test_the_outbox_shows_sms_and_customer_email_but_not_internal_domain_events(local_stack: LocalStack,
                                                                              api: HttpClient):
    sns = boto3.client("sns", endpoint_url=local_stack.aws.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    attributes = {"account_id": {"DataType": "String", "StringValue": "acme"},
                  "notice_type": {"DataType": "String", "StringValue": "arrears"}}
    sns.publish(PhoneNumber="+8613800000000", Message="您的账户已欠费", MessageAttributes=attributes)
    ses = boto3.client("ses", endpoint_url=local_stack.aws.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    email = EmailMessage()
    email["To"], email["Subject"] = "billing@acme.example", "Arrears"
    email[ACCOUNT_HEADER], email[NOTICE_TYPE_HEADER] = "acme", "arrears"
    email.set_payload("Your account is in arrears", charset="utf-8")
    ses.send_raw_email(Source=f"notices@{local_stack.physical.refs['NoticeSenderIdentity']}",
                       Destinations=["billing@acme.example"], RawMessage={"Data": email.as_bytes()})
    sns.publish(TopicArn=local_stack.physical.refs["DomainEventsTopic"], Message="{}")

    messages = api.get("/_local/outbox").json()["messages"]

    assert [(m["channel"], m["account_id"], m["type"], m["text"]) for m in messages[-2:]] == [
        ("sms", "acme", "arrears", "您的账户已欠费"),
        ("email", "acme", "arrears", "Your account is in arrears"),
    ]
    assert all(m["text"] != "{}" for m in messages)


def test_the_emulator_counts_requests_that_can_give_a_poller_work(local_stack: LocalStack):
    dynamodb, sqs = local_stack.aws.client("dynamodb"), local_stack.aws.client("sqs")
    queue_url = sqs.create_queue(QueueName="write-count-probe")["QueueUrl"]

    before = local_stack.aws.writes
    dynamodb.get_item(TableName="AccountsTable", Key={"account_id": {"S": "nobody"}})
    sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
    assert local_stack.aws.writes == before

    sqs.send_message(QueueUrl=queue_url, MessageBody="work")
    assert local_stack.aws.writes == before + 1
    message = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)["Messages"][0]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert local_stack.aws.writes == before + 1
    dynamodb.update_item(TableName="AccountsTable", Key={"account_id": {"S": "write-count-probe"}},
                         UpdateExpression="SET probe = :one", ExpressionAttributeValues={":one": {"N": "1"}})
    dynamodb.delete_item(TableName="AccountsTable", Key={"account_id": {"S": "write-count-probe"}})
    assert local_stack.aws.writes == before + 3


# Methods as the template's routes decide: 405 with Allow on a path some route has, 404 on any other (the HTTP
# server used to answer 501 for every method it had no do_<METHOD> for).
@pytest.mark.parametrize(("method", "path", "allow"), [
    ("TRACE", "/v1/accounts", "GET, POST"),
    ("FROBNICATE", "/v1/catalog", "GET"),
    ("PROPFIND", "/v1/calls", "POST"),
    ("CONNECT", "/v1/quote", "GET"),
    ("DELETE", "/v1/accounts/acme", "GET, PATCH"),
    ("PUT", "/v1/accounts/acme/packs", "GET, POST"),
    ("OPTIONS", "/v1/accounts/acme/calls/c1", "GET"),
    ("get", "/v1/catalog", "GET"),  # methods are case-sensitive
])
def test_a_method_no_route_of_a_known_path_has_is_a_405_naming_the_template_s_methods(api: HttpClient, method: str,
                                                                                         path: str, allow: str):
    answer = api.request(method, path)  # no key: the gateway refuses it before any authorizer runs

    assert answer.status == 405
    assert answer.headers["Allow"] == allow
    assert answer.json() == {"error": {"code": "METHOD_NOT_ALLOWED",
                                       "message": f"{path} answers {allow}, not {method}.", "details": []}}


def test_head_is_not_a_get_for_the_api_as_for_api_gateway_rest_apis(api: HttpClient):
    answer = api.request("HEAD", "/v1/catalog")

    assert (answer.status, answer.headers["Allow"], answer.body) == (405, "GET", b"")


@pytest.mark.parametrize("method", ["TRACE", "FROBNICATE", "DELETE", "GET"])
def test_any_method_on_a_path_no_route_has_stays_a_404(api: HttpClient, method: str):
    answer = api.request(method, "/v1/no-such-thing")

    assert answer.status == 404 and "Allow" not in answer.headers
    assert answer.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("TRACE", "/_local/clock", "GET, POST"),
    ("PROPFIND", "/_local/health", "GET"),
    ("DELETE", "/_local/metrics", "GET"),
    ("GET", "/_local/jobs/reconciliation", "POST"),
    ("TRACE", "/console/", "GET, HEAD"),
    ("FROBNICATE", "/console/app.js", "GET, HEAD"),
])
def test_the_stack_s_own_paths_answer_an_odd_method_with_405_too(api: HttpClient, method: str, path: str, allow: str):
    answer = api.request(method, path)

    assert answer.status == 405
    assert answer.headers["Allow"] == allow
    assert answer.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_odd_method_on_a_local_path_that_does_not_exist_is_a_404(api: HttpClient):
    answer = api.request("TRACE", "/_local/no-such-thing")

    assert answer.status == 404 and "Allow" not in answer.headers
    assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_a_content_length_that_is_not_a_number_is_a_400_not_a_dropped_connection(local_stack: LocalStack):
    host, port = local_stack.base_url.removeprefix("http://").split(":")
    for length in (b"-1", b"ten"):
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(b"POST /v1/calls HTTP/1.1\r\nHost: local\r\nContent-Length: " + length + b"\r\n\r\n")
            status_line = connection.makefile("rb").readline()

        assert status_line.startswith(b"HTTP/1.1 400 "), length

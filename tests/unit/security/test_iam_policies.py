"""Each function's policy in template.yaml names only the tables, queues, topics and sender identity its code
uses, never `*`.

How "uses" is derived, statically: a function's code is its handler module and every project module that
imports, directly or not (imports inside functions too); every table, topic, queue and sender it can touch is
read through one of shared/config.py's resource settings (`settings().calls_table`, ...), whose environment
variable template.yaml's Globals point at one resource. So the resources a function can reach are the resource
settings its modules read, plus phone numbers if they build the SMS client. A test below checks that premise:
no module names a resource's environment variable itself.

Reach is what the code *can* touch, so it may include a repository that is built but never called; such a pair
is listed in REACHED_BUT_NEVER_CALLED with why, and tests/e2e/test_security_flows.py checks, on the calls the
functions really make, that none is ever used, that every call is allowed by the policy, and that write access
is granted only where the code writes.
"""

from __future__ import annotations

import pytest

from tests import iam

# (function, resource) -> why the function's code can reach the resource but never calls it.
REACHED_BUT_NEVER_CALLED = {
    ("RefundsFunction", "ApiKeysTable"): "refunds use the accounts service's AccountStores, whose api_keys "
                                         "repository only key creation calls",
    ("PackLifecycleFunction", "ApiKeysTable"): "renewals buy packs with the accounts service's AccountStores, "
                                               "whose api_keys repository only key creation calls",
}


@pytest.mark.parametrize("function_id", iam.function_ids())
def test_every_grant_names_one_resource_of_the_template(function_id):
    grants = iam.function_grants(function_id)  # raises PolicyError on `*`, managed policies, foreign ARNs

    assert grants, f"{function_id} has an empty policy"
    for grant in grants:
        assert grant.resource == iam.PHONE_NUMBERS or grant.resource in iam.stack_template().resources


@pytest.mark.parametrize("function_id", iam.function_ids())
def test_each_function_is_granted_exactly_what_its_code_reaches(function_id):
    granted = {grant.resource for grant in iam.function_grants(function_id)}
    never_called = {resource for (function, resource) in REACHED_BUT_NEVER_CALLED if function == function_id}
    reached = iam.code_reach(function_id)

    assert granted - reached == set(), f"{function_id} is granted resources its code never reaches"
    assert reached - never_called - granted == set(), f"{function_id}'s code uses resources it is not granted"
    assert never_called <= reached, f"stale REACHED_BUT_NEVER_CALLED entry for {function_id}"
    assert never_called.isdisjoint(granted), f"{function_id} is granted what it never calls"


@pytest.mark.parametrize("function_id", iam.function_ids())
def test_code_names_resources_only_through_the_settings(function_id):
    assert iam.resource_names_outside_settings(function_id) == []


def test_one_grant_per_resource_and_function():
    for function_id in iam.function_ids():
        resources = [grant.resource for grant in iam.function_grants(function_id)]
        assert len(resources) == len(set(resources)), f"{function_id} grants a resource twice"


def test_the_reach_scan_sees_what_each_kind_of_function_touches():
    """Anchors for the scan itself: if the import walk or the settings scan broke, these would not hold."""
    assert iam.code_reach("AuthorizerFunction") == {"ApiKeysTable"}
    assert iam.code_reach("SettlementDispatcherFunction") == {"UsageTable", "SettlementQueue", "BooksTable"}
    assert {"NoticeSenderIdentity", iam.PHONE_NUMBERS, "MessagesTable"} <= iam.code_reach("NotifierFunction")
    assert iam.PHONE_NUMBERS not in iam.code_reach("ApiFunction")
    assert "functions.api.accounts" in iam.handler_modules("ApiFunction")  # imported by the handler module


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
    {"Effect": "Allow", "Action": "dynamodb:*", "Resource": {"Fn::GetAtt": ["CallsTable", "Arn"]}},
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::Sub": "arn:${AWS::Partition}:sqs:*:*:*"}},
    {"Effect": "Allow", "Action": "dynamodb:GetItem",
     "Resource": {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}},
    {"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": {"Fn::Sub": iam.SMS_STATEMENT_NOT_RESOURCE}},
])
def test_wide_statements_are_refused(statement):
    with pytest.raises(iam.PolicyError):
        iam.statement_grant("SomeFunction", statement)


def test_the_sms_exception_allows_phone_numbers_and_no_topic():
    sms = {"Effect": "Allow", "Action": "sns:Publish", "NotResource": "arn:aws:sns:*:*:*"}

    assert iam.allows(sms, "sns:Publish", "*")
    assert not iam.allows(sms, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:any-topic")
    assert not iam.allows(sms, "sns:Subscribe", "*")

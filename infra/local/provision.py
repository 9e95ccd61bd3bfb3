"""Create the template's tables, topics, queues, subscriptions, e-mail identities and schedules on the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from infra.local.intrinsics import PhysicalResources
from infra.local.template import ScheduleSpec, StackTemplate, TemplateError

ClientFactory = Callable[[str], Any]

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode")


def _table_request(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": name}
    for key in _TABLE_KEYS:
        if key in properties:
            request[key] = properties[key]
    on_demand = properties.get("BillingMode") == "PAY_PER_REQUEST"
    if not on_demand:
        request["ProvisionedThroughput"] = properties.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if properties.get(index_kind):
            indexes = [dict(index) for index in properties[index_kind]]
            if on_demand:
                for index in indexes:
                    index.pop("ProvisionedThroughput", None)
            request[index_kind] = indexes
    stream = properties.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return request


def create_tables(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    dynamodb = client("dynamodb")
    for logical_id, raw in template.resources_of_type("AWS::DynamoDB::Table").items():
        properties = physical.resolve(raw)
        name = properties.get("TableName", logical_id)
        description = dynamodb.create_table(**_table_request(name, properties))["TableDescription"]
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        physical.refs[logical_id] = name
        physical.attributes[(logical_id, "Arn")] = description["TableArn"]
        if "LatestStreamArn" in description:
            physical.attributes[(logical_id, "StreamArn")] = description["LatestStreamArn"]


def create_topics(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    sns = client("sns")
    for logical_id, raw in template.resources_of_type("AWS::SNS::Topic").items():
        # Only what the emulator needs: an inline Subscription (the ops topic's e-mail) is AWS's to confirm.
        properties = physical.resolve({key: raw[key] for key in ("TopicName", "FifoTopic") if key in raw})
        name = properties.get("TopicName", logical_id)
        attributes = {"FifoTopic": "true"} if properties.get("FifoTopic") else {}
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        physical.refs[logical_id] = arn
        physical.attributes[(logical_id, "TopicArn")] = arn
        physical.attributes[(logical_id, "TopicName")] = name


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


def create_queues(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    sqs = client("sqs")
    queues = template.resources_of_type("AWS::SQS::Queue")
    for logical_id, raw in queues.items():
        properties = {k: v for k, v in raw.items() if k != "RedrivePolicy"}
        properties = physical.resolve(properties)
        name = properties.get("QueueName", logical_id)
        attributes = {key: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
                      for key in _QUEUE_ATTRIBUTES if key in properties}
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        physical.refs[logical_id] = url
        physical.attributes.update({(logical_id, "Arn"): arn, (logical_id, "QueueName"): name,
                                    (logical_id, "QueueUrl"): url})
    # Dead-letter queues are referenced by ARN, so redrive is set once every queue exists.
    for logical_id, raw in queues.items():
        if "RedrivePolicy" in raw:
            policy = physical.resolve(raw["RedrivePolicy"])
            sqs.set_queue_attributes(
                QueueUrl=physical.refs[logical_id], Attributes={"RedrivePolicy": json.dumps(policy)}
            )


def create_subscriptions(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    sns = client("sns")
    for raw in template.resources_of_type("AWS::SNS::Subscription").values():
        properties = physical.resolve(raw)
        attributes = {}
        if properties.get("RawMessageDelivery") is not None:
            attributes["RawMessageDelivery"] = str(properties["RawMessageDelivery"]).lower()
        if properties.get("FilterPolicy") is not None:
            attributes["FilterPolicy"] = json.dumps(properties["FilterPolicy"])
        endpoint = properties["Endpoint"]
        if properties["Protocol"] == "sqs" and endpoint.startswith("http"):
            raise TemplateError("an SQS subscription's Endpoint must be the queue ARN (Fn::GetAtt Queue.Arn)")
        sns.subscribe(
            TopicArn=properties["TopicArn"], Protocol=properties["Protocol"], Endpoint=endpoint, Attributes=attributes
        )


def create_email_identities(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    """SES identities (a domain, or one address), verified at once as the emulator does."""
    ses = client("ses")
    for logical_id, raw in template.resources_of_type("AWS::SES::EmailIdentity").items():
        identity = physical.resolve(raw)["EmailIdentity"]
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        physical.refs[logical_id] = identity


def register_functions(template: StackTemplate, physical: PhysicalResources) -> None:
    for logical_id in template.resources_of_type("AWS::Serverless::Function"):
        arn = f"arn:aws:lambda:{physical.region}:{physical.account_id}:function:{logical_id}"
        physical.refs[logical_id] = logical_id
        physical.attributes[(logical_id, "Arn")] = arn
    for logical_id in template.resources_of_type("AWS::Serverless::Api"):
        physical.refs[logical_id] = "local"
        physical.attributes[(logical_id, "RootResourceId")] = "root"


def create_keys(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> None:
    """The template's KMS keys, on the emulator's KMS (Ref is the key id, as in AWS)."""
    kms = client("kms")
    for logical_id, raw in template.resources_of_type("AWS::KMS::Key").items():
        properties = physical.resolve(raw)
        metadata = kms.create_key(Description=str(properties.get("Description", logical_id)))["KeyMetadata"]
        physical.refs[logical_id] = metadata["KeyId"]
        physical.attributes[(logical_id, "Arn")] = metadata["Arn"]
        physical.attributes[(logical_id, "KeyId")] = metadata["KeyId"]


def create_schedules(client: ClientFactory, schedules: list[ScheduleSpec], physical: PhysicalResources) -> None:
    """Store the schedules in the emulator's EventBridge Scheduler, as deployed (moto never fires them)."""
    scheduler = client("scheduler")
    for schedule in schedules:
        scheduler.create_schedule(
            Name=schedule.job,
            ScheduleExpression=schedule.expression,
            ScheduleExpressionTimezone=schedule.timezone,
            FlexibleTimeWindow={"Mode": "OFF"},
            State="ENABLED" if schedule.enabled else "DISABLED",
            Target={
                "Arn": physical.attributes[(schedule.function_id, "Arn")],
                "RoleArn": f"arn:aws:iam::{physical.account_id}:role/local-scheduler",
                "Input": json.dumps(schedule.payload),
            },
        )


def provision(client: ClientFactory, template: StackTemplate, physical: PhysicalResources) -> list[ScheduleSpec]:
    """Create every resource of the template; answer its schedules (stored, never fired, by moto)."""
    register_functions(template, physical)
    create_keys(client, template, physical)
    create_tables(client, template, physical)
    create_topics(client, template, physical)
    create_queues(client, template, physical)
    create_subscriptions(client, template, physical)
    create_email_identities(client, template, physical)
    schedules = template.schedules(physical.resolve)
    create_schedules(client, schedules, physical)
    return schedules


def function_environment(template: StackTemplate, physical: PhysicalResources) -> dict[str, str]:
    """The environment variables the template gives its functions, resolved; one value per name."""
    environment: dict[str, str] = {}
    owners: dict[str, str] = {}
    for spec in template.functions().values():
        for name, raw in spec.environment.items():
            value = str(physical.resolve(raw))
            if name in environment and environment[name] != value:
                raise TemplateError(f"{spec.logical_id} sets {name}={value!r} but {owners[name]} sets "
                                    f"{environment[name]!r}; functions share one process locally")
            environment[name] = value
            owners[name] = spec.logical_id
    return environment

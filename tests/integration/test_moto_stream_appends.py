"""Concurrent writes to a table with a stream get distinct, increasing sequence numbers (as in DynamoDB)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from moto import mock_aws


def test_records_written_from_many_threads_have_distinct_sequence_numbers(monkeypatch):
    from moto.dynamodb.models.table import StreamRecord

    build_record = StreamRecord.__init__

    def slow_to_build(self, *args, **kwargs):
        time.sleep(0.001)  # widens moto's window between numbering a record and appending it
        build_record(self, *args, **kwargs)

    monkeypatch.setattr(StreamRecord, "__init__", slow_to_build)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        table = dynamodb.create_table(
            TableName="Probe", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )["TableDescription"]
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(lambda n: dynamodb.put_item(TableName="Probe", Item={"pk": {"S": str(n)}}), range(200)))

        streams = boto3.client("dynamodbstreams", region_name="us-east-1",  # mock_aws serves no account endpoint
                               config=Config(account_id_endpoint_mode="disabled"))
        shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        numbers = [int(record["dynamodb"]["SequenceNumber"])
                   for record in streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]]

    assert len(numbers) == 200
    assert numbers == sorted(set(numbers))

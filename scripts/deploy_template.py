"""The merge template for `chalice package`: the table and its stream, the event bus, least-privilege
roles, gateway errors.

    python -m scripts.deploy_template --stage prod > build/merge-prod.json

The table is read off the PynamoDB models (`TableItem`), the same definition that
`create_table()` uses for DynamoDB Local and the tests, so the deployed table cannot
drift from the code. Each function's role may do exactly the DynamoDB actions its
code uses, on this table and its indexes only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from chalicelib.domain.events import EVENT_KINDS
from chalicelib.models.base import TableItem

TABLE = "StaysTable"
_TABLE_ARN = {"Fn::GetAtt": [TABLE, "Arn"]}
_INDEX_ARN = {"Fn::Sub": "${StaysTable.Arn}/index/*"}
# What the request handlers do: reads (GetItem, BatchGetItem, Query on the table and its
# indexes), conditional writes, and transactions, whose items IAM checks one by one.
API_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
]
# What the timer job does: Query the timer index, then save bookings, delete their locks
# and move counters, in transactions.
TIMER_ACTIONS = ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
# Tracer's segments, where the stage traces (`"xray": true` in .chalice/config.json). X-Ray
# has no resource-level permissions, hence "*". Metrics go out as EMF in the logs: no grant.
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"


def traced(stage: str) -> bool:
    """Whether the stage turns X-Ray on (Chalice then makes its functions' tracing Active)."""
    return bool(json.loads(CONFIG.read_text())["stages"][stage].get("xray", False))


# The stream function: a provider's webhooks (Query), the stay of a review (GetItem), and
# the delivery items it schedules (PutItem).
EVENTS_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]
# The sender: due deliveries and their chains (Query), the webhook (GetItem), each attempt (PutItem).
DELIVERY_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]
BUS = "EventBus"
STREAM_DLQ = "StreamDeadLetters"
# Retries of a failing stream record before it goes to the dead-letter queue; the record's
# successors wait meanwhile (a shard is read in order), so this bounds how long.
STREAM_MAX_RETRIES = 10
# The name `chalice package` gives the stream function's event source.
STREAM_EVENT = "BookingEventsDynamodbEventSource"


def _key_schema(keys: list[Any]) -> list[Any]:
    # CloudFormation wants the partition key first.
    return sorted(keys, key=lambda k: k["KeyType"] != "HASH")


def table_properties(stage: str) -> dict[str, Any]:
    """`AWS::DynamoDB::Table` properties from the models' schema."""
    schema = TableItem._get_schema()
    ttl = TableItem._ttl_attribute()
    if ttl is None:
        raise RuntimeError("the table model declares no TTL attribute")
    return {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": sorted(schema["attribute_definitions"], key=lambda a: a["AttributeName"]),
        "KeySchema": _key_schema(schema["key_schema"]),
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index["index_name"],
                "KeySchema": _key_schema(index["key_schema"]),
                "Projection": index["projection"],
            }
            for index in schema["global_secondary_indexes"]
        ],
        "TimeToLiveSpecification": {"AttributeName": ttl.attr_name, "Enabled": True},
        "StreamSpecification": {"StreamViewType": TableItem.Meta.stream_view_type},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": stage == "prod",
        "SSESpecification": {"SSEEnabled": True},
    }


def _policy(name: str, dynamodb_actions: list[str], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    statements = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"},
        },
        {"Effect": "Allow", "Action": dynamodb_actions, "Resource": [_TABLE_ARN, _INDEX_ARN]},
        *extra,
    ]
    return [{"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]


def gateway_problem(status: int, code: str, detail: str) -> dict[str, Any]:
    """The problem document API Gateway answers with itself (`scripts/local_server.py` too)."""
    return {
        "type": f"urn:problem:stays:{code.lower().replace('_', '-')}",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
    }


def _problem(status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "StatusCode": str(status),
        "ResponseParameters": {
            "gatewayresponse.header.Content-Type": "'application/problem+json'",
            # As every answer of the app: the id to quote when asking about this request.
            "gatewayresponse.header.X-Request-Id": "context.requestId",
        },
        "ResponseTemplates": {"application/json": json.dumps(gateway_problem(status, code, detail))},
    }


def _gateway_response(response_type: str, status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": response_type,
            **_problem(status, code, detail),
        },
    }


def _stream_source() -> dict[str, Any]:
    """The stream function's event source: the table's own stream, partial batch responses,
    a poison batch halved until the bad record is alone, then sent to the dead-letter queue.
    Only changes of items whose changes are events invoke it."""
    kinds = [{"dynamodb": {"NewImage": {"kind": {"S": [kind]}}}} for kind in EVENT_KINDS]
    return {
        "Properties": {
            "Stream": {"Fn::GetAtt": [TABLE, "StreamArn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": STREAM_MAX_RETRIES,
            "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [STREAM_DLQ, "Arn"]}}},
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)} for pattern in kinds]},
        }
    }


def _event_resources(stage: str) -> dict[str, Any]:
    stream_arn = {"Fn::GetAtt": [TABLE, "StreamArn"]}
    events_extra = [
        {"Effect": "Allow", "Action": STREAM_READ_ACTIONS, "Resource": stream_arn},
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Fn::GetAtt": [BUS, "Arn"]}},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": [STREAM_DLQ, "Arn"]}},
    ]
    environment = {"Variables": {"TABLE_NAME": {"Ref": TABLE}, "EVENT_BUS_NAME": {"Ref": BUS}}}
    return {
        BUS: {"Type": "AWS::Events::EventBus", "Properties": {"Name": f"stays-api-{stage}"}},
        STREAM_DLQ: {
            "Type": "AWS::SQS::Queue",
            "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True},
        },
        "BookingEventsRole": {"Properties": {"Policies": _policy("StaysEvents", EVENTS_ACTIONS, events_extra)}},
        "WebhookDeliveriesRole": {"Properties": {"Policies": _policy("StaysDeliveries", DELIVERY_ACTIONS, [])}},
        "BookingEvents": {"Properties": {"Environment": environment, "Events": {STREAM_EVENT: _stream_source()}}},
        "WebhookDeliveries": {"Properties": {"Environment": {"Variables": {"TABLE_NAME": {"Ref": TABLE}}}}},
    }


def merge_template(stage: str) -> dict[str, Any]:
    secret_parameter = f"/stays-api/{stage}/jwt-secret"
    read_secret = {
        "Effect": "Allow",
        "Action": "ssm:GetParameter",
        "Resource": {
            "Fn::Sub": f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{secret_parameter}"
        },
    }
    table_env = {"Environment": {"Variables": {"TABLE_NAME": {"Ref": TABLE}}}}
    tracing = [{"Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"}] if traced(stage) else []
    retain = "Retain" if stage == "prod" else "Delete"
    return {
        "Resources": {
            TABLE: {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": retain,
                "UpdateReplacePolicy": retain,
                "Properties": table_properties(stage),
            },
            "ApiHandlerRole": {"Properties": {"Policies": _policy("StaysApi", API_ACTIONS, [read_secret, *tracing])}},
            "BookingTimersRole": {"Properties": {"Policies": _policy("StaysTimers", TIMER_ACTIONS, tracing)}},
            "APIHandler": {"Properties": table_env},
            "BookingTimers": {"Properties": table_env},
            # API Gateway's own answers, as problem documents like the app's.
            "UnknownRouteResponse": _gateway_response(
                "MISSING_AUTHENTICATION_TOKEN", 404, "NOT_FOUND", "No such route."
            ),
            "ThrottledResponse": _gateway_response("THROTTLED", 429, "RATE_LIMITED", "Too many requests."),
            "TimeoutResponse": _gateway_response("INTEGRATION_TIMEOUT", 504, "SERVICE_UNAVAILABLE", "Timed out."),
            **_event_resources(stage),
        },
        "Outputs": {
            "TableName": {"Value": {"Ref": TABLE}},
            "JwtSecretParameter": {"Value": secret_parameter},
            "EventBusName": {"Value": {"Ref": BUS}},
            "StreamDeadLetterQueue": {"Value": {"Ref": STREAM_DLQ}},
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.deploy_template")
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    args = parser.parse_args()
    json.dump(merge_template(args.stage), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

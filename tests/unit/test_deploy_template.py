"""The deployment template: the table as the models define it, least-privilege roles."""

import json

import pytest

from chalicelib.models.base import TableItem
from scripts.deploy_template import (
    API_ACTIONS,
    BUS,
    CONFIG,
    DELIVERY_ACTIONS,
    EVENTS_ACTIONS,
    STREAM_DLQ,
    STREAM_EVENT,
    TABLE,
    XRAY_ACTIONS,
    merge_template,
    traced,
)


@pytest.fixture(params=["dev", "prod"])
def template(request: pytest.FixtureRequest) -> dict:
    return merge_template(request.param)


def test_the_table_has_the_models_keys_indexes_and_ttl(template: dict) -> None:
    table = template["Resources"][TABLE]["Properties"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    for name, index in TableItem._indexes.items():
        declared = indexes[index.Meta.index_name]
        hash_key = next(a for a in index.Meta.attributes.values() if a.is_hash_key)
        range_key = next(a for a in index.Meta.attributes.values() if a.is_range_key)
        assert declared["KeySchema"] == [
            {"AttributeName": hash_key.attr_name, "KeyType": "HASH"},
            {"AttributeName": range_key.attr_name, "KeyType": "RANGE"},
        ], name
        projection = index.Meta.projection
        expected = {"ProjectionType": projection.projection_type}
        if projection.non_key_attributes:
            expected["NonKeyAttributes"] = projection.non_key_attributes
        assert declared["Projection"] == expected, name
    assert len(indexes) == len(TableItem._indexes)
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_only_prod_keeps_its_table_on_delete() -> None:
    prod, dev = merge_template("prod")["Resources"][TABLE], merge_template("dev")["Resources"][TABLE]
    assert prod["Properties"]["DeletionProtectionEnabled"] is True and prod["DeletionPolicy"] == "Retain"
    assert dev["Properties"]["DeletionProtectionEnabled"] is False and dev["DeletionPolicy"] == "Delete"


def test_roles_may_do_only_what_the_code_does_on_this_table(template: dict) -> None:
    for role in ("ApiHandlerRole", "BookingTimersRole"):
        statements = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
        assert len(dynamodb) == 1
        actions = dynamodb[0]["Action"]
        assert "dynamodb:*" not in actions and "dynamodb:Scan" not in actions
        assert set(actions) <= set(API_ACTIONS)
        assert dynamodb[0]["Resource"] == [
            {"Fn::GetAtt": [TABLE, "Arn"]},
            {"Fn::Sub": "${StaysTable.Arn}/index/*"},
        ]
        # X-Ray alone has no resource-level permissions.
        assert all(s["Resource"] != "*" for s in statements if s["Action"] != XRAY_ACTIONS)


def _statements(template: dict, role: str) -> list[dict]:
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_xray_is_granted_only_where_the_stage_traces_and_metrics_need_only_logs() -> None:
    config = json.loads(CONFIG.read_text())["stages"]
    assert traced("prod") and not traced("dev")
    for stage in ("dev", "prod"):
        # The app's Tracer is switched on by the same stages that turn X-Ray on.
        assert config[stage]["environment_variables"]["TRACING_ENABLED"] == ("true" if traced(stage) else "false")
        assert config[stage]["environment_variables"]["METRICS_ENABLED"] == "true"
        template = merge_template(stage)
        for role in ("ApiHandlerRole", "BookingTimersRole"):
            actions = [
                a
                for s in _statements(template, role)
                for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            ]
            xray = [a for a in actions if a.startswith("xray:")]
            assert xray == (XRAY_ACTIONS if traced(stage) else [])
            assert not [a for a in actions if a.startswith(("cloudwatch:", "xray:*"))]


def test_functions_find_the_table_and_the_api_its_secret(template: dict) -> None:
    for function in ("APIHandler", "BookingTimers"):
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables == {"TABLE_NAME": {"Ref": TABLE}}
    api = template["Resources"]["ApiHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert any(s["Action"] == "ssm:GetParameter" for s in api)
    timers = template["Resources"]["BookingTimersRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert not any(s["Action"] == "ssm:GetParameter" for s in timers)


def test_api_gateways_own_answers_are_problems_with_a_request_id(template: dict) -> None:
    responses = [r for r in template["Resources"].values() if r.get("Type") == "AWS::ApiGateway::GatewayResponse"]
    assert responses
    for response in responses:
        parameters = response["Properties"]["ResponseParameters"]
        assert parameters["gatewayresponse.header.X-Request-Id"] == "context.requestId"
        assert parameters["gatewayresponse.header.Content-Type"] == "'application/problem+json'"


def test_every_get_route_declares_head_so_api_gateway_serves_it_as_make_run_does() -> None:
    from app import app

    methods = {path: set(entries) for path, entries in app.routes.items()}
    assert all("HEAD" in declared for declared in methods.values() if "GET" in declared)
    assert all("GET" in declared for declared in methods.values() if "HEAD" in declared)


def test_the_table_streams_both_images_to_the_event_function(template: dict) -> None:
    resources = template["Resources"]
    assert resources[TABLE]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    source = resources["BookingEvents"]["Properties"]["Events"][STREAM_EVENT]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": [TABLE, "StreamArn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and source["BisectBatchOnFunctionError"]
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [STREAM_DLQ, "Arn"]}
    assert resources[BUS]["Type"] == "AWS::Events::EventBus"


def test_the_event_and_delivery_roles_may_do_only_their_own_work(template: dict) -> None:
    resources = template["Resources"]
    for role, allowed in (("BookingEventsRole", EVENTS_ACTIONS), ("WebhookDeliveriesRole", DELIVERY_ACTIONS)):
        statements = resources[role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        table_actions = [
            s
            for s in statements
            if s["Resource"] == [{"Fn::GetAtt": [TABLE, "Arn"]}, {"Fn::Sub": "${StaysTable.Arn}/index/*"}]
        ]
        assert len(table_actions) == 1 and set(table_actions[0]["Action"]) == set(allowed)
        actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
        assert all(s["Resource"] != "*" for s in statements) and not any(a.endswith("*") for a in actions)
    events_role = resources["BookingEventsRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    by_action = {str(s["Action"]): s["Resource"] for s in events_role}
    assert by_action["events:PutEvents"] == {"Fn::GetAtt": [BUS, "Arn"]}
    assert by_action["sqs:SendMessage"] == {"Fn::GetAtt": [STREAM_DLQ, "Arn"]}

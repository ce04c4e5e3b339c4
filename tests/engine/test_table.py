"""The table on DynamoDB Local matches the one definition in the models."""

import pytest

from chalicelib.models.base import TableItem, create_table
from chalicelib.settings import get_settings


def test_create_table_is_idempotent_and_declares_indexes_and_ttl(dynamodb) -> None:
    assert create_table() is False
    table = dynamodb.describe_table(TableName=get_settings().table_name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {index.Meta.index_name for index in TableItem._indexes.values()}
    for index in TableItem._indexes.values():
        projection = indexes[index.Meta.index_name]["Projection"]
        assert projection["ProjectionType"] == index.Meta.projection.projection_type
        assert set(projection.get("NonKeyAttributes", [])) == set(index.Meta.projection.non_key_attributes or [])
    ttl = dynamodb.describe_time_to_live(TableName=get_settings().table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"


def test_the_deployed_table_matches_the_one_the_tests_create(dynamodb) -> None:
    """The template's table and DynamoDB Local's, compared key by key."""
    from scripts.deploy_template import table_properties

    declared = table_properties("prod")
    actual = dynamodb.describe_table(TableName=get_settings().table_name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=get_settings().table_name)["TimeToLiveDescription"]

    def by_name(items: list[dict], key: str) -> dict:
        return {item[key]: item for item in items}

    assert by_name(declared["AttributeDefinitions"], "AttributeName") == by_name(
        actual["AttributeDefinitions"], "AttributeName"
    )
    assert declared["KeySchema"] == actual["KeySchema"]
    actual_indexes = by_name(actual["GlobalSecondaryIndexes"], "IndexName")
    assert set(actual_indexes) == {i["IndexName"] for i in declared["GlobalSecondaryIndexes"]}
    for index in declared["GlobalSecondaryIndexes"]:
        assert index["KeySchema"] == actual_indexes[index["IndexName"]]["KeySchema"]
        assert index["Projection"] == actual_indexes[index["IndexName"]]["Projection"]
    assert declared["TimeToLiveSpecification"]["AttributeName"] == ttl["AttributeName"]


def test_a_table_made_by_an_older_version_is_refused_with_what_to_do(dynamodb, monkeypatch) -> None:
    connection = TableItem._get_connection()
    actual = connection.describe_table()
    older = {
        **actual,
        "GlobalSecondaryIndexes": [i for i in actual["GlobalSecondaryIndexes"] if i["IndexName"] != "gsi7"],
    }
    monkeypatch.setattr(connection, "describe_table", lambda: older)
    with pytest.raises(SystemExit, match="lacks the indexes gsi7"):
        create_table()

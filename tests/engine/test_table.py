"""The table on DynamoDB Local matches the one definition in the models."""

from chalicelib.models.base import TableItem, create_table
from chalicelib.settings import get_settings


def test_create_table_is_idempotent_and_declares_indexes_and_ttl(dynamodb) -> None:
    assert create_table() is False
    table = dynamodb.describe_table(TableName=get_settings().table_name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {index.Meta.index_name for index in TableItem._indexes.values()}
    assert all(i["Projection"]["ProjectionType"] == "ALL" for i in indexes.values())
    ttl = dynamodb.describe_time_to_live(TableName=get_settings().table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"

#!/usr/bin/python3
"""Issue 12, real clients: the pre-2014 DynamoDB parameters through boto3's low-level client.

PynamoDB (which the original esser used) and other older ORMs write `Expected` with
`ConditionalOperator`, `AttributeUpdates`, `KeyConditions`, `QueryFilter`, `ScanFilter` and
`AttributesToGet` (spec/dynamodb-api.md §4.7). Debian's boto3 still models them, so this test
sends them exactly as such a library does, checks the results, AWS's refusals (mixing with
expressions, a value missing for Exists) and the table status transitions a waiter sees when the
server runs with --table-status-delay (run_with_esser_local.sh passes ESSER_LOCAL_FLAGS).

Runs under run_with_esser_local.sh (ESSER_ENDPOINT). Any failure exits 1.
"""
import os
import sys
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ESSER_ENDPOINT"]
CFG = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10)
SESSION = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name="us-east-1")
ddb = SESSION.client("dynamodb", endpoint_url=ENDPOINT, config=CFG)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def error_of(call, **kw):
    try:
        call(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None, None


# --- a table, created and waited for as a legacy client does ------------------------------
d = ddb.create_table(
    TableName="legacy",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
check(d["TableDescription"]["TableStatus"] == "CREATING", "CreateTable says CREATING")
# --table-status-delay 300ms: the table is CREATING for a while, then the waiter sees ACTIVE.
check(ddb.describe_table(TableName="legacy")["Table"]["TableStatus"] == "CREATING",
      "DescribeTable says CREATING during the status delay")
code, _ = error_of(ddb.put_item, TableName="legacy",
                   Item={"pk": {"S": "early"}, "sk": {"N": "1"}})
check(code == "ResourceNotFoundException", "an item write to a CREATING table is refused")
ddb.get_waiter("table_exists").config.delay = 0.1
ddb.get_waiter("table_exists").wait(TableName="legacy",
                                    WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
check(ddb.describe_table(TableName="legacy")["Table"]["TableStatus"] == "ACTIVE",
      "the table becomes ACTIVE after the delay")

# --- Expected: Exists, Value, ComparisonOperator, ConditionalOperator ---------------------
ddb.put_item(TableName="legacy",
             Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "5"}, "s": {"S": "x"}},
             Expected={"pk": {"Exists": False}})
code, msg = error_of(ddb.put_item, TableName="legacy",
                     Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                     Expected={"pk": {"Exists": False}})
check(code == "ConditionalCheckFailedException",
      f"Expected Exists=false on an existing item fails ({code})")
ddb.put_item(TableName="legacy",
             Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "6"}, "s": {"S": "x"}},
             Expected={"n": {"Value": {"N": "5"}}})
code, _ = error_of(ddb.put_item, TableName="legacy",
                   Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                   Expected={"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "10"}]},
                             "s": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
                   ConditionalOperator="AND")
check(code == "ConditionalCheckFailedException", "Expected with AND: one false fails all")
ddb.put_item(TableName="legacy",
             Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "7"}, "s": {"S": "x"}},
             Expected={"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "10"}]},
                       "s": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
             ConditionalOperator="OR")
got = ddb.get_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                   ConsistentRead=True)["Item"]
check(got["n"] == {"N": "7"}, "Expected with OR: one true is enough")

code, msg = error_of(ddb.put_item, TableName="legacy",
                     Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                     Expected={"n": {"Exists": True}})
check(code == "ValidationException" and
      msg == "One or more parameter values were invalid: "
             "Value must be provided when Exists is true for Attribute: n",
      f"Exists=true without a Value is AWS's ValidationException ({msg})")
code, msg = error_of(ddb.put_item, TableName="legacy",
                     Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                     Expected={"pk": {"Exists": False}},
                     ConditionExpression="attribute_not_exists(pk)")
check(code == "ValidationException" and
      msg == "Can not use both expression and non-expression parameters in the same request: "
             "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
      f"mixing Expected with ConditionExpression is refused ({msg})")

# --- AttributeUpdates: PUT, ADD (number and set), DELETE -----------------------------------
r = ddb.update_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                    AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "3"}},
                                      "tags": {"Action": "ADD", "Value": {"SS": ["p", "q"]}},
                                      "s": {"Action": "DELETE"},
                                      "t": {"Action": "PUT", "Value": {"S": "new"}}},
                    Expected={"n": {"Value": {"N": "7"}}},
                    ReturnValues="ALL_NEW")
attrs = r["Attributes"]
check(attrs.get("n") == {"N": "10"}, f"ADD adds to a number ({attrs.get('n')})")
check(sorted(attrs.get("tags", {}).get("SS", [])) == ["p", "q"], "ADD builds a set")
check("s" not in attrs, "DELETE without a value removes the attribute")
check(attrs.get("t") == {"S": "new"}, "PUT sets the attribute")
r = ddb.update_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                    AttributeUpdates={"tags": {"Action": "DELETE", "Value": {"SS": ["p"]}}},
                    ReturnValues="UPDATED_NEW")
check(r["Attributes"] == {"tags": {"SS": ["q"]}}, "DELETE with a set removes its elements")
code, msg = error_of(ddb.update_item, TableName="legacy",
                     Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                     AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "1"}}},
                     UpdateExpression="SET m = :m",
                     ExpressionAttributeValues={":m": {"N": "1"}})
check(code == "ValidationException" and "AttributeUpdates" in (msg or ""),
      f"mixing AttributeUpdates with UpdateExpression is refused ({msg})")

# --- KeyConditions, QueryFilter, ScanFilter, AttributesToGet -------------------------------
for i in range(2, 7):
    ddb.put_item(TableName="legacy",
                 Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "n": {"N": str(i * 10)},
                       "kind": {"S": "even" if i % 2 == 0 else "odd"}})
ddb.put_item(TableName="legacy", Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": "1"}})

q = ddb.query(TableName="legacy",
              KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "a"}]},
                             "sk": {"ComparisonOperator": "BETWEEN",
                                    "AttributeValueList": [{"N": "2"}, {"N": "5"}]}},
              QueryFilter={"kind": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "even"}]}},
              AttributesToGet=["sk", "n"],
              ConsistentRead=True)
check([x["sk"]["N"] for x in q["Items"]] == ["2", "4"],
      f"KeyConditions BETWEEN + QueryFilter select 2 and 4 ({q['Items']})")
check(q["ScannedCount"] == 4 and q["Count"] == 2, "QueryFilter counts after the key range")
check(all(set(x) == {"sk", "n"} for x in q["Items"]), "AttributesToGet projects")
q = ddb.query(TableName="legacy",
              KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "a"}]},
                             "sk": {"ComparisonOperator": "GE",
                                    "AttributeValueList": [{"N": "3"}]}},
              QueryFilter={"kind": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "odd"}]},
                           "n": {"ComparisonOperator": "GT",
                                 "AttributeValueList": [{"N": "55"}]}},
              ConditionalOperator="OR", ScanIndexForward=False)
check([x["sk"]["N"] for x in q["Items"]] == ["6", "5", "3"],
      f"QueryFilter with OR, descending ({[x['sk']['N'] for x in q['Items']]})")
code, msg = error_of(ddb.query, TableName="legacy",
                     KeyConditionExpression="pk = :pk",
                     QueryFilter={"kind": {"ComparisonOperator": "EQ",
                                           "AttributeValueList": [{"S": "odd"}]}},
                     ExpressionAttributeValues={":pk": {"S": "a"}})
check(code == "ValidationException" and
      msg == "Can not use both expression and non-expression parameters in the same request: "
             "Non-expression parameters: {QueryFilter} "
             "Expression parameters: {KeyConditionExpression}",
      f"mixing QueryFilter with KeyConditionExpression is refused ({msg})")

s = ddb.scan(TableName="legacy",
             ScanFilter={"n": {"ComparisonOperator": "BETWEEN",
                               "AttributeValueList": [{"N": "1"}, {"N": "30"}]},
                         "kind": {"ComparisonOperator": "NOT_NULL"}},
             AttributesToGet=["pk", "sk"], ConsistentRead=True)
check(sorted((x["pk"]["S"], x["sk"]["N"]) for x in s["Items"]) == [("a", "2"), ("a", "3")],
      f"ScanFilter BETWEEN + NOT_NULL ({s['Items']})")
s = ddb.scan(TableName="legacy",
             ScanFilter={"kind": {"ComparisonOperator": "NULL"}}, ConsistentRead=True)
check(sorted((x["pk"]["S"], x["sk"]["N"]) for x in s["Items"]) == [("a", "1"), ("b", "1")],
      "ScanFilter NULL finds the items without the attribute")
g = ddb.get_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "3"}},
                 AttributesToGet=["kind"])
check(g["Item"] == {"kind": {"S": "odd"}}, "GetItem AttributesToGet")

# --- DeleteItem with Expected, then DeleteTable and its DELETING window -------------------
code, _ = error_of(ddb.delete_item, TableName="legacy", Key={"pk": {"S": "b"}, "sk": {"N": "1"}},
                   Expected={"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}})
check(code == "ConditionalCheckFailedException", "DeleteItem Expected NE fails on equal")
ddb.delete_item(TableName="legacy", Key={"pk": {"S": "b"}, "sk": {"N": "1"}},
                Expected={"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}})

d = ddb.delete_table(TableName="legacy")
check(d["TableDescription"]["TableStatus"] == "DELETING", "DeleteTable says DELETING")
check(ddb.describe_table(TableName="legacy")["Table"]["TableStatus"] == "DELETING",
      "the table stays DELETING for the status delay")
check("legacy" in ddb.list_tables()["TableNames"], "a DELETING table is still listed")
deadline = time.monotonic() + 10
ddb.get_waiter("table_not_exists").wait(TableName="legacy",
                                        WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
check(time.monotonic() < deadline, "the table is gone within the delay")
check("legacy" not in ddb.list_tables()["TableNames"], "a deleted table leaves the list")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("boto3 legacy parameters: all checks passed")

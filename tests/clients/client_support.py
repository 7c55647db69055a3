"""Shared by the Python client tests of SQS and the event source mappings (sqs_boto3_test.py,
sqs_failure_destination_test.py, esm_zip_boto3_test.py, esm_outcome.py): Debian's boto3
pointed at ESSER_ENDPOINT with dummy credentials and no retries, a table with a stream, and the
check helpers (each failed check is printed; finish() exits 1 if any failed)."""
import json
import os
import sys
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ESSER_ENDPOINT"]
CFG = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)
SESSION = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name="us-east-1")

failures = []


def client(service):
    return SESSION.client(service, endpoint_url=ENDPOINT, config=CFG)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def fail_now(what):
    print("FAIL:", what, file=sys.stderr)
    sys.exit(1)


def error_code(fn, **kw):
    """The AWS error code and HTTP status of a call expected to fail ((None, 200) if not)."""
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def create_stream_table(ddb, name):
    """Creates table `name` (string partition key "pk", on demand) with a NEW_IMAGE stream and
    returns the stream's ARN."""
    ddb.create_table(TableName=name,
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def drain():
    """POST /esser/v1/drain: runs every event source mapping until idle (also alongside the real
    clock's pollers, which it waits for) and returns its report."""
    req = urllib.request.Request(ENDPOINT + "/esser/v1/drain", data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def finish(name):
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: all checks passed")

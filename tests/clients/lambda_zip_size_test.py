#!/usr/bin/python3
"""Issue 13, big zip packages: AWS takes a direct-upload zip of up to 50 MB, sent base64 in the
JSON body, and refuses a CreateFunction or UpdateFunctionCode request of 69905067 bytes or more
with 413 RequestEntityTooLargeException; DynamoDB requests keep their 16 MiB limit.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT). The payloads are made here:
- raw CreateFunction and UpdateFunctionCode bodies of exactly 69905066 bytes reach the handler
  (they stop being JSON at their sixth byte, so the handler answers 400 at once: a valid body
  that size takes minutes to parse in the sanitized build), one byte more gets AWS's 413;
- boto3's UpdateFunctionCode with a 51 MiB zip (random bytes, stored) gets
  RequestEntityTooLargeException (413) with AWS's message, and the function keeps its code;
- DynamoDB: a body of exactly 16 MiB reaches the handler, one byte more is refused with 413
  (raw), and so is boto3's PutItem of a 16 MiB attribute.
Any failure exits 1.
"""
import io
import json
import os
import urllib.error
import urllib.request
import zipfile

from botocore.exceptions import ClientError

from client_support import ENDPOINT, check, client, finish

MiB = 1024 * 1024
LIMIT = 69905066  # the largest body AWS's "must be smaller than 69905067 bytes" allows
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
lam = client("lambda")
ddb = client("dynamodb")


def package(filler_bytes, answer):
    """A zip holding app.handler (returning `answer`) and `filler_bytes` random stored bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", f"def handler(event, context):\n    return {answer!r}\n",
                   compress_type=zipfile.ZIP_DEFLATED)
        if filler_bytes:
            z.writestr("filler.bin", os.urandom(filler_bytes), compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def invoke(name):
    return json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response
    return None


def raw(method, path, size, headers=None):
    """Sends a body of `size` bytes that stops being JSON at its sixth byte (a parser gives up
    there); returns the status, the x-amzn-ErrorType header and the body of the answer."""
    body = b'{"F":' + b"x" * (size - 5)
    req = urllib.request.Request(ENDPOINT + path, data=body, method=method,
                                 headers=headers or {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers.get("x-amzn-ErrorType"), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("x-amzn-ErrorType"), err.read()


def too_large(operation):
    return "Request must be smaller than 69905067 bytes for the " + operation + " operation"


lam.create_function(FunctionName="small", Runtime="python3.11", Handler="app.handler",
                    Role=ROLE, Code={"ZipFile": package(0, "from the small zip")})
check(invoke("small") == "from the small zip", "the small function runs")

# --- both sides of the limit, to the byte -----------------------------------------------------
for method, path, operation in [("POST", "/2015-03-31/functions", "CreateFunction"),
                                ("PUT", "/2015-03-31/functions/small/code", "UpdateFunctionCode")]:
    status, kind, _ = raw(method, path, LIMIT)
    check((status, kind) == (400, "InvalidRequestContentException"),
          f"{operation}: a body of 69905066 bytes reaches the handler (got {status} {kind})")
    status, kind, body = raw(method, path, LIMIT + 1)
    check((status, kind) == (413, "RequestEntityTooLargeException"),
          f"{operation}: a body of 69905067 bytes is refused (got {status} {kind})")
    check(json.loads(body or b"{}").get("message") == too_large(operation),
          f"{operation}: AWS's message (got {body[:200]!r})")

# --- a 51 MiB zip through boto3 ------------------------------------------------------------------
over = package(51 * MiB, "never")
e = error_of(lambda: lam.update_function_code(FunctionName="small", ZipFile=over))
check(e is not None and e["Error"]["Code"] == "RequestEntityTooLargeException" and
      e["ResponseMetadata"]["HTTPStatusCode"] == 413 and
      e["Error"]["Message"] == too_large("UpdateFunctionCode"),
      f"UpdateFunctionCode of a 51 MiB zip: RequestEntityTooLargeException 413 (got {e})")
check(invoke("small") == "from the small zip", "the refused update left the code as it was")

# --- DynamoDB keeps its 16 MiB -----------------------------------------------------------------
target = {"Content-Type": "application/x-amz-json-1.0",
          "X-Amz-Target": "DynamoDB_20120810.PutItem"}
status, _, _ = raw("POST", "/", 16 * MiB, target)
check(status == 400, f"a DynamoDB body of exactly 16 MiB reaches the handler (got {status})")
status, _, body = raw("POST", "/", 16 * MiB + 1, target)
check(status == 413 and body == b"", f"one byte more: 413 with no body (got {status} {body!r})")
ddb.create_table(TableName="sizes", BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
e = error_of(lambda: ddb.put_item(TableName="sizes",
                                  Item={"pk": {"S": "k"}, "blob": {"S": "x" * (16 * MiB)}}))
check(e is not None and e["ResponseMetadata"]["HTTPStatusCode"] == 413,
      f"boto3's PutItem over 16 MiB: 413 (got {e})")

finish("lambda zip size")

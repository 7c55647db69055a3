#!/usr/bin/python3
"""Issue 13, zip functions with Debian's python3-boto3 against a started esser-local.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT). Zips a Python handler and a shell
bootstrap in memory (zipfile), creates them with CreateFunction(Code={"ZipFile": bytes}),
invokes them with LogType Tail, and covers a raising handler, stdout in the log, a non-JSON
result, a hang past the timeout, a crash, a missing handler, UpdateFunctionCode and
UpdateFunctionConfiguration, Get/List/Delete, corrupt and escaping zips, and the 6 MB limits
(request: RequestTooLargeException; response: Function.ResponseSizeTooLarge). Any failure
exits 1.
"""
import base64
import io
import json
import os
import sys
import zipfile

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ESSER_ENDPOINT"]
CFG = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)
SESSION = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name="us-east-1")
lam = SESSION.client("lambda", endpoint_url=ENDPOINT, config=CFG)
ROLE = "arn:aws:iam::000000000000:role/lambda-role"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def zip_of(files):
    """files: {name: (text, mode)} -> zip bytes, modes kept as zip -X would."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


def expect_client_error(fn, code, what):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"{what}: expected {code}, got {got}: {e}")
        return e
    check(False, f"{what}: expected {code}, the call succeeded")
    return None


def invoke(name, payload=None, tail=False):
    kw = {"FunctionName": name, "Payload": json.dumps(payload if payload is not None else {})}
    if tail:
        kw["LogType"] = "Tail"
    r = lam.invoke(**kw)
    return r, r["Payload"].read()


APP = '''
import json, time

def handler(event, context):
    print("boto3 handler saw", json.dumps(event))
    return {"got": event, "request_id": context.aws_request_id,
            "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb}

def fails(event, context):
    raise KeyError("missing-key")

def huge(event, context):
    return "x" * (6 * 1024 * 1024 + 200)

def hang(event, context):
    time.sleep(30)
'''

# The shell bootstrap the zip tests share (crash / text / echo, see its header).
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "../emulator/lambda/support/zip_bootstrap.sh")) as f:
    BOOTSTRAP = f.read()


def main():
    app_zip = zip_of({"app.py": (APP, 0o644)})
    created = lam.create_function(FunctionName="pyfn", Runtime="python3.11", Role=ROLE,
                                  Handler="app.handler", Code={"ZipFile": app_zip},
                                  MemorySize=256, Timeout=5)
    check(created["CodeSize"] == len(app_zip), "CodeSize is the zip's size")
    check(created["PackageType"] == "Zip", "PackageType")
    check(created["State"] == "Active", "State")

    r, body = invoke("pyfn", {"k": "v"}, tail=True)
    out = json.loads(body)
    check(r["StatusCode"] == 200 and "FunctionError" not in r, f"invoke status: {r}")
    check(out["got"] == {"k": "v"}, f"event round trip: {out}")
    check(out["arn"] == created["FunctionArn"], "invoked_function_arn")
    check(out["memory"] == "256", "memory_limit_in_mb")
    check(out["request_id"] == r["ResponseMetadata"]["RequestId"], "aws_request_id")
    tail = base64.b64decode(r["LogResult"]).decode()
    check('boto3 handler saw {"k": "v"}' in tail, f"stdout in the tail: {tail!r}")
    check(tail.rstrip().splitlines()[-1].startswith("REPORT RequestId: "), "tail ends in REPORT")
    check(len(r["LogResult"]) <= 4 * 1024 * 4 // 3 + 4, "the tail is at most 4 KB")

    lam.update_function_configuration(FunctionName="pyfn", Handler="app.fails")
    r, body = invoke("pyfn")
    err = json.loads(body)
    check(r.get("FunctionError") == "Unhandled", "a raising handler")
    check(err["errorType"] == "KeyError" and err["errorMessage"] == "'missing-key'",
          f"error shape: {err}")
    check(isinstance(err["stackTrace"], list) and err["stackTrace"], "stackTrace")

    lam.update_function_configuration(FunctionName="pyfn", Handler="app.huge")
    r, body = invoke("pyfn")
    check(r.get("FunctionError") == "Unhandled" and
          json.loads(body)["errorType"] == "Function.ResponseSizeTooLarge",
          f"a response over 6 MB: {body[:200]!r}")

    lam.update_function_configuration(FunctionName="pyfn", Handler="app.hang", Timeout=1)
    r, body = invoke("pyfn")
    check("Task timed out after 1.00 seconds" in json.loads(body)["errorMessage"], "timeout")

    lam.update_function_configuration(FunctionName="pyfn", Handler="app.nothing", Timeout=5)
    r, body = invoke("pyfn")
    check(json.loads(body)["errorType"] == "Runtime.HandlerNotFound", f"missing handler: {body}")

    lam.update_function_code(FunctionName="pyfn", ZipFile=zip_of(
        {"app.py": ("def nothing(e, c):\n    return {'v': 2}\n", 0o644)}))
    r, body = invoke("pyfn")
    check(json.loads(body) == {"v": 2}, f"new code: {body}")
    conf = lam.get_function(FunctionName="pyfn")["Configuration"]
    check(conf["Handler"] == "app.nothing" and conf["Timeout"] == 5, f"get_function: {conf}")

    # A shell bootstrap with a non-JSON answer and a crash.
    lam.create_function(FunctionName="shfn", Runtime="provided.al2", Role=ROLE,
                        Handler="x", Code={"ZipFile": zip_of({"bootstrap": (BOOTSTRAP, 0o755)})})
    r, body = invoke("shfn", {"a": 1})
    check(json.loads(body) == {"handler": "x", "event": {"a": 1}}, f"bootstrap: {body!r}")
    r, body = invoke("shfn", {"text": 1})
    check(body == b"plain text, not json", f"non-JSON passes through: {body!r}")
    r, body = invoke("shfn", {"crash": 1}, tail=True)
    check(r.get("FunctionError") == "Unhandled" and
          json.loads(body)["errorType"] == "Runtime.ExitError", f"crash: {body}")
    check('bootstrap got {"crash": 1}' in base64.b64decode(r["LogResult"]).decode(),
          "crash output in tail")

    # esser-local's own functions (esser-projections) are listed too.
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    check([n for n in names if n in ("pyfn", "shfn")] == ["pyfn", "shfn"],
          f"list_functions: {names}")

    # Bad input.
    expect_client_error(lambda: lam.create_function(
        FunctionName="bad", Runtime="python3.11", Role=ROLE, Handler="a.b",
        Code={"ZipFile": b"PK\x03\x04 definitely not a zip"}),
        "InvalidParameterValueException", "corrupt zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../outside.py", "x = 1\n")
    expect_client_error(lambda: lam.create_function(
        FunctionName="escape", Runtime="python3.11", Role=ROLE, Handler="a.b",
        Code={"ZipFile": buf.getvalue()}), "InvalidParameterValueException", "zip with ..")
    expect_client_error(lambda: lam.invoke(
        FunctionName="shfn", Payload=b'{"x":"' + b"y" * (6 * 1024 * 1024) + b'"}'),
        "RequestTooLargeException", "a request over 6 MB")
    expect_client_error(lambda: lam.update_function_code(FunctionName="nope",
                                                         ZipFile=app_zip),
                        "ResourceNotFoundException", "update of a missing function")

    lam.delete_function(FunctionName="shfn")
    expect_client_error(lambda: lam.get_function(FunctionName="shfn"),
                        "ResourceNotFoundException", "get after delete")
    r, body = invoke("pyfn")
    check(json.loads(body) == {"v": 2}, "pyfn still fine after the bad input")


main()
if failures:
    print(f"lambda_zip_boto3_test: {len(failures)} failure(s)", file=sys.stderr)
    sys.exit(1)
print("lambda_zip_boto3_test: all checks passed")

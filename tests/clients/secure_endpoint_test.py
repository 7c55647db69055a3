#!/usr/bin/python3
"""Issue 10, real clients against esser-local as a signed HTTPS endpoint.

    secure_endpoint_test.py ESSER_LOCAL_BIN

Makes a self-signed certificate with the openssl command, starts
`esser-local serve --port 0 --credentials AKIDREAL:real-secret --tls-cert C --tls-key K`, and
checks with Debian's python3-boto3, aws cli v2 and curl, all over HTTPS trusting that
certificate:
  - the right secret works (DynamoDB, Streams, Lambda, SQS);
  - a wrong secret, an unknown key, no signature and a stale signature get AWS's error codes,
    with DynamoDB's status (400) and Lambda's (403);
  - SQS in both protocols: boto3 1.26 (query: SignatureDoesNotMatch, InvalidClientTokenId,
    MissingAuthenticationToken, 403) and a JSON 1.0 request signed by botocore's SigV4Auth
    (coral __type plus x-amzn-query-error), the aws cli with a wrong secret;
  - a client that does not trust the certificate fails its TLS handshake;
  - a zipped Python function calls esser-local back over HTTPS with boto3, trusting the
    certificate through the AWS_CA_BUNDLE esser-local gives its functions.
Then the server must still be up and stop gracefully (exit 0) on SIGTERM. Any failure exits 1.
"""
import datetime
import importlib
import io
import json
import os
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request
import zipfile

import boto3
import botocore.auth
import botocore.config
import botocore.credentials
from botocore import UNSIGNED
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError, SSLError

KEY, SECRET = "AKIDREAL", "real-secret"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def start(binary, work):
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
                    "-out", cert], check=True, capture_output=True)
    err = open(os.path.join(work, "err"), "w")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--log-level", "warn",
                             "--credentials", f"{KEY}:{SECRET}", "--tls-cert", cert,
                             "--tls-key", key], stdout=subprocess.PIPE, stderr=err, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline()
            m = re.match(r"^esser-local .* listening on (https://\S+)$", line.strip())
            if m:
                return proc, m.group(1), cert
            if not line:
                break
    proc.kill()
    sys.exit("esser-local did not print an https endpoint within 10 s:\n" +
             open(os.path.join(work, "err")).read())


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def clients(endpoint, cert, key=KEY, secret=SECRET, unsigned=False):
    cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10,
                                 signature_version=UNSIGNED if unsigned else None)
    s = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                              region_name="us-east-1")
    return (s.client("dynamodb", endpoint_url=endpoint, config=cfg, verify=cert),
            s.client("dynamodbstreams", endpoint_url=endpoint, config=cfg, verify=cert),
            s.client("lambda", endpoint_url=endpoint, config=cfg, verify=cert))


def clock_behind(delta):
    """Makes botocore sign `delta` in the past; returns the undo. Newer botocore reads the time
    through get_current_datetime(), older (Debian 12's 1.29) through datetime.datetime.utcnow()
    of the datetime module its signer's module imported (botocore.auth, or botocore.crt.auth
    when awscrt is installed)."""

    class late(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() - delta

    undo = []
    modules = [botocore.auth]
    try:
        modules.append(importlib.import_module("botocore.crt.auth"))
    except ImportError:
        pass
    for m in modules:
        if hasattr(m, "get_current_datetime"):
            real = m.get_current_datetime
            m.get_current_datetime = lambda real=real: real() - delta
            undo.append((m, "get_current_datetime", real))
        if isinstance(getattr(m, "datetime", None), types.ModuleType):
            real = m.datetime
            m.datetime = types.SimpleNamespace(**{**vars(real), "datetime": late})
            undo.append((m, "datetime", real))
    return lambda: [setattr(m, name, v) for m, name, v in undo]


def refused_when_stale(call, code, what):
    """Signs 20 minutes late: `call` must fail with `code` and AWS's "Signature expired: ..."."""
    undo = clock_behind(datetime.timedelta(minutes=20))
    try:
        try:
            call()
            check(False, f"{what}: the call succeeded")
        except ClientError as e:
            check(e.response["Error"]["Code"] == code and
                  e.response["Error"]["Message"].startswith("Signature expired: "),
                  f"{what}: {e.response['Error']}")
    finally:
        undo()


def boto3_checks(endpoint, cert):
    ddb, streams, lam = clients(endpoint, cert)
    check(ddb.list_tables()["TableNames"] == ["events", "snapshots"], "boto3 signed list_tables")
    ddb.create_table(TableName="signed", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName="signed", Item={"pk": {"S": "k1"}, "n": {"N": "1"}})
    got = ddb.get_item(TableName="signed", Key={"pk": {"S": "k1"}})
    check(got.get("Item", {}).get("n") == {"N": "1"}, "boto3 signed put_item/get_item")
    check(len(streams.list_streams()["Streams"]) == 1, "boto3 signed list_streams")
    check(isinstance(lam.list_functions()["Functions"], list), "boto3 signed lambda list_functions")

    ddb, streams, lam = clients(endpoint, cert, secret="wrong-secret")
    check(error_of(ddb.list_tables) == ("InvalidSignatureException", 400),
          f"boto3 wrong secret, DynamoDB: {error_of(ddb.list_tables)}")
    check(error_of(streams.list_streams) == ("InvalidSignatureException", 400),
          "boto3 wrong secret, Streams")
    check(error_of(lam.list_functions) == ("InvalidSignatureException", 403),
          f"boto3 wrong secret, Lambda: {error_of(lam.list_functions)}")

    ddb, _, lam = clients(endpoint, cert, key="AKIDUNKNOWN")
    check(error_of(ddb.list_tables) == ("UnrecognizedClientException", 400),
          "boto3 unknown key, DynamoDB")
    check(error_of(lam.list_functions) == ("UnrecognizedClientException", 403),
          "boto3 unknown key, Lambda")

    ddb, _, lam = clients(endpoint, cert, unsigned=True)
    check(error_of(ddb.list_tables) == ("MissingAuthenticationTokenException", 400),
          "boto3 unsigned, DynamoDB")
    check(error_of(lam.list_functions) == ("MissingAuthenticationTokenException", 403),
          "boto3 unsigned, Lambda")

    # Stale: botocore signs at the time it reads in botocore.auth, 20 minutes late.
    ddb, _, _ = clients(endpoint, cert)
    refused_when_stale(ddb.list_tables, "InvalidSignatureException", "boto3 stale signature")

    # Not trusting the self-signed certificate: the TLS handshake fails.
    ddb, _, _ = clients(endpoint, True)
    try:
        ddb.list_tables()
        check(False, "boto3 without the certificate fails")
    except SSLError:
        pass


def sqs_client(endpoint, cert, key=KEY, secret=SECRET, unsigned=False):
    cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10,
                                 signature_version=UNSIGNED if unsigned else None)
    s = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                              region_name="us-east-1")
    return s.client("sqs", endpoint_url=endpoint, config=cfg, verify=cert)


def sqs_json_call(endpoint, cert, action, body, secret=SECRET):
    """An AmazonSQS.<action> JSON 1.0 request signed by botocore's SigV4Auth (boto3 1.26 speaks
    only the query protocol to SQS); returns (status, x-amzn-query-error, body)."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=json.dumps(body).encode(),
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": "AmazonSQS." + action})
    creds = botocore.credentials.Credentials(KEY, secret)
    botocore.auth.SigV4Auth(creds, "sqs", "us-east-1").add_auth(req)
    prepared = req.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                  headers=dict(prepared.headers))
    ctx = ssl.create_default_context(cafile=cert)
    try:
        with urllib.request.urlopen(http, context=ctx, timeout=10) as r:
            return r.status, r.headers.get("x-amzn-query-error"), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("x-amzn-query-error"), json.loads(e.read())


def sqs_checks(endpoint, cert):
    sqs = sqs_client(endpoint, cert)
    url = sqs.create_queue(QueueName="signed-queue")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="over https, signed")
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
    check([m["Body"] for m in got] == ["over https, signed"], f"boto3 signed SQS round trip: {got}")

    wrong = sqs_client(endpoint, cert, secret="wrong-secret")
    check(error_of(wrong.list_queues) == ("SignatureDoesNotMatch", 403),
          f"boto3 wrong secret, SQS: {error_of(wrong.list_queues)}")
    unknown = sqs_client(endpoint, cert, key="AKIDUNKNOWN")
    check(error_of(unknown.list_queues) == ("InvalidClientTokenId", 403),
          f"boto3 unknown key, SQS: {error_of(unknown.list_queues)}")
    bare = sqs_client(endpoint, cert, unsigned=True)
    check(error_of(bare.list_queues) == ("MissingAuthenticationToken", 403),
          f"boto3 unsigned, SQS: {error_of(bare.list_queues)}")
    # A refused send changes nothing.
    error_of(lambda: wrong.send_message(QueueUrl=url, MessageBody="refused"))
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    check(attrs["ApproximateNumberOfMessages"] == "0" and
          attrs["ApproximateNumberOfMessagesNotVisible"] == "1",
          f"a refused SendMessage adds no message: {attrs}")
    refused_when_stale(sqs.list_queues, "SignatureDoesNotMatch", "boto3 stale signature, SQS")

    # The JSON 1.0 protocol (the JS SDK v3, botocore >= 1.31): same checks, JSON shapes.
    status, query_error, body = sqs_json_call(endpoint, cert, "GetQueueUrl",
                                              {"QueueName": "signed-queue"})
    check(status == 200 and body.get("QueueUrl") == url, f"signed SQS JSON: {status} {body}")
    status, query_error, body = sqs_json_call(endpoint, cert, "GetQueueUrl",
                                              {"QueueName": "signed-queue"}, secret="wrong")
    check((status, query_error, body.get("__type")) ==
          (403, "SignatureDoesNotMatch;Sender",
           "com.amazon.coral.service#InvalidSignatureException"),
          f"SQS JSON wrong secret: {status} {query_error} {body}")


CALLBACK = '''
import os, boto3

def handler(event, context):
    # Debian's botocore 1.29 ignores AWS_ENDPOINT_URL; AWS_CA_BUNDLE it reads itself.
    ddb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    return {"tables": ddb.list_tables()["TableNames"], "ca": os.environ.get("AWS_CA_BUNDLE")}
'''


def zip_function_checks(endpoint, cert):
    """A python3.11 zip function run by the HTTPS esser-local calls it back with boto3."""
    _, _, lam = clients(endpoint, cert)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", CALLBACK)
    lam.create_function(FunctionName="calls-back", Runtime="python3.11", Handler="app.handler",
                        Role="arn:aws:iam::000000000000:role/r", Timeout=60,
                        Code={"ZipFile": buf.getvalue()})
    r = lam.invoke(FunctionName="calls-back", Payload=b"{}")
    out = json.loads(r["Payload"].read())
    check("FunctionError" not in r and "events" in out.get("tables", []) and
          out.get("ca") == os.path.abspath(cert),
          f"a zip function calls esser-local back over HTTPS: {r.get('FunctionError')} {out}")


def awscli_checks(endpoint, cert, work):
    env = dict(os.environ, HOME=work, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
               AWS_CONFIG_FILE=os.path.join(work, "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "credentials"),
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1")
    env.pop("AWS_SESSION_TOKEN", None)

    def aws(*args, secret=SECRET):
        e = dict(env, AWS_SECRET_ACCESS_KEY=secret)
        return subprocess.run(["/usr/bin/aws", *args, "--endpoint-url", endpoint, "--ca-bundle",
                               cert, "--output", "text"], env=e, capture_output=True, text=True,
                              timeout=60)

    r = aws("dynamodb", "list-tables", "--query", "TableNames")
    check(r.returncode == 0 and r.stdout.split() == ["events", "signed", "snapshots"],
          f"aws cli signed list-tables: {r.returncode} {r.stdout!r} {r.stderr!r}")
    r = aws("lambda", "list-functions")
    check(r.returncode == 0, f"aws cli signed lambda list-functions: {r.stderr!r}")
    # aws cli 2.9 exits 255 (not 254) for authentication errors; the code is in stderr.
    r = aws("dynamodb", "list-tables", secret="wrong-secret")
    check(r.returncode in (254, 255) and "(InvalidSignatureException)" in r.stderr,
          f"aws cli wrong secret: {r.returncode} {r.stderr!r}")
    r = aws("lambda", "list-functions", secret="wrong-secret")
    check(r.returncode in (254, 255) and "(InvalidSignatureException)" in r.stderr,
          f"aws cli wrong secret, Lambda: {r.returncode} {r.stderr!r}")
    r = aws("sqs", "list-queues", "--query", "QueueUrls")
    check(r.returncode == 0 and r.stdout.strip().endswith("/signed-queue"),
          f"aws cli signed sqs list-queues: {r.returncode} {r.stdout!r} {r.stderr!r}")
    r = aws("sqs", "list-queues", secret="wrong-secret")
    check(r.returncode in (254, 255) and "(SignatureDoesNotMatch)" in r.stderr,
          f"aws cli wrong secret, SQS: {r.returncode} {r.stderr!r}")


def curl_checks(endpoint, cert):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", cert,
                        endpoint + "/esser/v1/health"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and r.stdout == "200", f"curl --cacert health: {r.returncode} {r.stdout}")
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", endpoint + "/esser/v1/health"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 60, f"curl without the certificate fails verification: {r.returncode}")


def main():
    if shutil.which("openssl") is None or shutil.which("curl") is None:
        sys.exit("secure_endpoint_test: openssl and curl are needed (scripts/install-deps.sh)")
    work = tempfile.mkdtemp(prefix="esser-secure.")
    proc, endpoint, cert = start(sys.argv[1], work)
    try:
        boto3_checks(endpoint, cert)
        sqs_checks(endpoint, cert)
        zip_function_checks(endpoint, cert)
        awscli_checks(endpoint, cert, work)
        curl_checks(endpoint, cert)
        check(proc.poll() is None, "esser-local is still up after the clients")
        proc.send_signal(signal.SIGTERM)
        try:
            check(proc.wait(timeout=10) == 0, "esser-local exits 0 on SIGTERM")
        except subprocess.TimeoutExpired:
            check(False, "esser-local stops within 10 s of SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if failures:
            print(open(os.path.join(work, "err")).read(), file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("secure endpoint: all checks passed")


main()

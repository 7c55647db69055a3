#!/usr/bin/python3
"""Issue 13, SQS with a real client: Debian's python3-boto3 (1.26, the SQS query protocol)
against a started esser-local.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT). Covers create-queue with attributes (and
its idempotency rules), get-queue-url, send with message attributes (MD5s checked against our
own computation), receive with system and message attributes, visibility timeouts, delete,
get-queue-attributes counts, purge (and its 60 s rule), list with a prefix, long polling
(a short empty wait, and a wait woken by a send from another thread), SQS's error codes, and
delete-queue. Each check names what it expects; any failure exits 1.
"""
import hashlib
import struct
import threading
import time

from client_support import ENDPOINT, check, client, error_code, finish

sqs = client("sqs")


def md5_of_attributes(attrs):
    """SQS's MD5OfMessageAttributes, computed independently from the documented encoding."""
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        for part in (name.encode(), a["DataType"].encode()):
            buf += struct.pack(">I", len(part)) + part
        if "BinaryValue" in a:
            buf += b"\x02" + struct.pack(">I", len(a["BinaryValue"])) + a["BinaryValue"]
        else:
            v = a["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(v)) + v
    return hashlib.md5(buf).hexdigest()


# --- create, idempotency, url ------------------------------------------------------------
url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
check(url == ENDPOINT + "/000000000000/orders", f"queue URL on the endpoint: {url}")
check(sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "2"})["QueueUrl"] == url,
      "CreateQueue with the same attributes returns the queue")
check(error_code(sqs.create_queue, QueueName="orders", Attributes={"VisibilityTimeout": "9"})[0]
      == "QueueAlreadyExists", "CreateQueue with other attributes: QueueAlreadyExists")
check(error_code(sqs.create_queue, QueueName="bad",
                 Attributes={"DelaySeconds": "901"})[0] == "InvalidAttributeValue",
      "DelaySeconds 901: InvalidAttributeValue")
check(sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url, "GetQueueUrl")
code, status = error_code(sqs.get_queue_url, QueueName="missing")
check(code == "AWS.SimpleQueueService.NonExistentQueue" and status == 400,
      f"GetQueueUrl of a missing queue: NonExistentQueue 400 (got {code} {status})")

# --- send and receive with attributes ------------------------------------------------------
attrs = {"kind": {"DataType": "String", "StringValue": "poison"},
         "n": {"DataType": "Number", "StringValue": "42"},
         "blob": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"}}
body = "hello <sqs> & 'friends'\r\nüñí €"
sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attrs)
check(sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest(), "MD5OfMessageBody")
check(sent["MD5OfMessageAttributes"] == md5_of_attributes(attrs), "MD5OfMessageAttributes")
check(len(sent["MessageId"]) == 36, "MessageId is a UUID")
before = int(time.time() * 1000)
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                          MessageAttributeNames=["All"])
msgs = got.get("Messages", [])
check(len(msgs) == 1, f"one message received (got {len(msgs)})")
if msgs:
    m = msgs[0]
    check(m["Body"] == body, "the body round-trips byte for byte (CR, XML characters, UTF-8)")
    check(m["MessageId"] == sent["MessageId"], "same MessageId")
    check(m["MD5OfBody"] == sent["MD5OfMessageBody"], "MD5OfBody")
    check(m["Attributes"]["ApproximateReceiveCount"] == "1", "ApproximateReceiveCount 1")
    check(abs(int(m["Attributes"]["SentTimestamp"]) - before) < 60000, "SentTimestamp in ms")
    check(m["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\xff\x10", "binary attribute")
    check(m["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "42"},
          "number attribute")
    check(m["MD5OfMessageAttributes"] == md5_of_attributes(attrs), "received attributes' MD5")
    # Invisible for the queue's 2 s, then back with a second receive count.
    check("Messages" not in sqs.receive_message(QueueUrl=url), "invisible while in flight")
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "QueueArn"])
    check(a["Attributes"] == {"ApproximateNumberOfMessages": "0",
                              "ApproximateNumberOfMessagesNotVisible": "1",
                              "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders"},
          f"counts while in flight: {a['Attributes']}")
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, AttributeNames=["All"])
    check(again.get("Messages", [{}])[0].get("Attributes", {}).get("ApproximateReceiveCount") == "2",
          "visible again after its visibility timeout, received a second time")
    if again.get("Messages"):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=again["Messages"][0]["ReceiptHandle"])
    check(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
          ["ApproximateNumberOfMessagesNotVisible"] == "0", "deleted")

check(error_code(sqs.delete_message, QueueUrl=url, ReceiptHandle="forged")[0]
      == "ReceiptHandleIsInvalid", "a forged receipt handle: ReceiptHandleIsInvalid")
check(error_code(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)[0]
      == "InvalidParameterValue", "MaxNumberOfMessages 11: InvalidParameterValue")
check(error_code(sqs.send_message, QueueUrl=url + "-nope", MessageBody="x")[0]
      == "AWS.SimpleQueueService.NonExistentQueue", "send to a missing queue")

# --- long polling ---------------------------------------------------------------------------
start = time.monotonic()
empty = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
elapsed = time.monotonic() - start
check("Messages" not in empty and 0.9 <= elapsed < 5, f"an empty 1 s long poll ({elapsed:.2f} s)")


def later():
    time.sleep(0.5)
    client("sqs").send_message(
        QueueUrl=url, MessageBody="woken")


t = threading.Thread(target=later)
start = time.monotonic()
t.start()
woken = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
elapsed = time.monotonic() - start
t.join()
check(woken.get("Messages", [{}])[0].get("Body") == "woken" and elapsed < 5,
      f"a long poll woken by a send ({elapsed:.2f} s)")

# --- purge, list, delete --------------------------------------------------------------------
for i in range(3):
    sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
sqs.purge_queue(QueueUrl=url)
check(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
      ["Attributes"]["ApproximateNumberOfMessages"] == "0", "purged")
check(error_code(sqs.purge_queue, QueueUrl=url)[0] == "AWS.SimpleQueueService.PurgeQueueInProgress",
      "a second purge within 60 s: PurgeQueueInProgress")
sqs.create_queue(QueueName="other")
check(sqs.list_queues(QueueNamePrefix="ord")["QueueUrls"] == [url], "ListQueues by prefix")
check(len(sqs.list_queues()["QueueUrls"]) == 2, "ListQueues")
sqs.delete_queue(QueueUrl=url)
check(error_code(sqs.get_queue_url, QueueName="orders")[0]
      == "AWS.SimpleQueueService.NonExistentQueue", "deleted queue is gone")

finish("sqs boto3")

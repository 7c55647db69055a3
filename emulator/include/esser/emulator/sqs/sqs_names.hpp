#pragma once
// How SQS names things, parsed in one place: queue names, queue ARNs, queue URLs, and the MD5
// digests SQS returns (AWS SQS API reference: CreateQueue "QueueName", "Queue and message
// identifiers"; SendMessage "MD5OfMessageBody" / "MD5OfMessageAttributes").
//
// esser-local is one account: queue URLs are <endpoint>/<account>/<name> (for example
// http://127.0.0.1:8000/000000000000/dlq) and ARNs arn:aws:sqs:<region>:<account>:<name>.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace esser::emulator {

// SQS's queue name rule: 1..80 characters of [A-Za-z0-9_-], optionally ending in ".fifo".
bool valid_queue_name(std::string_view name) noexcept;

// The parts of arn:<partition>:sqs:<region>:<account>:<name>.
struct queue_arn {
    std::string region;
    std::string account;
    std::string name;
};

// Parses an SQS queue ARN (partition "aws*"); nullopt when it is not one.
std::optional<queue_arn> parse_queue_arn(std::string_view arn);

// The parts of a queue URL: <scheme>://<host>[:port]/<account>/<name> (the host is not
// checked: clients reach esser-local under several names). A bare path "/<account>/<name>"
// (the target of a query-protocol request posted to the queue URL) is accepted too.
struct queue_url {
    std::string account;
    std::string name;
};

// nullopt unless the text has exactly that shape with a valid queue name.
std::optional<queue_url> parse_queue_url(std::string_view url);

// hex(MD5(bytes)), 32 lower-case digits: SQS's MD5OfMessageBody.
std::string md5_hex(std::string_view bytes);

// One message attribute (SendMessage MessageAttributes): DataType "String", "Number" or
// "Binary", optionally with a custom suffix ("Number.int"); the value is string_value for
// String/Number and binary_value (the raw bytes, decoded from base64) for Binary.
struct sqs_message_attribute {
    std::string data_type;
    std::string string_value;
    std::string binary_value;
    bool is_binary() const;

    friend bool operator==(const sqs_message_attribute&, const sqs_message_attribute&) = default;
};

using sqs_message_attributes = std::map<std::string, sqs_message_attribute, std::less<>>;

// MD5OfMessageAttributes: the digest SQS computes over the attributes sorted by name, each as
// length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string, 2 binary)
// and length-prefixed value. Empty attributes: "".
std::string md5_of_message_attributes(const sqs_message_attributes& attributes);

}  // namespace esser::emulator

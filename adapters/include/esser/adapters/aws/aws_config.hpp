#pragma once
// Region and endpoint resolution for DynamoDB and DynamoDB Streams, the way the AWS SDKs do it
// from the standard environment variables:
//
//   region     AWS_REGION, else AWS_DEFAULT_REGION (no default: a missing region is an error,
//              as in every SDK).
//   DynamoDB   AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL,
//              else https://dynamodb.<region>.amazonaws.com (".amazonaws.com.cn" for cn-*).
//   Streams    AWS_ENDPOINT_URL_DYNAMODB_STREAMS, else AWS_ENDPOINT_URL,
//              else https://streams.dynamodb.<region>.amazonaws.com.
//
// Note the SDK rule this follows: AWS_ENDPOINT_URL_DYNAMODB alone does not redirect Streams. To
// point everything at esser-local, set AWS_ENDPOINT_URL (esser-local serves both on one port).
// Both services sign with the service name "dynamodb" (spec/dynamodb-api.md §1.1).

#include <string>
#include <string_view>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/adapters/aws/environment.hpp"
#include "esser/adapters/http/url.hpp"
#include "esser/core/error.hpp"

namespace esser::adapters {

// The region from AWS_REGION / AWS_DEFAULT_REGION. Errors (core::errc::invalid_argument):
//   type "NoRegionError"      "You must specify a region: set AWS_REGION or AWS_DEFAULT_REGION."
//   type "InvalidRegionError" the value is not a valid host label (e.g. "us east 1").
core::result<std::string> region_from_environment(
    const environment_lookup& env = process_environment);

// Whether `region` can be used in a host name: [a-zA-Z0-9], then up to 61 of [a-zA-Z0-9-],
// ending alphanumeric (botocore's check).
bool valid_region_name(std::string_view region) noexcept;

// The regional AWS endpoints (no environment involved).
url regional_dynamodb_endpoint(std::string_view region);
url regional_dynamodb_streams_endpoint(std::string_view region);

struct aws_config {
    std::string region;
    credentials creds;
    url dynamodb_endpoint;
    url streams_endpoint;

    // Everything above from the environment; the first problem found is returned (credentials,
    // then region, then endpoints; an endpoint URL that does not parse is an
    // "InvalidEndpointError" naming the variable).
    static core::result<aws_config> from_environment(
        const environment_lookup& env = process_environment);
};

}  // namespace esser::adapters

#pragma once
// AWS credentials and where production gets them.
//
// Inside Lambda (and in most containers) the runtime puts the function role's temporary
// credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; that is the only
// provider esser needs for its production path. Profiles, SSO and instance metadata are not
// read (not needed in Lambda; add a provider here if another runtime needs them).

#include <string>

#include "esser/adapters/aws/environment.hpp"
#include "esser/core/error.hpp"

namespace esser::adapters {

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys

    friend bool operator==(const credentials&, const credentials&) = default;
};

// Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (falling back to the
// legacy AWS_SECURITY_TOKEN, as botocore does). Empty values count as unset.
// Errors (core::errc::invalid_argument), named like botocore's:
//   type "NoCredentialsError"      neither key is set: "Unable to locate credentials. ..."
//   type "PartialCredentialsError" one of the two is set: "Partial credentials found in env,
//                                  missing: AWS_SECRET_ACCESS_KEY"
core::result<credentials> credentials_from_environment(
    const environment_lookup& env = process_environment);

}  // namespace esser::adapters

// TagResource, UntagResource, ListTagsOfResource (issue 12), and the two service-level
// operations SDKs call on their own: DescribeLimits and DescribeEndpoints.
//
// Tags belong to a table, addressed by its ARN. The checks and their texts are AWS's as dynalite
// recorded them (validations/tagResource.js, untagResource.js, listTagsOfResource.js): an ARN
// that is not an ARN at all is AccessDeniedException (IAM cannot even evaluate it), an ARN that
// is not a table's is "Invalid TableArn: ...", an unknown table is ResourceNotFoundException
// (with AWS's "ResourcArn" spelling for TagResource and ListTagsOfResource).
#include <regex>

#include "engine_impl.hpp"
#include "request_schema.hpp"

namespace esser::emulator {

namespace {

std::string str(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? m->get<std::string>() : std::string();
}

// Six ':'-separated parts and a '/': arn:aws:dynamodb:<region>:<account>:table/<name>.
bool looks_like_arn(const std::string& arn) {
    static const std::regex any_arn(R"(^.+:.+:.+:.+:.+:.+/.+$)");
    return std::regex_match(arn, any_arn);
}

bool is_table_arn(const std::string& arn) {
    static const std::regex table_arn(R"(^arn:aws:dynamodb:.+:\d+:table/[^/]{2}[^/]+$)");
    return std::regex_match(arn, table_arn);
}

aws_error access_denied(const std::string& account, std::string_view action,
                        const std::string& arn) {
    aws_error e;
    e.type = "AccessDeniedException";
    e.message = "User: arn:aws:iam::" + account +
                ":root is not authorized to perform: dynamodb:" + std::string(action) +
                " on resource: " + (arn.empty() ? "*" : arn);
    return e;
}

}  // namespace

// The ARN checks shared by the three tagging operations, in AWS's order; `missing_member` is
// checked between the two ARN checks, as AWS does.
static std::optional<aws_error> check_tagging_request(const json& r, const std::string& account,
                                                      std::string_view action, const char* member,
                                                      const char* member_path) {
    const std::string arn = str(r, "ResourceArn");
    if (!schema::member(r, "ResourceArn"))
        return aws_error::validation("Invalid TableArn");
    if (!looks_like_arn(arn))
        return access_denied(account, action, arn);
    if (member && !schema::member(r, member)) {
        return aws_error::validation("1 validation error detected: Value null at '" +
                                     std::string(member_path) +
                                     "' failed to satisfy constraint: Member must not be null");
    }
    if (!is_table_arn(arn)) {
        return aws_error::validation("Invalid TableArn: Invalid ResourceArn provided as input " +
                                     arn);
    }
    return std::nullopt;
}

// The table an ARN names, if it exists in this engine (same region and account).
static std::shared_ptr<table> table_of_arn(const dynamo_engine::impl& e, const std::string& arn) {
    const auto slash = arn.rfind('/');
    auto t = e.find_table(arn.substr(slash + 1));
    if (!t || t->arn != arn)
        return nullptr;
    return t;
}

aws_result dynamo_engine::impl::tag_resource(const json& r) {
    if (auto e = check_tagging_request(r, opts.account_id, "TagResource", "Tags", "tags"))
        return fail(*e);
    const json& tags = r["Tags"];
    if (tags.empty())
        return fail(aws_error::validation("Atleast one Tag needs to be provided as Input."));
    const std::string arn = str(r, "ResourceArn");
    auto t = table_of_arn(*this, arn);
    if (!t) {
        return fail(aws_error::resource_not_found(
            "Requested resource not found: ResourcArn: " + arn + " not found"));
    }
    std::lock_guard lock(t->mu);
    for (const auto& tag : tags) t->tags[str(tag, "Key")] = str(tag, "Value");
    t->save_definition(sink);
    return json::object();
}

aws_result dynamo_engine::impl::untag_resource(const json& r) {
    if (auto e = check_tagging_request(r, opts.account_id, "UntagResource", "TagKeys", "tagKeys"))
        return fail(*e);
    const json& keys = r["TagKeys"];
    if (keys.empty())
        return fail(aws_error::validation("Atleast one Tag Key needs to be provided as Input."));
    auto t = table_of_arn(*this, str(r, "ResourceArn"));
    if (!t)
        return fail(aws_error::resource_not_found());
    std::lock_guard lock(t->mu);
    for (const auto& k : keys) {
        if (k.is_string())
            t->tags.erase(k.get<std::string>());
    }
    t->save_definition(sink);
    return json::object();
}

aws_result dynamo_engine::impl::list_tags_of_resource(const json& r) {
    if (auto e = check_tagging_request(r, opts.account_id, "ListTagsOfResource", nullptr, nullptr))
        return fail(*e);
    const std::string arn = str(r, "ResourceArn");
    auto t = table_of_arn(*this, arn);
    if (!t) {
        return fail(aws_error::resource_not_found(
            "Requested resource not found: ResourcArn: " + arn + " not found"));
    }
    std::lock_guard lock(t->mu);
    json tags = json::array();
    for (const auto& [k, v] : t->tags) tags.push_back({{"Key", k}, {"Value", v}});
    return json{{"Tags", std::move(tags)}};
}

// AWS's default quotas per account and region (the figures DynamoDB reports for a new account).
aws_result dynamo_engine::impl::describe_limits(const json&) {
    return json{{"AccountMaxReadCapacityUnits", 80000},
                {"AccountMaxWriteCapacityUnits", 80000},
                {"TableMaxReadCapacityUnits", 40000},
                {"TableMaxWriteCapacityUnits", 40000}};
}

// Endpoint discovery: the address clients should use, which is this emulator's (options), so a
// client with discovery enabled stays here instead of leaving for AWS.
aws_result dynamo_engine::impl::describe_endpoints(const json&) {
    return json{{"Endpoints", json::array({{{"Address", opts.endpoint_address},
                                            {"CachePeriodInMinutes", 1440}}})}};
}

}  // namespace esser::emulator

#include "esser/adapters/deploy/stack_template.hpp"

#include <optional>

#include <fmt/format.h>

namespace esser::adapters {

namespace {

using nlohmann::json;

class settings_reader {
public:
    std::vector<core::field_error> problems;

    // An integer member of `obj` within [lo, hi] (or equal to `also`), written to `out`.
    void integer(const json& obj, const std::string& at, const char* name, int lo, int hi, int& out,
                 std::optional<int> also = std::nullopt) {
        auto it = obj.find(name);
        if (it == obj.end())
            return;
        const std::string p = at + "/" + name;
        if (!it->is_number_integer()) {
            problems.push_back({p, "must be an integer"});
            return;
        }
        const auto v = it->get<std::int64_t>();
        if ((v < lo || v > hi) && !(also && v == *also)) {
            problems.push_back(
                {p,
                 also ? fmt::format("must be {} or between {} and {} (AWS's limits)", *also, lo, hi)
                      : fmt::format("must be between {} and {} (AWS's limits)", lo, hi)});
            return;
        }
        out = static_cast<int>(v);
    }

    void boolean(const json& obj, const std::string& at, const char* name, bool& out) {
        auto it = obj.find(name);
        if (it == obj.end())
            return;
        if (!it->is_boolean()) {
            problems.push_back({at + "/" + name, "must be true or false"});
            return;
        }
        out = it->get<bool>();
    }

    void one_of(const json& obj, const std::string& at, const char* name,
                std::initializer_list<const char*> allowed, std::string& out) {
        auto it = obj.find(name);
        if (it == obj.end())
            return;
        std::string list;
        for (const char* a : allowed) {
            if (it->is_string() && *it == a) {
                out = a;
                return;
            }
            list += list.empty() ? a : fmt::format(", {}", a);
        }
        problems.push_back({at + "/" + name, fmt::format("must be one of: {}", list)});
    }

    const json* object(const json& obj, const std::string& at, const char* name,
                       std::initializer_list<std::string_view> members) {
        auto it = obj.find(name);
        if (it == obj.end())
            return nullptr;
        const std::string p = at + "/" + name;
        if (!it->is_object()) {
            problems.push_back({p, "must be a JSON object"});
            return nullptr;
        }
        only(*it, p, members);
        return &*it;
    }

    void only(const json& obj, const std::string& at,
              std::initializer_list<std::string_view> members) {
        for (const auto& [k, v] : obj.items()) {
            bool known = k == "$comment";
            for (auto m : members) known = known || k == m;
            if (!known) {
                std::string list;
                for (auto m : members)
                    list += list.empty() ? std::string(m) : fmt::format(", {}", m);
                problems.push_back(
                    {at + "/" + k,
                     fmt::format("unknown member '{}'; expected one of: {}", k, list)});
            }
        }
    }

    void function(const json& dep, const char* name, function_settings& out) {
        const json* f =
            object(dep, "/x-deployment", name, {"memory_mb", "timeout_s", "architecture"});
        if (f == nullptr)
            return;
        const std::string at = fmt::format("/x-deployment/{}", name);
        integer(*f, at, "memory_mb", 128, 10240, out.memory_mb);
        integer(*f, at, "timeout_s", 1, 900, out.timeout_s);
        one_of(*f, at, "architecture", {"arm64", "x86_64"}, out.architecture);
    }
};

json ref(const char* logical_id) {
    return json{{"Ref", logical_id}};
}

json get_att(const char* logical_id, const char* attribute) {
    return json{{"Fn::GetAtt", json::array({logical_id, attribute})}};
}

json table_resources_into(json& resources) {
    resources["EventsTable"] = {
        {"Type", "AWS::DynamoDB::Table"},
        {"Properties",
         {{"BillingMode", "PAY_PER_REQUEST"},
          {"AttributeDefinitions", json::array({{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                                {{"AttributeName", "v"}, {"AttributeType", "N"}}})},
          {"KeySchema", json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                     {{"AttributeName", "v"}, {"KeyType", "RANGE"}}})},
          {"StreamSpecification", {{"StreamViewType", "NEW_IMAGE"}}},
          {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}},
          {"SSESpecification", {{"SSEEnabled", true}}}}}};
    resources["SnapshotsTable"] = {
        {"Type", "AWS::DynamoDB::Table"},
        {"Properties",
         {{"BillingMode", "PAY_PER_REQUEST"},
          {"AttributeDefinitions",
           json::array({{{"AttributeName", "pk"}, {"AttributeType", "S"}}})},
          {"KeySchema", json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}}})},
          {"SSESpecification", {{"SSEEnabled", true}}}}}};
    resources["FailureQueue"] = {
        {"Type", "AWS::SQS::Queue"},
        {"Properties", {{"MessageRetentionPeriod", 1209600}, {"SqsManagedSseEnabled", true}}}};
    return resources;
}

json command_statements() {
    return json::array(
        {{{"Sid", "EventStore"},
          {"Effect", "Allow"},
          {"Action", json::array({"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"})},
          {"Resource",
           json::array({get_att("EventsTable", "Arn"), get_att("SnapshotsTable", "Arn")})}}});
}

json projection_statements() {
    return json::array(
        {{{"Sid", "RebuildStates"},
          {"Effect", "Allow"},
          {"Action", json::array({"dynamodb:GetItem", "dynamodb:Query"})},
          {"Resource",
           json::array({get_att("EventsTable", "Arn"), get_att("SnapshotsTable", "Arn")})}},
         {{"Sid", "ReadEventStream"},
          {"Effect", "Allow"},
          {"Action", json::array({"dynamodb:DescribeStream", "dynamodb:GetRecords",
                                  "dynamodb:GetShardIterator", "dynamodb:ListStreams"})},
          {"Resource", json::array({get_att("EventsTable", "StreamArn")})}},
         {{"Sid", "OnFailureDestination"},
          {"Effect", "Allow"},
          {"Action", json::array({"sqs:SendMessage"})},
          {"Resource", json::array({get_att("FailureQueue", "Arn")})}}});
}

json logs_statement() {
    return {{"Sid", "Logs"},
            {"Effect", "Allow"},
            {"Action",
             json::array({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"})},
            {"Resource",
             json::array({json{
                 {"Fn::Sub",
                  "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/"
                  "lambda/${AWS::StackName}-*"}}})}};
}

json role(json statements, const char* policy_name) {
    statements.push_back(logs_statement());
    return {{"Type", "AWS::IAM::Role"},
            {"Properties",
             {{"AssumeRolePolicyDocument",
               {{"Version", "2012-10-17"},
                {"Statement", json::array({{{"Effect", "Allow"},
                                            {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                            {"Action", "sts:AssumeRole"}}})}}},
              {"Policies",
               json::array({{{"PolicyName", policy_name},
                             {"PolicyDocument",
                              {{"Version", "2012-10-17"}, {"Statement", statements}}}}})}}}};
}

json function_environment(bool command) {
    json vars{{"ESSER_DOMAIN_FILE", "/var/task/domain.json"}, {"ESSER_LOG_LEVEL", "info"}};
    // Both read the tables: the projection rebuilds a state across a gap in its stream.
    vars["ESSER_EVENTS_TABLE"] = ref("EventsTable");
    vars["ESSER_SNAPSHOTS_TABLE"] = ref("SnapshotsTable");
    if (!command)
        vars["ESSER_READ_STORE"] = ref("ReadStore");
    return {{"Variables", vars}};
}

json mapping_properties(const mapping_settings& m) {
    return {{"BatchSize", m.batch_size},
            {"MaximumBatchingWindowInSeconds", m.batching_window_s},
            {"StartingPosition", m.starting_position},
            {"MaximumRetryAttempts", m.maximum_retry_attempts},
            {"MaximumRecordAgeInSeconds", m.maximum_record_age_s},
            {"BisectBatchOnFunctionError", m.bisect_on_error},
            {"ParallelizationFactor", m.parallelization_factor},
            {"FunctionResponseTypes", json::array({"ReportBatchItemFailures"})}};
}

}  // namespace

core::result<deployment_settings> deployment_settings::from_domain(const json& doc) {
    deployment_settings s;
    if (!doc.is_object()) {
        return core::fail(core::error::invalid_domain("a domain file must be a JSON object",
                                                      {{"", "must be an object"}}));
    }
    settings_reader r;
    if (auto n = doc.find("name");
        n != doc.end() && n->is_string() && !n->get_ref<const std::string&>().empty()) {
        s.domain_name = n->get<std::string>();
    } else {
        r.problems.push_back(
            {"/name", "is required: the domain's name names the stack's resources"});
    }
    if (auto d = doc.find("description"); d != doc.end() && d->is_string())
        s.description = d->get<std::string>();
    if (auto dep = doc.find("x-deployment"); dep != doc.end()) {
        if (!dep->is_object()) {
            r.problems.push_back({"/x-deployment", "must be a JSON object"});
        } else {
            r.only(*dep, "/x-deployment", {"command_function", "projection_function", "mapping"});
            r.function(*dep, "command_function", s.command_function);
            r.function(*dep, "projection_function", s.projection_function);
            if (const json* m = r.object(*dep, "/x-deployment", "mapping",
                                         {"batch_size", "batching_window_s", "starting_position",
                                          "maximum_retry_attempts", "maximum_record_age_s",
                                          "bisect_on_error", "parallelization_factor"})) {
                const std::string at = "/x-deployment/mapping";
                r.integer(*m, at, "batch_size", 1, 10000, s.mapping.batch_size);
                r.integer(*m, at, "batching_window_s", 0, 300, s.mapping.batching_window_s);
                r.one_of(*m, at, "starting_position", {"TRIM_HORIZON", "LATEST"},
                         s.mapping.starting_position);
                r.integer(*m, at, "maximum_retry_attempts", -1, 10000,
                          s.mapping.maximum_retry_attempts);
                r.integer(*m, at, "maximum_record_age_s", 60, 604800,
                          s.mapping.maximum_record_age_s, -1);
                r.boolean(*m, at, "bisect_on_error", s.mapping.bisect_on_error);
                r.integer(*m, at, "parallelization_factor", 1, 10,
                          s.mapping.parallelization_factor);
            }
        }
    }
    if (!r.problems.empty()) {
        return core::fail(core::error::validation("the domain's deployment settings are invalid",
                                                  std::move(r.problems)));
    }
    return s;
}

core::result<template_format> parse_template_format(std::string_view text) {
    if (text == "cloudformation" || text == "cfn")
        return template_format::cloudformation;
    if (text == "sam")
        return template_format::sam;
    return core::fail(core::error::invalid_argument(
        fmt::format("unknown template format '{}': use sam or cloudformation", text)));
}

json generate_stack_template(const deployment_settings& s, template_format f) {
    json t;
    t["AWSTemplateFormatVersion"] = "2010-09-09";
    if (f == template_format::sam)
        t["Transform"] = "AWS::Serverless-2016-10-31";
    t["Description"] =
        s.description.empty()
            ? fmt::format("esser domain '{}': event store, projections", s.domain_name)
            : fmt::format("esser domain '{}': {}", s.domain_name, s.description);
    json params = json::object();
    params["ReadStore"] = {
        {"Type", "String"},
        {"Default", ""},
        {"Description",
         "Where the projection function materialises each aggregate's state (ESSER_READ_STORE: "
         "postgres://..., sqlite:PATH); empty: no projection"}};
    json resources = json::object();
    table_resources_into(resources);

    auto function_name = [&](const char* suffix) {
        return json{{"Fn::Sub", fmt::format("${{AWS::StackName}}-{}", suffix)}};
    };
    if (f == template_format::cloudformation) {
        params["CodeBucket"] = {{"Type", "String"},
                                {"Description", "S3 bucket holding the esser-lambda package"}};
        params["CodeKey"] = {
            {"Type", "String"},
            {"Default", "esser-lambda.zip"},
            {"Description", "S3 key of the zip with bootstrap (esser-lambda) and domain.json"}};
        resources["CommandFunctionRole"] = role(command_statements(), "esser-command");
        resources["ProjectionFunctionRole"] = role(projection_statements(), "esser-projection");
        auto fn = [&](const function_settings& fs, const char* handler, const char* role_id,
                      bool command) {
            return json{{"Type", "AWS::Lambda::Function"},
                        {"Properties",
                         {{"FunctionName", function_name(command ? "command" : "projection")},
                          {"Runtime", "provided.al2023"},
                          {"Handler", handler},
                          {"Architectures", json::array({fs.architecture})},
                          {"MemorySize", fs.memory_mb},
                          {"Timeout", fs.timeout_s},
                          {"Code", {{"S3Bucket", ref("CodeBucket")}, {"S3Key", ref("CodeKey")}}},
                          {"Role", get_att(role_id, "Arn")},
                          {"Environment", function_environment(command)}}}};
        };
        resources["CommandFunction"] =
            fn(s.command_function, "command", "CommandFunctionRole", true);
        resources["ProjectionFunction"] =
            fn(s.projection_function, "stream", "ProjectionFunctionRole", false);
        json mp = mapping_properties(s.mapping);
        mp["EventSourceArn"] = get_att("EventsTable", "StreamArn");
        mp["FunctionName"] = ref("ProjectionFunction");
        mp["DestinationConfig"] = {
            {"OnFailure", {{"Destination", get_att("FailureQueue", "Arn")}}}};
        resources["ProjectionMapping"] = {{"Type", "AWS::Lambda::EventSourceMapping"},
                                          {"Properties", mp}};
    } else {
        params["CodeUri"] = {{"Type", "String"},
                             {"Default", "build/esser-lambda.zip"},
                             {"Description", "the esser-lambda package (bootstrap + domain.json)"}};
        auto fn = [&](const function_settings& fs, const char* handler, json statements,
                      bool command) {
            json props{{"FunctionName", function_name(command ? "command" : "projection")},
                       {"Runtime", "provided.al2023"},
                       {"Handler", handler},
                       {"Architectures", json::array({fs.architecture})},
                       {"MemorySize", fs.memory_mb},
                       {"Timeout", fs.timeout_s},
                       {"CodeUri", ref("CodeUri")},
                       {"Policies", json::array({json{{"Version", "2012-10-17"},
                                                      {"Statement", std::move(statements)}}})},
                       {"Environment", function_environment(command)}};
            return json{{"Type", "AWS::Serverless::Function"}, {"Properties", std::move(props)}};
        };
        json cmd_statements = command_statements();
        cmd_statements.push_back(logs_statement());
        json proj_statements = projection_statements();
        proj_statements.push_back(logs_statement());
        resources["CommandFunction"] = fn(s.command_function, "command", cmd_statements, true);
        resources["ProjectionFunction"] =
            fn(s.projection_function, "stream", proj_statements, false);
        json ev = mapping_properties(s.mapping);
        ev["Stream"] = get_att("EventsTable", "StreamArn");
        ev["DestinationConfig"] = {
            {"OnFailure", {{"Type", "SQS"}, {"Destination", get_att("FailureQueue", "Arn")}}}};
        resources["ProjectionFunction"]["Properties"]["Events"] = {
            {"EventStream", {{"Type", "DynamoDB"}, {"Properties", ev}}}};
    }
    t["Parameters"] = std::move(params);
    t["Resources"] = std::move(resources);
    t["Outputs"] = {
        {"EventsTableName", {{"Value", ref("EventsTable")}}},
        {"SnapshotsTableName", {{"Value", ref("SnapshotsTable")}}},
        {"EventsStreamArn", {{"Value", get_att("EventsTable", "StreamArn")}}},
        {"CommandFunctionArn", {{"Value", get_att("CommandFunction", "Arn")}}},
        {"ProjectionFunctionArn", {{"Value", get_att("ProjectionFunction", "Arn")}}},
        {"FailureQueueUrl", {{"Value", ref("FailureQueue")}}},
    };
    return t;
}

}  // namespace esser::adapters

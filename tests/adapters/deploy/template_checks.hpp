#pragma once
// Structural checks of a generated CloudFormation/SAM template (issue 10), shared by the
// generator's tests and the `esser-local template` CLI tests: every Ref / Fn::GetAtt / Fn::Sub
// variable resolves to a parameter, a resource (with an attribute that resource type has) or a
// pseudo parameter, every DependsOn names a resource, and every parameter is used.
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace esser::testing {

using nlohmann::json;

// Attributes Fn::GetAtt may ask of each resource type (CloudFormation resource reference).
inline const std::map<std::string, std::set<std::string>>& attributes() {
    static const std::map<std::string, std::set<std::string>> a{
        {"AWS::DynamoDB::Table", {"Arn", "StreamArn"}},
        {"AWS::SQS::Queue", {"Arn", "QueueName", "QueueUrl"}},
        {"AWS::IAM::Role", {"Arn", "RoleId"}},
        {"AWS::Lambda::Function", {"Arn"}},
        {"AWS::Serverless::Function", {"Arn"}},
        {"AWS::Lambda::EventSourceMapping", {"Id"}},
    };
    return a;
}

struct reference_check {
    explicit reference_check(const json& tpl) : t(tpl) {}

    const json& t;
    std::set<std::string> used_params;
    std::vector<std::string> problems;

    bool is_param(const std::string& n) const { return t["Parameters"].contains(n); }

    bool is_resource(const std::string& n) const { return t["Resources"].contains(n); }

    void name(const std::string& n, const std::string& where) {
        if (n.rfind("AWS::", 0) == 0) {
            static const std::set<std::string> pseudo{"AWS::AccountId", "AWS::Region",
                                                      "AWS::StackName", "AWS::Partition",
                                                      "AWS::URLSuffix", "AWS::StackId"};
            if (!pseudo.count(n))
                problems.push_back(where + ": unknown pseudo parameter " + n);
            return;
        }
        if (is_param(n)) {
            used_params.insert(n);
            return;
        }
        if (!is_resource(n))
            problems.push_back(where + ": " + n + " resolves to nothing");
    }

    void attribute(const std::string& res, const std::string& att, const std::string& where) {
        if (!is_resource(res)) {
            problems.push_back(where + ": GetAtt of unknown resource " + res);
            return;
        }
        const std::string type = t["Resources"][res]["Type"];
        auto it = attributes().find(type);
        if (it == attributes().end() || !it->second.count(att)) {
            problems.push_back(where + ": " + type + " has no attribute " + att);
        }
    }

    void walk(const json& j, const std::string& where) {
        if (j.is_array()) {
            for (std::size_t i = 0; i < j.size(); ++i) walk(j[i], where + "/" + std::to_string(i));
            return;
        }
        if (!j.is_object())
            return;
        if (j.size() == 1 && j.contains("Ref"))
            return name(j["Ref"], where);
        if (j.size() == 1 && j.contains("Fn::GetAtt")) {
            const json& a = j["Fn::GetAtt"];
            if (!a.is_array() || a.size() != 2)
                return problems.push_back(where + ": malformed GetAtt");
            return attribute(a[0], a[1], where);
        }
        if (j.size() == 1 && j.contains("Fn::Sub")) {
            const std::string s = j["Fn::Sub"];
            static const std::regex var(R"(\$\{([^!}][^}]*)\})");
            for (auto it = std::sregex_iterator(s.begin(), s.end(), var);
                 it != std::sregex_iterator(); ++it) {
                const std::string v = (*it)[1];
                const auto dot = v.find('.');
                if (dot == std::string::npos || v.rfind("AWS::", 0) == 0) {
                    name(v, where);
                } else {
                    attribute(v.substr(0, dot), v.substr(dot + 1), where);
                }
            }
            return;
        }
        for (const auto& [k, v] : j.items()) {
            if (k.rfind("Fn::", 0) == 0)
                problems.push_back(where + ": unexpected intrinsic " + k);
            walk(v, where + "/" + k);
        }
    }
};

inline void check_references(const json& t) {
    reference_check c(t);
    c.walk(t["Resources"], "/Resources");
    c.walk(t["Outputs"], "/Outputs");
    for (const auto& [name, r] : t["Resources"].items()) {
        if (r.contains("DependsOn")) {
            for (const auto& d : r["DependsOn"]) c.name(d, "/Resources/" + name + "/DependsOn");
        }
    }
    for (const auto& [p, v] : t["Parameters"].items()) {
        if (!c.used_params.count(p))
            c.problems.push_back("parameter " + p + " is never used");
    }
    INFO(json(c.problems).dump(2));
    CHECK(c.problems.empty());
}

}  // namespace esser::testing

#include "esser/emulator/app/stack_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr const char* account = "000000000000";

core::error bad(const std::string& pointer, const std::string& what) {
    return core::error::validation(fmt::format("template {}: {}", pointer, what),
                                   {{pointer, what}});
}

core::result<json> as_json(core::result<std::string> r) {
    if (!r)
        return core::fail(r.error());
    return json(std::move(*r));
}

std::string pointer_of(const std::string& id) {
    return "/Resources/" + id;
}

// Resolves the intrinsics of one template against the environment (header comment).
class loader {
public:
    loader(local_environment& env, const json& tpl, const stack_loader_options& o)
        : env_(env), tpl_(tpl), o_(o) {}

    core::result<std::vector<stack_resource>> run();

private:
    const json& resources() const { return tpl_["Resources"]; }

    std::string type_of(const std::string& id) const {
        const json& r = resources()[id];
        return r.is_object() && r.contains("Type") && r["Type"].is_string()
                   ? r["Type"].get<std::string>()
                   : "";
    }

    core::result<std::string> name_of(const std::string& id);
    json with_globals(const json& props) const;
    core::result<std::uint32_t> whole_number(const json& v, const std::string& at);
    core::result<json> resolve(const json& v, const std::string& at);
    core::result<std::string> resolve_string(const json& v, const std::string& at);
    core::result<std::string> ref(const std::string& name, const std::string& at);
    core::result<std::string> get_att(const std::string& id, const std::string& att,
                                      const std::string& at);
    core::result<std::string> sub(const std::string& text, const std::string& at,
                                  const json& variables = json::object());
    core::result<json> function(const std::string& fn, const json& arg, const std::string& at);
    core::result<bool> condition(const std::string& name, const std::string& at);
    core::result<bool> evaluate(const json& c, const std::string& at);

    core::result<std::string> create_table(const std::string& id, const json& props);
    core::result<std::string> create_queue(const std::string& id);
    core::result<std::string> create_function(const std::string& id, const json& props);
    core::result<std::string> create_mapping(json body, const std::string& at);

    local_environment& env_;
    const json& tpl_;
    const stack_loader_options& o_;
    std::map<std::string, std::string> names_;   // logical id -> physical name, once known
    std::vector<std::string> resolving_;         // name_of recursion guard
    std::map<std::string, bool> conditions_;     // evaluated Conditions
    std::vector<std::string> evaluating_;        // condition recursion guard
    std::map<std::string, std::string> absent_;  // resources whose Condition (named) is false
};

// SAM's Globals.Function under a function's own properties (SAM specification, "Globals":
// maps merge, lists of the global come first, a scalar of the function wins).
json loader::with_globals(const json& props) const {
    const json* globals = nullptr;
    if (tpl_.contains("Globals") && tpl_["Globals"].is_object() &&
        tpl_["Globals"].contains("Function") && tpl_["Globals"]["Function"].is_object())
        globals = &tpl_["Globals"]["Function"];
    if (!globals || !props.is_object())
        return props;
    const auto merge = [](const auto& self, const json& global, const json& own) -> json {
        if (global.is_object() && own.is_object()) {
            json out = global;
            for (const auto& [k, v] : own.items())
                out[k] = out.contains(k) ? self(self, out[k], v) : v;
            return out;
        }
        if (global.is_array() && own.is_array()) {
            json out = global;
            out.insert(out.end(), own.begin(), own.end());
            return out;
        }
        return own;
    };
    return merge(merge, *globals, props);
}

core::result<std::string> loader::name_of(const std::string& id) {
    if (auto it = names_.find(id); it != names_.end())
        return it->second;
    for (const auto& r : resolving_) {
        if (r == id)
            return core::fail(bad(pointer_of(id), "its name refers to itself"));
    }
    const std::string type = type_of(id);
    const char* member = type == "AWS::DynamoDB::Table" ? "TableName"
                         : type == "AWS::SQS::Queue"    ? "QueueName"
                         : type == "AWS::IAM::Role"     ? "RoleName"
                         : type.ends_with("::Function") ? "FunctionName"
                                                        : nullptr;
    const json& props = resources()[id].value("Properties", json::object());
    std::string name = o_.stack_name + "-" + id;
    if (member && props.is_object() && props.contains(member)) {
        resolving_.push_back(id);
        auto n = resolve_string(props[member], pointer_of(id) + "/Properties/" + member);
        resolving_.pop_back();
        if (!n)
            return n;
        name = *n;
    }
    names_[id] = name;
    return name;
}

core::result<std::string> loader::ref(const std::string& name, const std::string& at) {
    if (name == "AWS::Region")
        return env_.options().region;
    if (name == "AWS::AccountId")
        return std::string(account);
    if (name == "AWS::StackName")
        return o_.stack_name;
    if (name == "AWS::Partition")
        return std::string("aws");
    if (name == "AWS::URLSuffix")
        return std::string("amazonaws.com");
    if (auto p = o_.parameters.find(name); p != o_.parameters.end())
        return p->second;
    if (tpl_.contains("Parameters") && tpl_["Parameters"].contains(name)) {
        const json& p = tpl_["Parameters"][name];
        if (p.is_object() && p.contains("Default")) {
            const json& d = p["Default"];
            return d.is_string() ? d.get<std::string>() : d.dump();
        }
        return core::fail(
            bad(at, "parameter " + name + " has no Default, and esser-local was given no value"));
    }
    if (resources().contains(name)) {
        if (auto gone = absent_.find(name); gone != absent_.end())
            return core::fail(bad(at, "Ref " + name + ": the resource is not created (condition " +
                                          gone->second + " is false)"));
        return name_of(name);
    }
    return core::fail(bad(at, "Ref " + name + " names no parameter or resource"));
}

core::result<std::string> loader::get_att(const std::string& id, const std::string& att,
                                          const std::string& at) {
    if (!resources().contains(id))
        return core::fail(bad(at, "Fn::GetAtt of unknown resource " + id));
    if (auto gone = absent_.find(id); gone != absent_.end())
        return core::fail(bad(at, "Fn::GetAtt " + id + ": the resource is not created (condition " +
                                      gone->second + " is false)"));
    auto name = name_of(id);
    if (!name)
        return name;
    const std::string type = type_of(id);
    if (type == "AWS::DynamoDB::Table" && (att == "Arn" || att == "StreamArn")) {
        auto d = env_.dynamodb()->dispatch("DescribeTable", {{"TableName", *name}});
        if (!d)
            return core::fail(bad(at, "table " + *name + " is not created yet"));
        const json& t = (*d)["Table"];
        if (att == "Arn")
            return t["TableArn"].get<std::string>();
        if (!t.contains("LatestStreamArn"))
            return core::fail(bad(at, "table " + *name + " has no stream"));
        return t["LatestStreamArn"].get<std::string>();
    }
    if (type == "AWS::SQS::Queue" && att == "Arn")
        return env_.sqs().arn_of(*name);
    if (type == "AWS::SQS::Queue" && att == "QueueName")
        return *name;
    if (type.ends_with("::Function") && att == "Arn")
        return env_.lambda().function_arn_of(*name);
    if (type == "AWS::IAM::Role" && att == "Arn")
        return fmt::format("arn:aws:iam::{}:role/{}", account, *name);
    return core::fail(bad(at, "Fn::GetAtt " + id + "." + att + " is not emulated"));
}

core::result<std::string> loader::sub(const std::string& text, const std::string& at,
                                      const json& variables) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find("${", i);
        if (open == std::string::npos) {
            out += text.substr(i);
            break;
        }
        out += text.substr(i, open - i);
        const auto close = text.find('}', open);
        if (close == std::string::npos)
            return core::fail(bad(at, "Fn::Sub has an unterminated ${"));
        const std::string var = text.substr(open + 2, close - open - 2);
        i = close + 1;
        if (!var.empty() && var[0] == '!') {  // ${!Literal}
            out += "${" + var.substr(1) + "}";
            continue;
        }
        if (variables.contains(var)) {
            // Fn::Sub's own variables (already resolved) come before the template's names.
            const json& given = variables[var];
            out += given.is_string() ? given.get<std::string>() : given.dump();
            continue;
        }
        const auto dot = var.find('.');
        auto v = dot == std::string::npos || var.rfind("AWS::", 0) == 0
                     ? ref(var, at)
                     : get_att(var.substr(0, dot), var.substr(dot + 1), at);
        if (!v)
            return v;
        out += *v;
    }
    return out;
}

core::result<json> loader::resolve(const json& v, const std::string& at) {
    if (v.is_array()) {
        json out = json::array();
        for (std::size_t i = 0; i < v.size(); ++i) {
            auto r = resolve(v[i], at + "/" + std::to_string(i));
            if (!r)
                return r;
            if (!r->is_discarded())  // Ref AWS::NoValue: the item is not there
                out.push_back(std::move(*r));
        }
        return out;
    }
    if (!v.is_object())
        return v;
    if (v.size() == 1) {
        // Through the iterator: *items().begin() would bind to a destroyed proxy.
        const std::string key = v.begin().key();
        const json& arg = v.begin().value();
        if (key == "Ref" && arg == "AWS::NoValue")
            return json(json::value_t::discarded);
        if (key == "Ref" && arg.is_string())
            return as_json(ref(arg.get<std::string>(), at));
        if (key == "Fn::If") {
            // Only the chosen branch is resolved (the other may name what does not exist).
            if (!arg.is_array() || arg.size() != 3 || !arg[0].is_string())
                return core::fail(bad(at,
                                      "Fn::If takes [condition name, value if true, value "
                                      "if false]"));
            auto holds = condition(arg[0].get<std::string>(), at + "/Fn::If/0");
            if (!holds)
                return core::fail(holds.error());
            return resolve(arg[*holds ? 1 : 2], at + "/Fn::If/" + (*holds ? "1" : "2"));
        }
        if (key == "Fn::GetAtt" && arg.is_array() && arg.size() == 2 && arg[0].is_string() &&
            arg[1].is_string())
            return as_json(get_att(arg[0], arg[1], at));
        if (key == "Fn::Sub" && arg.is_string())
            return as_json(sub(arg.get<std::string>(), at));
        if (key.rfind("Fn::", 0) == 0) {
            auto resolved_arg = resolve(arg, at + "/" + key);
            if (!resolved_arg)
                return resolved_arg;
            return function(key, *resolved_arg, at);
        }
        if (key == "Ref")
            return core::fail(bad(at, key + " in this form is not supported by esser-local"));
    }
    json out = json::object();
    for (const auto& [k, x] : v.items()) {
        auto r = resolve(x, at + "/" + k);
        if (!r)
            return r;
        if (!r->is_discarded())  // Ref AWS::NoValue: the property is not there
            out[k] = std::move(*r);
    }
    return out;
}

// A named condition of the template's Conditions, evaluated once (CloudFormation User Guide,
// "Condition functions": Fn::Equals, Fn::And, Fn::Or, Fn::Not, {"Condition": name}).
core::result<bool> loader::condition(const std::string& name, const std::string& at) {
    if (auto it = conditions_.find(name); it != conditions_.end())
        return it->second;
    const json& all = tpl_.value("Conditions", json::object());
    if (!all.is_object() || !all.contains(name))
        return core::fail(bad(at, "condition " + name + " is not in the template's Conditions"));
    if (std::find(evaluating_.begin(), evaluating_.end(), name) != evaluating_.end())
        return core::fail(bad("/Conditions/" + name, "the condition depends on itself"));
    evaluating_.push_back(name);
    auto value = evaluate(all[name], "/Conditions/" + name);
    evaluating_.pop_back();
    if (value)
        conditions_[name] = *value;
    return value;
}

core::result<bool> loader::evaluate(const json& c, const std::string& at) {
    if (!c.is_object() || c.size() != 1)
        return core::fail(bad(at,
                              "a condition is one of Fn::Equals, Fn::And, Fn::Or, Fn::Not "
                              "or Condition"));
    const std::string fn = c.begin().key();
    const json& arg = c.begin().value();
    if (fn == "Condition" && arg.is_string())
        return condition(arg.get<std::string>(), at + "/Condition");
    if (fn == "Fn::Equals" && arg.is_array() && arg.size() == 2) {
        auto a = resolve(arg[0], at + "/Fn::Equals/0");
        if (!a)
            return core::fail(a.error());
        auto b = resolve(arg[1], at + "/Fn::Equals/1");
        if (!b)
            return core::fail(b.error());
        // CloudFormation compares values as strings: 1 equals "1".
        const auto text = [](const json& v) {
            return v.is_string() ? v.get<std::string>() : v.dump();
        };
        return text(*a) == text(*b);
    }
    const bool all = fn == "Fn::And";
    if ((all || fn == "Fn::Or") && arg.is_array() && arg.size() >= 2 && arg.size() <= 10) {
        for (std::size_t i = 0; i < arg.size(); ++i) {
            auto v = evaluate(arg[i], at + "/" + fn + "/" + std::to_string(i));
            if (!v)
                return v;
            if (*v != all)
                return !all;
        }
        return all;
    }
    if (fn == "Fn::Not" && arg.is_array() && arg.size() == 1) {
        auto v = evaluate(arg[0], at + "/Fn::Not/0");
        if (!v)
            return v;
        return !*v;
    }
    return core::fail(bad(at, fn + " in this form is not a condition esser-local evaluates"));
}

// The functions whose arguments resolve first (Fn::Sub's text, whose ${} names are not
// values, stays unresolved until sub()): CloudFormation User Guide, intrinsic function
// reference, for the shapes and the Fn::GetAZs answer (every zone of the region).
core::result<json> loader::function(const std::string& fn, const json& arg, const std::string& at) {
    const auto strings = [](const json& list) {
        return list.is_array() &&
               std::all_of(list.begin(), list.end(), [](const json& x) { return x.is_string(); });
    };
    if (fn == "Fn::Join" && arg.is_array() && arg.size() == 2 && arg[0].is_string() &&
        strings(arg[1])) {
        std::string out;
        for (std::size_t i = 0; i < arg[1].size(); ++i) {
            if (i)
                out += arg[0].get<std::string>();
            out += arg[1][i].get<std::string>();
        }
        return json(out);
    }
    if (fn == "Fn::Select" && arg.is_array() && arg.size() == 2 && arg[1].is_array()) {
        std::size_t index = 0;
        const json& i = arg[0];
        if (i.is_number_unsigned()) {
            index = i.get<std::size_t>();
        } else if (i.is_string() && !i.get<std::string>().empty() &&
                   i.get<std::string>().find_first_not_of("0123456789") == std::string::npos &&
                   i.get<std::string>().size() < 10) {
            index = std::stoul(i.get<std::string>());
        } else {
            return core::fail(bad(at, "Fn::Select needs a non-negative index"));
        }
        if (index >= arg[1].size())
            return core::fail(bad(at, fmt::format("Fn::Select index {} is out of range (the list "
                                                  "has {} items)",
                                                  index, arg[1].size())));
        return arg[1][index];
    }
    if (fn == "Fn::Split" && arg.is_array() && arg.size() == 2 && arg[0].is_string() &&
        arg[1].is_string() && !arg[0].get<std::string>().empty()) {
        const std::string sep = arg[0];
        const std::string text = arg[1];
        json out = json::array();
        std::size_t from = 0;
        for (auto p = text.find(sep); p != std::string::npos; p = text.find(sep, from)) {
            out.push_back(text.substr(from, p - from));
            from = p + sep.size();
        }
        out.push_back(text.substr(from));
        return out;
    }
    if (fn == "Fn::Sub" && arg.is_array() && arg.size() == 2 && arg[0].is_string() &&
        arg[1].is_object())
        return as_json(sub(arg[0].get<std::string>(), at, arg[1]));
    if (fn == "Fn::Base64" && arg.is_string())
        return json(base64_encode(arg.get<std::string>()));
    if (fn == "Fn::GetAZs" && arg.is_string()) {
        const std::string region =
            arg.get<std::string>().empty() ? env_.options().region : arg.get<std::string>();
        return json{region + "a", region + "b", region + "c"};
    }
    if (fn == "Fn::FindInMap" && strings(arg) && arg.size() == 3) {
        const json& maps = tpl_.value("Mappings", json::object());
        const std::string m = arg[0], k1 = arg[1], k2 = arg[2];
        if (!maps.is_object() || !maps.contains(m) || !maps[m].is_object() ||
            !maps[m].contains(k1) || !maps[m][k1].is_object() || !maps[m][k1].contains(k2))
            return core::fail(bad(at, "Fn::FindInMap: /Mappings/" + m + "/" + k1 + "/" + k2 +
                                          " is not in the template"));
        return maps[m][k1][k2];
    }
    return core::fail(bad(at, fn + " in this form is not supported by esser-local"));
}

// A whole number as CloudFormation takes one: a JSON integer or its decimal text, after
// intrinsics (a YAML !FindInMap, say).
core::result<std::uint32_t> loader::whole_number(const json& v, const std::string& at) {
    auto r = resolve(v, at);
    if (!r)
        return core::fail(r.error());
    if (r->is_number_unsigned() && r->get<std::uint64_t>() <= UINT32_MAX)
        return r->get<std::uint32_t>();
    if (r->is_string()) {
        const std::string t = r->get<std::string>();
        std::uint32_t n = 0;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (!t.empty() && ec == std::errc() && end == t.data() + t.size())
            return n;
    }
    return core::fail(bad(at, "must be a whole number"));
}

core::result<std::string> loader::resolve_string(const json& v, const std::string& at) {
    auto r = resolve(v, at);
    if (!r)
        return core::fail(r.error());
    if (!r->is_string())
        return core::fail(bad(at, "must be a string"));
    return r->get<std::string>();
}

core::result<std::string> loader::create_table(const std::string& id, const json& props) {
    auto name = name_of(id);
    if (!name)
        return name;
    json req{{"TableName", *name}};
    for (const char* m :
         {"AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
          "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "TableClass", "StreamSpecification"}) {
        if (!props.contains(m))
            continue;
        auto v = resolve(props[m], pointer_of(id) + "/Properties/" + m);
        if (!v)
            return core::fail(v.error());
        if (!v->is_discarded())
            req[m] = std::move(*v);
    }
    if (req.contains("StreamSpecification") && req["StreamSpecification"].is_object())
        req["StreamSpecification"]["StreamEnabled"] = true;
    auto made = env_.dynamodb()->dispatch("CreateTable", req);
    if (!made)
        return core::fail(bad(pointer_of(id), made.error().type + ": " + made.error().message));
    return *name;
}

core::result<std::string> loader::create_queue(const std::string& id) {
    auto name = name_of(id);
    if (!name)
        return name;
    auto made = env_.sqs().create(*name);
    if (!made)
        return core::fail(bad(pointer_of(id), made.error().message));
    return *name;
}

core::result<std::string> loader::create_function(const std::string& id, const json& props) {
    const std::string at = pointer_of(id) + "/Properties";
    if (o_.lambda_binary.empty())
        return core::fail(bad(at, "no esser-lambda executable to run it (--lambda-binary)"));
    if (o_.domain_file.empty())
        return core::fail(bad(at, "its functions need the domain: serve it with --domain"));
    auto name = name_of(id);
    if (!name)
        return name;
    function_config c;
    c.name = *name;
    c.kind = function_kind::executable;
    c.command = {o_.lambda_binary};
    if (props.contains("Handler")) {
        auto h = resolve_string(props["Handler"], at + "/Handler");
        if (!h)
            return h;
        c.handler = *h;
    }
    if (props.contains("Runtime") && props["Runtime"].is_string())
        c.runtime = props["Runtime"];
    if (props.contains("MemorySize")) {
        auto mb = whole_number(props["MemorySize"], at + "/MemorySize");
        if (!mb)
            return core::fail(mb.error());
        c.memory_size_mb = static_cast<std::uint32_t>(*mb);
    }
    if (props.contains("Timeout")) {
        auto seconds = whole_number(props["Timeout"], at + "/Timeout");
        if (!seconds)
            return core::fail(seconds.error());
        c.timeout = std::chrono::seconds(*seconds);
    }
    if (props.contains("Environment")) {
        auto vars = resolve(props["Environment"].value("Variables", json::object()),
                            at + "/Environment/Variables");
        if (!vars)
            return core::fail(vars.error());
        for (const auto& [k, v] : vars->items()) {
            if (!v.is_string())
                return core::fail(bad(at + "/Environment/Variables/" + k, "must be a string"));
            c.environment[k] = v.get<std::string>();
        }
    }
    // The package's domain.json is not here: the functions run the domain esser-local serves.
    if (!o_.domain_file.empty())
        c.environment["ESSER_DOMAIN_FILE"] = o_.domain_file;
    auto made = env_.lambda().create_function(std::move(c));
    if (!made)
        return core::fail(bad(pointer_of(id), made.error().type + ": " + made.error().message));
    return *name;
}

core::result<std::string> loader::create_mapping(json body, const std::string& at) {
    auto config = parse_create_request(body);
    if (!config)
        return core::fail(bad(at, config.error().type + ": " + config.error().message));
    auto made = env_.mappings().create(std::move(*config));
    if (!made)
        return core::fail(bad(at, made.error().type + ": " + made.error().message));
    return made->uuid;
}

core::result<std::vector<stack_resource>> loader::run() {
    if (!tpl_.is_object() || !tpl_.contains("Resources") || !tpl_["Resources"].is_object())
        return core::fail(bad("/Resources", "a template needs a Resources object"));
    std::vector<stack_resource> out;
    // 0. A resource whose Condition is false is not part of the stack.
    for (const auto& [id, r] : resources().items()) {
        if (!r.is_object() || !r.contains("Condition"))
            continue;
        if (!r["Condition"].is_string())
            return core::fail(bad(pointer_of(id) + "/Condition", "must name a condition"));
        auto holds = condition(r["Condition"].get<std::string>(), pointer_of(id) + "/Condition");
        if (!holds)
            return core::fail(holds.error());
        if (!*holds)
            absent_[id] = r["Condition"].get<std::string>();
    }
    auto props_of = [&](const std::string& id) {
        const json& r = resources()[id];
        json props = r.value("Properties", json::object());
        if (type_of(id) == "AWS::Serverless::Function")
            props = with_globals(props);
        return props;
    };
    // The resources in creation order: tables and queues (what the others refer to), then
    // functions, then mappings (explicit ones, and SAM functions' DynamoDB events) and the rest.
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [id, r] : resources().items()) {
        const std::string type = type_of(id);
        if (absent_.contains(id))
            continue;
        if (type.empty())
            return core::fail(bad(pointer_of(id), "a resource needs a Type"));
        if (type == "AWS::DynamoDB::Table" || type == "AWS::SQS::Queue") {
            order.emplace_back(0, id);
            continue;
        }
        if (type == "AWS::Lambda::Function" || type == "AWS::Serverless::Function")
            order.emplace_back(1, id);
        if (type != "AWS::Lambda::Function")
            order.emplace_back(2, id);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [phase, id] : order) {
        const std::string type = type_of(id);
        if (phase < 2) {
            auto made = phase == 1                       ? create_function(id, props_of(id))
                        : type == "AWS::DynamoDB::Table" ? create_table(id, props_of(id))
                                                         : create_queue(id);
            if (!made)
                return core::fail(made.error());
            out.push_back({id, type, *made, false, {}});
            continue;
        }
        const std::string at = pointer_of(id) + "/Properties";
        if (type == "AWS::Lambda::EventSourceMapping") {
            auto body = resolve(props_of(id), at);
            if (!body)
                return core::fail(body.error());
            auto made = create_mapping(std::move(*body), at);
            if (!made)
                return core::fail(made.error());
            out.push_back({id, type, *made, false, {}});
        } else if (type == "AWS::Serverless::Function") {
            const json events = props_of(id).value("Events", json::object());
            for (const auto& [event_id, ev] : events.items()) {
                const std::string ev_at = at + "/Events/" + event_id;
                const std::string ev_type =
                    ev.is_object() && ev.contains("Type") && ev["Type"].is_string()
                        ? ev["Type"].get<std::string>()
                        : "?";
                if (ev_type != "DynamoDB") {
                    out.push_back(
                        {id + "." + event_id, "SAM event " + ev_type, "", true, "not emulated"});
                    continue;
                }
                auto body = resolve(ev.value("Properties", json::object()), ev_at + "/Properties");
                if (!body)
                    return core::fail(body.error());
                // SAM's shape -> CreateEventSourceMapping's.
                if (body->contains("Stream")) {
                    (*body)["EventSourceArn"] = (*body)["Stream"];
                    body->erase("Stream");
                }
                if (body->contains("DestinationConfig") &&
                    (*body)["DestinationConfig"].contains("OnFailure"))
                    (*body)["DestinationConfig"]["OnFailure"].erase("Type");
                (*body)["FunctionName"] = names_.at(id);
                auto made = create_mapping(std::move(*body), ev_at);
                if (!made)
                    return core::fail(made.error());
                out.push_back(
                    {id + "." + event_id, "AWS::Lambda::EventSourceMapping", *made, false, {}});
            }
        } else {
            out.push_back({id, type, "", true, "not emulated"});
        }
    }
    for (const auto& [id, cond] : absent_)
        out.push_back({id, type_of(id), "", true, "condition " + cond + " is false"});
    return out;
}

}  // namespace

core::result<std::vector<stack_resource>> load_stack(local_environment& env,
                                                     const nlohmann::json& tpl,
                                                     const stack_loader_options& options) {
    loader l(env, tpl, options);
    return l.run();
}

}  // namespace esser::emulator

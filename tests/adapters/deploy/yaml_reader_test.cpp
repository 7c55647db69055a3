// Issue 10 (serve --template reads YAML as users write templates): the YAML subset reader
// (yaml_reader.hpp) -- every accepted construct against the JSON it must give, CloudFormation's
// short-form tags in their long forms, the refusals with their line:column, every prefix of a
// template read without a crash, and `esser-local template` output dumped to YAML by
// python3-yaml in four styles reading back as the same JSON. template_file.hpp picks JSON or
// YAML by content.
#include "esser/adapters/deploy/yaml_reader.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "esser/adapters/deploy/template_file.hpp"
#include "esser/emulator/app/commands.hpp"

using esser::adapters::read_cloudformation_yaml;
using nlohmann::json;

namespace {

json read(const std::string& text) {
    auto r = read_cloudformation_yaml(text);
    INFO(text);
    if (!r)
        FAIL(r.error().message);
    return *r;
}

std::string error_of(const std::string& text) {
    auto r = read_cloudformation_yaml(text);
    INFO(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == esser::core::errc::parse_error);
    return r.error().message;
}

}  // namespace

TEST_CASE("yaml_reader reads block and flow collections", "[deploy][yaml_reader]") {
    CHECK(read("a: 1\nb:\n  c: x\n  d: [1, 2]\n") ==
          json{{"a", 1}, {"b", {{"c", "x"}, {"d", {1, 2}}}}});
    // A sequence at its key's indentation, compact collections in entries, nested sequences.
    CHECK(
        read("Statement:\n- Effect: Allow\n  Action:\n    - a\n    - b\n- - x\n  - y\nEnd: 1\n") ==
        json{{"Statement", {{{"Effect", "Allow"}, {"Action", {"a", "b"}}}, {"x", "y"}}},
             {"End", 1}});
    // Flow collections over lines, with comments, trailing commas, quoted keys, empty values.
    CHECK(read("f: {a: plain over\n  two lines, b: [x\n\n  y]}\n") ==
          json{{"f", {{"a", "plain over two lines"}, {"b", {"x\ny"}}}}});
    CHECK(read("m: {a: 1, 'b c': [x, y,],\n    # a comment\n    \"d\": {}, e}\n") ==
          json{{"m", {{"a", 1}, {"b c", {"x", "y"}}, {"d", json::object()}, {"e", nullptr}}}});
    CHECK(read("- []\n- {}\n-\n- ~\n") == json{json::array(), json::object(), nullptr, nullptr});
    // An empty value, comments everywhere, a document start and end marker.
    CHECK(read("# head\n---\nk:   # nothing\nl: v # trailing\n...\n# after\n") ==
          json{{"k", nullptr}, {"l", "v"}});
    CHECK(read("") == nullptr);
    CHECK(read("just text") == "just text");
    // Indented root, keys with spaces before the colon, colons inside values.
    CHECK(read("  a : http://x:80/p\n  b: arn:aws:s3:::bucket\n") ==
          json{{"a", "http://x:80/p"}, {"b", "arn:aws:s3:::bucket"}});
    // CR LF line ends and a byte order mark.
    CHECK(read("\xEF\xBB\xBF"
               "a: 1\r\nb: 2\r\n") == json{{"a", 1}, {"b", 2}});
}

TEST_CASE("yaml_reader resolves plain scalars where YAML 1.1 and 1.2 agree and keeps quoted text",
          "[deploy][yaml_reader]") {
    CHECK(read("[null, Null, ~, true, False, TRUE, 0, 12, -3, +4, 0x1F, 1.5, -2.0e+3, .5, 7.]") ==
          json::parse("[null,null,null,true,false,true,0,12,-3,4,31,1.5,-2000.0,0.5,7.0]"));
    // What YAML 1.1 and 1.2 read differently stays text, as do .inf and huge integers.
    CHECK(read("[yes, no, on, 2010-09-09, '1', \"2\", 1:30, .inf, .nan, 1_000, 017, 0o17, 1e3, "
               "1.5e3, 0b1, 123456789012345678901234567890]") ==
          json{"yes", "no", "on", "2010-09-09", "1", "2", "1:30", ".inf", ".nan", "1_000", "017",
               "0o17", "1e3", "1.5e3", "0b1", "123456789012345678901234567890"});
    // The core schema's tags, as PyYAML writes them for quoted non-strings.
    CHECK(read("[!!str 1, !!int \"512\", !!float '1', !!bool \"true\", !!null '', !!seq [], "
               "!!map {}]") == json{"1", 512, 1.0, true, nullptr, json::array(), json::object()});
    CHECK(read("a: 9223372036854775807\nb: -9223372036854775808\nc: 18446744073709551615\n") ==
          json{{"a", INT64_MAX}, {"b", INT64_MIN}, {"c", UINT64_MAX}});
}

TEST_CASE("yaml_reader reads quoted, multi-line and block scalars as YAML folds them",
          "[deploy][yaml_reader]") {
    CHECK(read(R"(a: 'it''s # not a comment')") == json{{"a", "it's # not a comment"}});
    CHECK(read(R"(a: "tab\there \"q\" \\ \/ \x41\u00e9\U0001F600 \ud83d\ude00")") ==
          json{{"a", "tab\there \"q\" \\ / A\xC3\xA9\xF0\x9F\x98\x80 \xF0\x9F\x98\x80"}});
    // Folding: one break -> space, an empty line -> newline, an escaped break joins.
    CHECK(read("a: \"one\n   two\n\n   three \\\n   four\"\n") ==
          json{{"a", "one two\nthree four"}});
    CHECK(read("a: 'x\n  y'\n") == json{{"a", "x y"}});
    CHECK(read("a: plain\n  continued\n\n  again\nb: 1\n") ==
          json{{"a", "plain continued\nagain"}, {"b", 1}});
    CHECK(read("- a\n  - b\n") == json{"a - b"});
    // Literal and folded block scalars with each chomping, explicit indentation.
    const std::string lit = "a: |\n  line 1\n    indented\n\n  line 3\n\n\nb: 1\n";
    CHECK(read(lit) == json{{"a", "line 1\n  indented\n\nline 3\n"}, {"b", 1}});
    CHECK(read("a: |-\n  x\n  y\n\n") == json{{"a", "x\ny"}});
    CHECK(read("a: |+\n  x\n\n\nb: 1\n") == json{{"a", "x\n\n\n"}, {"b", 1}});
    CHECK(read("a: >\n  folded\n  text\n\n  para\n    kept\n  end\n") ==
          json{{"a", "folded text\npara\n  kept\nend\n"}});
    CHECK(read("a: >-\n  x\n  y\n") == json{{"a", "x y"}});
    CHECK(read("a: |2\n    two more\n  base\n") == json{{"a", "  two more\nbase\n"}});
    CHECK(read("- |\n  in a list\n- >+\n  kept\n\n- x\n") == json{"in a list\n", "kept\n\n", "x"});
    CHECK(read("a: |\nb: 1\n") == json{{"a", ""}, {"b", 1}});
    CHECK(read("Code: |\n  #!/bin/sh\n  echo \"hi\" # not a comment\n") ==
          json{{"Code", "#!/bin/sh\necho \"hi\" # not a comment\n"}});
}

TEST_CASE("yaml_reader maps CloudFormation's short-form tags to their long forms",
          "[deploy][yaml_reader]") {
    const std::string text = R"(Resources:
  Fn:
    Properties:
      Name: !Ref Table
      Arn: !GetAtt Table.StreamArn
      Deep: !GetAtt Db.Endpoint.Address
      List: !GetAtt [Table, Arn]
      Url: !Sub 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com'
      Vars: !Sub
        - '${A}-${B}'
        - {A: !Ref X, B: b}
      Joined: !Join [',', [!Ref A, !GetAtt B.Arn, c]]
      Picked: !Select [0, !GetAZs '']
      Bare: !GetAZs
      Split: !Split [',', 'a,b']
      Map: !FindInMap [M, !Ref 'AWS::Region', Key]
      Chosen: !If
        - IsProd
        - !Ref Big
        - !Ref AWS::NoValue
      Cond: !Equals [!Ref Env, prod]
      Not: !Not [!Condition IsProd]
      B64: !Base64 |
        #!/bin/sh
      Imported: !ImportValue {"Fn::Sub": "${Stack}-Arn"}
)";
    const json p = read(text)["Resources"]["Fn"]["Properties"];
    CHECK(p["Name"] == json{{"Ref", "Table"}});
    CHECK(p["Arn"] == json{{"Fn::GetAtt", {"Table", "StreamArn"}}});
    CHECK(p["Deep"] == json{{"Fn::GetAtt", {"Db", "Endpoint.Address"}}});
    CHECK(p["List"] == json{{"Fn::GetAtt", {"Table", "Arn"}}});
    CHECK(p["Url"] == json{{"Fn::Sub", "https://${Api}.execute-api.${AWS::Region}.amazonaws.com"}});
    CHECK(p["Vars"] == json{{"Fn::Sub", {"${A}-${B}", {{"A", {{"Ref", "X"}}}, {"B", "b"}}}}});
    CHECK(p["Joined"] ==
          json{{"Fn::Join", {",", {{{"Ref", "A"}}, {{"Fn::GetAtt", {"B", "Arn"}}}, "c"}}}});
    CHECK(p["Picked"] == json{{"Fn::Select", {0, {{"Fn::GetAZs", ""}}}}});
    CHECK(p["Bare"] == json{{"Fn::GetAZs", ""}});
    CHECK(p["Split"] == json{{"Fn::Split", {",", "a,b"}}});
    CHECK(p["Map"] == json{{"Fn::FindInMap", {"M", {{"Ref", "AWS::Region"}}, "Key"}}});
    CHECK(p["Chosen"] == json{{"Fn::If", {"IsProd", {{"Ref", "Big"}}, {{"Ref", "AWS::NoValue"}}}}});
    CHECK(p["Cond"] == json{{"Fn::Equals", {{{"Ref", "Env"}}, "prod"}}});
    CHECK(p["Not"] == json{{"Fn::Not", {{{"Condition", "IsProd"}}}}});
    CHECK(p["B64"] == json{{"Fn::Base64", "#!/bin/sh\n"}});
    CHECK(p["Imported"] == json{{"Fn::ImportValue", {{"Fn::Sub", "${Stack}-Arn"}}}});
    // A tagged plain scalar is text, whatever it looks like.
    CHECK(read("a: !Ref 123") == json{{"a", {{"Ref", "123"}}}});
}

TEST_CASE("yaml_reader refuses what it does not read, at the right line and column",
          "[deploy][yaml_reader]") {
    struct refusal {
        std::string text;
        std::string message;  // the start of the error
    };

    const std::vector<refusal> cases{
        {"a: &x 1\nb: *x\n", "1:4: anchors and aliases (&name)"},
        {"a: 1\nb: *x\n", "2:4: anchors and aliases (*name)"},
        {"base: 1\n<<: {a: 1}\n", "2:1: merge keys (<<)"},
        {"? complex\n: key\n", "1:1: complex mapping keys"},
        {"[a]: 1\n", "1:1: collections as mapping keys"},
        {"{[a]: 1}\n", "1:2: collections as mapping keys"},
        {"a: 1\n---\nb: 2\n", "2:1: several documents in one stream"},
        {"a: 1\n...\n---\nb: 2\n", "3:1: several documents in one stream"},
        {"%YAML 1.2\n---\na: 1\n", "1:1: directives"},
        {"a: !!binary aGk=\n", "1:4: YAML tag !!binary is not supported"},
        {"a: !!int x\n", "1:4: 'x' is not a valid int"},
        {"a: !!float .inf\n", "1:4: '.inf' is not a valid float"},
        {"a: !!map [1]\n", "1:4: !!map on a node that is not a mapping"},
        {"a: !Foo x\n", "1:4: unknown tag !Foo"},
        {"a: !GetAtt nodot\n", "1:4: !GetAtt takes logicalName.attributeName"},
        {"a: !Ref\n", "1:4: !Ref takes a name"},
        {"a: 1\na: 2\n", "2:1: duplicate mapping key 'a'"},
        {"{a: 1, a: 2}", "1:8: duplicate mapping key 'a'"},
        {"a:\n\tb: 1\n", "2:1: tabs are not allowed in indentation"},
        {"a: 1\n  b: 2\n", "2:4: mapping values are not allowed here"},
        {"a:\n  b: 1\n    c: 2\n", "3:6: mapping values are not allowed here"},
        {"a:\n  b: 'x'\n    c: 2\n", "3:5: unexpected indentation"},
        {"- 'a'\n  - b\n", "2:3: unexpected indentation"},
        {"a: b: c\n", "1:5: mapping values are not allowed here"},
        {"a: - b\n", "1:4: a block sequence cannot start on the line of its key"},
        {"a: 'open\n", "1:4: unterminated single-quoted string"},
        {"a: \"open\nb: 1\n", "1:4: unterminated double-quoted string"},
        {"a: [1, 2}\n", "1:9: expected ',' or ']'"},
        {"a: [1, 2", "1:4: unterminated flow sequence"},
        {"a: {b: 1", "1:4: unterminated flow mapping"},
        {"a: [b: 1]\n", "1:6: single-pair mappings inside a flow sequence"},
        {"a: [1,,2]\n", "1:7: expected a value before ','"},
        {"a: \"bad \\q escape\"\n", "1:9: unknown escape \\q"},
        {"a: \"\\u12\"\n", "1:5: \\u needs 4 hex digits"},
        {"a: \"\\ud800\"\n", "1:5: an escape that is not a Unicode character"},
        {"a: 'x' y\n", "1:8: unexpected text after the value"},
        {"a: |x\n  b\n", "1:5: unexpected text after the block scalar indicator"},
        {"a: |\n\n     \n  x\n", "3:1: a leading empty line is more indented"},
        {"a: @x\n", "1:4: a plain value cannot start with '@'"},
        {"a: 1\nb\n", "2:1: expected a mapping key"},
        {"- a\nb: 1\n", "2:1: unexpected content after the document"},
        {"a: \xff\n", "1:4: invalid UTF-8"},
        {"a: \x01\n", "1:4: control character 0x01"},
        {std::string(300, '[') + std::string(300, ']'), "1:200: nesting deeper than 200 levels"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const std::string message = error_of(c.text);
        CHECK(message.substr(0, c.message.size()) == c.message);
    }
    // Deep block nesting is refused too, never a stack overflow.
    std::string deep;
    for (int i = 0; i < 400; ++i) deep += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    CHECK(error_of(deep).find("nesting deeper than 200 levels") != std::string::npos);
}

// Robustness: every prefix of a template (cut anywhere, mid-token included) reads to a value or
// to a parse error, never a crash or a hang.
TEST_CASE("yaml_reader reads every prefix of a template without crashing",
          "[deploy][yaml_reader]") {
    const std::string text =
        "Resources: # r\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      Keys: [{A: 'x''y', B: \"q\\n\"}, !Ref Z]\n      Doc: |\n        a\n\n        b\n"
        "      Other: >-\n        c\n      List:\n      - !GetAtt T.Arn\n      - - 1\n";
    REQUIRE(read_cloudformation_yaml(text));
    std::size_t errors = 0;
    for (std::size_t n = 0; n <= text.size(); ++n) {
        auto r = read_cloudformation_yaml(text.substr(0, n));
        if (!r) {
            ++errors;
            CHECK(r.error().message.find(':') != std::string::npos);
        }
    }
    CHECK(errors > 0);
}

// template_file: JSON by content, else YAML; errors carry the file name.
TEST_CASE("read_template_text picks JSON or YAML by the content", "[deploy][yaml_reader]") {
    using esser::adapters::read_template_text;
    CHECK(*read_template_text("  {\"Resources\": {}}", "t.json") ==
          json{{"Resources", json::object()}});
    CHECK(*read_template_text("Resources: {}\n", "t.yaml") == json{{"Resources", json::object()}});
    auto bad_json = read_template_text("{oops", "t.json");
    REQUIRE_FALSE(bad_json);
    CHECK(bad_json.error().describe().find("t.json") != std::string::npos);
    auto bad_yaml = read_template_text("a: [", "t.yaml");
    REQUIRE_FALSE(bad_yaml);
    CHECK(bad_yaml.error().describe().find("t.yaml: parse_error: 1:4: ") == 0);
    auto missing = esser::adapters::read_template_file("/nonexistent/t.yaml");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == esser::core::errc::not_found);
}

// The generated templates, dumped to YAML by python3-yaml (PyYAML, an independent writer) in
// block style, flow style, all double-quoted and all single-quoted with a narrow width (so long
// strings fold over lines), read back as exactly the JSON they came from.
TEST_CASE("templates dumped to YAML by python3-yaml read back as the same JSON",
          "[deploy][yaml_reader]") {
    const std::string format = GENERATE(std::string("sam"), std::string("cloudformation"));
    std::ostringstream out, err;
    REQUIRE(
        esser::emulator::esser_local_main(std::vector<std::string>{"template", "--format", format},
                                          esser::emulator::command_io{out, err}) == 0);
    const json original = json::parse(out.str());
    const std::string base = std::string(ESSER_BINARY_DIR) + "/yaml_reader_" + format;
    std::ofstream(base + ".json") << out.str();
    const std::string script =
        "import json, sys, yaml\n"
        "t = json.load(open(sys.argv[1]))\n"
        "styles = {'block': dict(default_flow_style=False),\n"
        "          'flow': dict(default_flow_style=True),\n"
        "          'double': dict(default_style='\"', width=40),\n"
        "          'single': dict(default_style=\"'\", width=30)}\n"
        "for name, kw in styles.items():\n"
        "    open(sys.argv[1] + '.' + name + '.yaml', 'w').write(yaml.safe_dump(t, **kw))\n";
    std::ofstream(base + ".py") << script;
    REQUIRE(std::system(("/usr/bin/python3 '" + base + ".py' '" + base + ".json'").c_str()) == 0);
    for (const char* style : {"block", "flow", "double", "single"}) {
        INFO(format << " " << style);
        auto read_back = esser::adapters::read_template_file(base + ".json." + style + ".yaml");
        if (!read_back)
            FAIL(read_back.error().describe());
        CHECK(*read_back == original);
    }
}

// Differential check against python3-yaml: random documents (awkward strings, numbers that look
// like strings and the reverse, nested collections) dumped by PyYAML in random styles and widths,
// read back as what PyYAML itself reads from the same text. Keys stay on one line and below 128
// characters (PyYAML writes longer or multi-line keys as complex keys, which are refused).
TEST_CASE("random documents written by python3-yaml read as python3-yaml reads them",
          "[deploy][yaml_reader]") {
    const std::string base = std::string(ESSER_BINARY_DIR) + "/yaml_reader_random";
    std::ofstream(base + ".py") << R"(import json, random, sys, yaml
random.seed(20261126)
words = ["a", "b c", "x: y", "- z", "#h", "it's", 'q"d', "", " lead", "trail ", "yes", "null",
         "1.5", "0x1F", "017", "1e3", "2010-09-09", "multi\nline", "tab\there", "\u00fcn\u00ef",
         "\U0001F600", "${AWS::Region}", "!Ref", "&a", "*b", "[x]", "{y}", "a,b", "? k", "%x",
         "@x", "`x`", "long " * 20, "\n\nlead newlines", "trailing\n\n", "back\\slash", "-1",
         ".5", "~", "True", "on", "<<"]
keys = [w for w in words if "\n" not in w]
def node(depth=0):
    r = random.random()
    if depth > 4 or r < 0.4:
        k = random.random()
        if k < 0.6: return random.choice(words)
        if k < 0.75: return random.randint(-10**12, 10**12)
        if k < 0.85: return random.choice([True, False, None])
        return random.choice([0.5, -2.25, 1e20, 3.0])
    if r < 0.7:
        return {random.choice(keys) + str(random.randint(0, 3)): node(depth + 1)
                for _ in range(random.randint(0, 4))}
    return [node(depth + 1) for _ in range(random.randint(0, 4))]
for i in range(int(sys.argv[2])):
    kw = dict(default_flow_style=random.choice([None, True, False]),
              width=random.choice([20, 40, 80, 1000]), indent=random.choice([2, 3, 4]),
              allow_unicode=random.choice([True, False]),
              default_style=random.choice([None, None, '"', "'", "|", ">"]))
    text = yaml.safe_dump({"Root": node()}, **kw)
    open(f"{sys.argv[1]}.{i}.yaml", "w").write(text)
    json.dump(yaml.safe_load(text), open(f"{sys.argv[1]}.{i}.json", "w"))
)";
    constexpr int documents = 150;
    REQUIRE(std::system(
                ("/usr/bin/python3 '" + base + ".py' '" + base + "' " + std::to_string(documents))
                    .c_str()) == 0);
    for (int i = 0; i < documents; ++i) {
        const std::string name = base + "." + std::to_string(i);
        std::ifstream yaml_in(name + ".yaml"), json_in(name + ".json");
        std::stringstream text;
        text << yaml_in.rdbuf();
        const json expected = json::parse(json_in);
        INFO(text.str());
        CHECK(read(text.str()) == expected);
    }
}

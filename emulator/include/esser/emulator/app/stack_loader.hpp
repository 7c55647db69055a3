#pragma once
// stack_loader: `esser-local serve --template FILE` (issue 10). Creates, in a running
// local_environment, the tables, queues, functions and event source mappings a CloudFormation
// or SAM template describes (the JSON `esser-local template` writes, or a template written by
// hand in JSON or YAML: adapters::read_template_file), so that the same file drives the cloud
// stack and the local one.
//
// What each resource type becomes (names as CloudFormation would give them, without its random
// suffix: "<stack>-<LogicalId>", or the resource's own TableName / QueueName / FunctionName):
//   AWS::DynamoDB::Table            CreateTable on the engine (AttributeDefinitions, KeySchema,
//                                   BillingMode, ProvisionedThroughput, Global/Local secondary
//                                   indexes, TableClass; a StreamSpecification enables the stream)
//   AWS::SQS::Queue                 a queue of esser-local's SQS (on-failure destinations)
//   AWS::Lambda::Function,          an executable function running options.lambda_binary
//   AWS::Serverless::Function       (esser-lambda) with the Handler, MemorySize, Timeout and
//                                   Environment.Variables of the template; ESSER_DOMAIN_FILE is
//                                   the domain esser-local serves (the package's domain.json is
//                                   not local). Code, Role, Policies, Architectures are ignored.
//                                   A SAM function starts from Globals.Function (maps merged,
//                                   lists appended, its own scalars winning).
//   AWS::Lambda::EventSourceMapping, and a SAM function's Events of Type DynamoDB
//                                   CreateEventSourceMapping with the template's settings
//   AWS::IAM::Role                  nothing (esser-local does not evaluate IAM); listed as skipped
// Any other type is listed as skipped, never silently dropped.
//
// Intrinsics resolved: Ref (parameters: options.parameters, else the parameter's Default;
// resources: their names; pseudo parameters AWS::Region, AWS::AccountId, AWS::StackName,
// AWS::Partition, AWS::URLSuffix), Fn::GetAtt (Table Arn/StreamArn, Queue Arn/QueueUrl/
// QueueName, Function Arn), Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::Base64,
// Fn::FindInMap (the template's Mappings), Fn::GetAZs (zones a, b, c of the region), Fn::If
// over the template's Conditions (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition; only the
// chosen branch is resolved), Ref AWS::NoValue (the property or item is left out). A resource
// whose Condition is false is not created (listed as skipped). Anything else in a value
// esser-local needs (Fn::ImportValue, Fn::Cidr, ...) is an error naming its JSON Pointer.
//
// Errors (core::errc::validation or invalid_argument, naming the resource by pointer): not a
// template, an unresolvable reference, a resource the engine refuses (its AWS error message).
// Resources are created in dependency order (tables and queues, functions, mappings); a failure
// leaves what was created before it in place (esser-local then refuses to start).

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::emulator {

class local_environment;

struct stack_loader_options {
    std::string stack_name = "local";               // AWS::StackName
    std::string lambda_binary;                      // the esser-lambda executable functions run
    std::string domain_file;                        // ESSER_DOMAIN_FILE given to the functions
    std::map<std::string, std::string> parameters;  // override the template's Defaults
};

struct stack_resource {
    std::string logical_id;
    std::string type;
    std::string physical_id;  // table/queue/function name, mapping UUID; empty when skipped
    bool skipped = false;     // nothing was created (IAM, unknown types, a false Condition)
    std::string skip_reason;  // "not emulated", "condition IsProd is false"
};

core::result<std::vector<stack_resource>> load_stack(local_environment& env,
                                                     const nlohmann::json& tpl,
                                                     const stack_loader_options& options);

}  // namespace esser::emulator

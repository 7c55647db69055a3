#include "operation_schemas.hpp"

#include <map>

namespace esser::emulator::schema {

namespace {

// ---- shared members ----

field return_consumed_capacity() {
    return string_field("ReturnConsumedCapacity", {one_of({"INDEXES", "TOTAL", "NONE"})});
}

field return_item_collection_metrics() {
    return string_field("ReturnItemCollectionMetrics", {one_of({"SIZE", "NONE"})});
}

field return_values() {
    return string_field("ReturnValues",
                        {one_of({"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"})});
}

field return_values_on_condition_check_failure() {
    return string_field("ReturnValuesOnConditionCheckFailure", {one_of({"ALL_OLD", "NONE"})});
}

field conditional_operator() {
    return string_field("ConditionalOperator", {one_of({"OR", "AND"})});
}

field expression_attribute_values() {
    return attr_map_field("ExpressionAttributeValues");
}

field expression_attribute_names() {
    return map_field("ExpressionAttributeNames", "java.lang.String", string_field("member"));
}

field attributes_to_get() {
    return list_field("AttributesToGet", string_field("member"), {min_length(1), max_length(255)});
}

field expected() {
    return map_field(
        "Expected", "ExpectedAttributeValue",
        value_struct(
            "ExpectedAttributeValue",
            {list_field("AttributeValueList", attr_value_field("member")),
             string_field("ComparisonOperator",
                          {one_of({"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                                   "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"})}),
             bool_field("Exists"), attr_value_field("Value")}));
}

field conditions(std::string_view name) {  // KeyConditions, QueryFilter, ScanFilter
    return map_field(
        name, "Condition",
        value_struct("Condition", {list_field("AttributeValueList", attr_value_field("member")),
                                   string_field("ComparisonOperator", {not_null()})}));
}

field key_member() {
    return attr_map_field("Key", {not_null()});
}

field exclusive_start_key() {
    return attr_map_field("ExclusiveStartKey");
}

field select() {
    return string_field(
        "Select",
        {one_of({"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"})});
}

field index_name(std::vector<check> extra = {}) {
    std::vector<check> checks = std::move(extra);
    for (auto c : {table_name_pattern(), min_length(3), max_length(255)}) checks.push_back(c);
    return string_field("IndexName", std::move(checks));
}

field throughput(std::vector<check> checks = {}) {
    return struct_field("ProvisionedThroughput", "ProvisionedThroughput",
                        {long_field("WriteCapacityUnits", {not_null(), min_value(1)}),
                         long_field("ReadCapacityUnits", {not_null(), min_value(1)})},
                        std::move(checks));
}

// KeySchemaAttributeName in AWS's model: 1..255 characters (AttributeDefinitions and key schemas
// of tables and indexes).
field key_attribute_name() {
    return string_field("AttributeName", {not_null(), min_length(1), max_length(255)});
}

field key_schema(bool key_type_enum) {
    std::vector<check> key_type = {not_null()};
    if (key_type_enum)
        key_type.push_back(one_of({"HASH", "RANGE"}));
    return list_field(
        "KeySchema",
        value_struct("KeySchemaElement",
                     {key_attribute_name(), string_field("KeyType", std::move(key_type))}),
        {not_null(), min_length(1), max_length(2)});
}

field projection() {
    return struct_field(
        "Projection", "Projection",
        {string_field("ProjectionType", {one_of({"ALL", "INCLUDE", "KEYS_ONLY"})}),
         list_field("NonKeyAttributes", string_field("member", {min_length(1), max_length(255)}),
                    {min_length(1)})},
        {not_null()});
}

field stream_specification() {
    return struct_field(
        "StreamSpecification", "StreamSpecification",
        {bool_field("StreamEnabled"),
         string_field("StreamViewType",
                      {one_of({"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"})})});
}

// Accepted for their JSON types; the engine records nothing from them.
field sse_specification() {
    return struct_field(
        "SSESpecification", "SSESpecification",
        {bool_field("Enabled"), string_field("SSEType"), string_field("KMSMasterKeyId")});
}

field tags() {
    return list_field(
        "Tags",
        value_struct("Tag", {string_field("Key", {not_null(), min_length(1), max_length(128)}),
                             string_field("Value", {not_null(), max_length(256)})}),
        {max_length(50)});
}

field table_class() {
    return string_field("TableClass", {one_of({"STANDARD", "STANDARD_INFREQUENT_ACCESS"})});
}

field transact_table_name() {
    return table_name_member();
}

// ---- operations ----

fields create_table() {
    return {
        list_field(
            "AttributeDefinitions",
            value_struct("AttributeDefinition",
                         {key_attribute_name(),
                          string_field("AttributeType", {not_null(), one_of({"B", "N", "S"})})}),
            {not_null()}),
        required_table_name(),
        string_field("BillingMode", {one_of({"PROVISIONED", "PAY_PER_REQUEST"})}),
        throughput(),
        key_schema(true),
        list_field("LocalSecondaryIndexes",
                   value_struct("LocalSecondaryIndex",
                                {index_name({not_null()}), key_schema(false), projection()})),
        list_field(
            "GlobalSecondaryIndexes",
            value_struct("GlobalSecondaryIndex", {index_name({not_null()}), key_schema(false),
                                                  projection(), throughput()})),
        stream_specification(),
        sse_specification(),
        tags(),
        table_class(),
        bool_field("DeletionProtectionEnabled"),
    };
}

fields table_only() {
    return {required_table_name()};
}

fields list_tables() {
    return {int_field("Limit", {min_value(1), max_value(100)}),
            string_field("ExclusiveStartTableName",
                         {table_name_pattern(), min_length(3), max_length(255)})};
}

fields update_table() {
    field gsi_create =
        struct_field("Create", "CreateGlobalSecondaryIndexAction",
                     {projection(), index_name({not_null()}), throughput(), key_schema(false)});
    field gsi_update = struct_field("Update", "UpdateGlobalSecondaryIndexAction",
                                    {index_name({not_null()}), throughput({not_null()})});
    field gsi_delete =
        struct_field("Delete", "DeleteGlobalSecondaryIndexAction", {index_name({not_null()})});
    return {
        required_table_name(),
        throughput(),
        string_field("BillingMode", {one_of({"PROVISIONED", "PAY_PER_REQUEST"})}),
        list_field(
            "GlobalSecondaryIndexUpdates",
            value_struct("GlobalSecondaryIndexUpdate", {gsi_update, gsi_create, gsi_delete})),
        list_field(
            "AttributeDefinitions",
            value_struct("AttributeDefinition",
                         {key_attribute_name(),
                          string_field("AttributeType", {not_null(), one_of({"B", "N", "S"})})})),
        stream_specification(),
        sse_specification(),
        table_class(),
        bool_field("DeletionProtectionEnabled"),
    };
}

fields update_time_to_live() {
    return {
        required_table_name(),
        struct_field("TimeToLiveSpecification", "TimeToLiveSpecification",
                     {bool_field("Enabled"),
                      string_field("AttributeName", {not_null(), min_length(1), max_length(255)})},
                     {not_null()})};
}

fields put_item() {
    return {return_consumed_capacity(),
            table_name_member(),
            attr_map_field("Item", {not_null()}),
            conditional_operator(),
            expected(),
            return_values(),
            return_item_collection_metrics(),
            string_field("ConditionExpression"),
            expression_attribute_values(),
            expression_attribute_names(),
            return_values_on_condition_check_failure()};
}

fields get_item() {
    return {return_consumed_capacity(),   attributes_to_get(),
            table_name_member(),          key_member(),
            bool_field("ConsistentRead"), string_field("ProjectionExpression"),
            expression_attribute_names()};
}

fields delete_item() {
    return {return_consumed_capacity(),
            table_name_member(),
            return_values(),
            return_item_collection_metrics(),
            key_member(),
            conditional_operator(),
            expected(),
            string_field("ConditionExpression"),
            expression_attribute_values(),
            expression_attribute_names(),
            return_values_on_condition_check_failure()};
}

fields update_item() {
    return {return_consumed_capacity(),
            table_name_member(),
            return_item_collection_metrics(),
            return_values(),
            key_member(),
            conditional_operator(),
            expected(),
            map_field("AttributeUpdates", "AttributeValueUpdate",
                      value_struct("AttributeValueUpdate",
                                   {string_field("Action"), attr_value_field("Value")})),
            string_field("ConditionExpression"),
            string_field("UpdateExpression"),
            expression_attribute_values(),
            expression_attribute_names(),
            return_values_on_condition_check_failure()};
}

fields query() {
    return {select(),
            index_name(),
            return_consumed_capacity(),
            conditions("QueryFilter"),
            table_name_member(),
            conditional_operator(),
            attributes_to_get(),
            int_field("Limit", {min_value(1)}),
            conditions("KeyConditions"),
            exclusive_start_key(),
            bool_field("ConsistentRead"),
            bool_field("ScanIndexForward"),
            string_field("KeyConditionExpression"),
            string_field("FilterExpression"),
            string_field("ProjectionExpression"),
            expression_attribute_values(),
            expression_attribute_names()};
}

fields scan() {
    return {select(),
            index_name(),
            int_field("TotalSegments", {min_value(1), max_value(1000000)}),
            return_consumed_capacity(),
            table_name_member(),
            conditional_operator(),
            conditions("ScanFilter"),
            int_field("Segment", {min_value(0), max_value(999999)}),
            int_field("Limit", {min_value(1)}),
            attributes_to_get(),
            exclusive_start_key(),
            string_field("FilterExpression"),
            string_field("ProjectionExpression"),
            expression_attribute_values(),
            expression_attribute_names(),
            bool_field("ConsistentRead")};
}

std::vector<check> request_items_checks(bool with_values) {
    std::vector<check> c = {not_null(), min_length(1),
                            map_keys({max_length(255), min_length(3), table_name_pattern()})};
    if (with_values)
        c.push_back(map_values({max_length(25), min_length(1)}));
    return c;
}

fields batch_get_item() {
    field keys_member{"member", kind::parameterized_map,     {}, false, false, {},
                      {},       {attr_value_field("member")}};
    field keys{"Keys", kind::list,   {},
               false,  false,        {not_null(), min_length(1), max_length(100), children()},
               {},     {keys_member}};
    field per_table = value_struct(
        "KeysAndAttributes", {keys, attributes_to_get(), bool_field("ConsistentRead"),
                              string_field("ProjectionExpression"), expression_attribute_names()});
    return {return_consumed_capacity(),
            map_field("RequestItems", "KeysAndAttributes", per_table, request_items_checks(false))};
}

fields batch_write_item() {
    field write_request = value_struct(
        "WriteRequest",
        {struct_field("DeleteRequest", "DeleteRequest", {key_member()}),
         struct_field("PutRequest", "PutRequest", {attr_map_field("Item", {not_null()})})});
    field per_table{"member", kind::parameterized_list, {}, false, false, {children()},
                    {},       {write_request}};
    per_table.element.front().name = "member";
    return {
        return_consumed_capacity(), return_item_collection_metrics(),
        map_field("RequestItems", "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>",
                  per_table, request_items_checks(true))};
}

fields transact_write_items() {
    auto common = [](fields head, bool condition_required) {
        head.push_back(transact_table_name());
        head.push_back(string_field("ConditionExpression", condition_required
                                                               ? std::vector<check>{not_null()}
                                                               : std::vector<check>{}));
        head.push_back(expression_attribute_names());
        head.push_back(expression_attribute_values());
        head.push_back(return_values_on_condition_check_failure());
        return head;
    };
    field item = value_struct(
        "TransactWriteItem",
        {struct_field("ConditionCheck", "ConditionCheck", common({key_member()}, true)),
         struct_field("Put", "Put", common({attr_map_field("Item", {not_null()})}, false)),
         struct_field("Delete", "Delete", common({key_member()}, false)),
         struct_field(
             "Update", "Update",
             common({key_member(), string_field("UpdateExpression", {not_null()})}, false))});
    return {list_field("TransactItems", item, {not_null(), min_length(1), max_length(100)}),
            return_consumed_capacity(), return_item_collection_metrics(),
            string_field("ClientRequestToken", {min_length(1), max_length(36)})};
}

fields transact_get_items() {
    field get = struct_field("Get", "Get",
                             {key_member(), transact_table_name(),
                              string_field("ProjectionExpression"), expression_attribute_names()},
                             {not_null()});
    return {list_field("TransactItems", value_struct("TransactGetItem", {get}),
                       {not_null(), min_length(1), max_length(100)}),
            return_consumed_capacity()};
}

// Tagging (issue 12). The ARN and the list checks are the operations' own (AWS reports them
// with its own texts, dynalite validations/tagResource.js), so only JSON types are declared.
fields tag_resource() {
    return {string_field("ResourceArn"),
            list_field("Tags", value_struct("Tag", {string_field("Key"), string_field("Value")}))};
}

fields untag_resource() {
    return {string_field("ResourceArn"), list_field("TagKeys", string_field("member"))};
}

fields list_tags_of_resource() {
    return {string_field("ResourceArn"), string_field("NextToken")};
}

const std::map<std::string_view, fields>& all() {
    static const std::map<std::string_view, fields> table = {
        {"CreateTable", create_table()},
        {"DeleteTable", table_only()},
        {"DescribeTable", table_only()},
        {"DescribeTimeToLive", table_only()},
        {"ListTables", list_tables()},
        {"UpdateTable", update_table()},
        {"UpdateTimeToLive", update_time_to_live()},
        {"PutItem", put_item()},
        {"GetItem", get_item()},
        {"DeleteItem", delete_item()},
        {"UpdateItem", update_item()},
        {"Query", query()},
        {"Scan", scan()},
        {"BatchGetItem", batch_get_item()},
        {"BatchWriteItem", batch_write_item()},
        {"TransactWriteItems", transact_write_items()},
        {"TransactGetItems", transact_get_items()},
        {"TagResource", tag_resource()},
        {"UntagResource", untag_resource()},
        {"ListTagsOfResource", list_tags_of_resource()},
        {"DescribeLimits", {}},
        {"DescribeEndpoints", {}},
    };
    return table;
}

}  // namespace

const fields* for_operation(std::string_view operation) {
    const auto& t = all();
    auto it = t.find(operation);
    return it == t.end() ? nullptr : &it->second;
}

}  // namespace esser::emulator::schema

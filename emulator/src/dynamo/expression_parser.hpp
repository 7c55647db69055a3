#pragma once
// Hand-written recursive-descent parsers for the four expression grammars (spec §4.3-§4.6).
//
// The parsers only check syntax; they fill the program's arena with unresolved paths
// (raw_paths) and placeholder references, which the analyser checks afterwards, because AWS
// reports every syntax error before any other problem of the same expression.
//
// Condition grammar (Condition, Filter, KeyCondition), LL(1) with one twist: after "(" the
// parser cannot know whether a condition or a parenthesised operand follows ("(a) < b" versus
// "(a < b)"), so parse_or() may return a bare operand, which the caller then completes into a
// comparison:
//   or       := and (OR and)*
//   and      := not (AND not)*
//   not      := NOT not | primary
//   primary  := '(' or ')' [comparison tail] | operand [comparison tail]
//   tail     := comp operand' | BETWEEN operand' AND operand' | IN '(' operand' (',' operand')* ')'
//   operand' := '(' operand' ')' [path tail] | operand
//   operand  := path | :value | name '(' operand' (',' operand')* ')'
//   path     := (identifier | #name) ('.' (identifier | #name) | '[' digits ']')*
// A function call alone is a condition (attribute_exists(a)); a parenthesised path may continue
// ("(b.c).d"). Keywords (AND OR NOT BETWEEN IN) are case-insensitive and never names.
//
// Update grammar:
//   update  := section+      section := SET set (',' set)* | REMOVE path (',' path)*
//                                     | ADD path :value (',' ...)* | DELETE path :value (...)*
//   set     := path '=' value      value := term [('+' | '-') term']
//   term    := '(' value ')' | operand        term' := '(' term' ')' | operand
//   operand := path | :value | name '(' arg (',' arg)* ')'      arg := '(' arg ')' | operand
// Section keywords (SET REMOVE ADD DELETE) are case-insensitive and never names.
//
// Projection grammar: path (',' path)*.

#include <optional>
#include <string>

#include "expression_ast.hpp"

namespace esser::emulator::expression_detail {

// Facts the parser learns that the analyser reports later.
struct parse_facts {
    bool redundant_parens = false;  // some node sits directly inside two pairs of parentheses
    std::string repeated_section;   // "SET", ... when an update section appears twice
};

// The deepest nesting of parentheses, NOT and function calls the parser follows; deeper input
// is a syntax error at the token that goes too deep. Expressions are at most 4 KB, and AWS
// rejects anything nested this deep for other reasons (more than 300 operators, redundant
// parentheses), so this only bounds the parser's stack.
inline constexpr int max_nesting = 1000;

// Parses scratch.text according to p.kind: nodes, children and raw paths into `scratch`, the
// root and actions into `p`. Returns the syntax error message (without the "Invalid
// ...Expression: " prefix) or nullopt.
std::optional<std::string> parse_expression(program& p, compile_scratch& scratch,
                                            parse_facts& facts);

}  // namespace esser::emulator::expression_detail

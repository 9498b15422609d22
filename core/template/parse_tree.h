#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/template/value.h"
#include "core/util/status.h"

// The parse tree of a Go text/template (text/template/parse), internal to
// core/template. Node positions are byte offsets into the source text, turned
// into "name:line:col" only when an error is reported.
namespace vigil::gotmpl {

struct Node {
    enum class Type {
        kList,
        kText,
        kAction,
        kIf,
        kRange,
        kWith,
        kTemplate,
        kBreak,
        kContinue,
        kPipe,
        kCommand,
        kField,
        kVariable,
        kChain,
        kDot,
        kNil,
        kConstant,  // bool, number or string literal; `constant` holds the value
        kIdentifier
    };

    explicit Node(Type t, std::size_t p) : type(t), pos(p) {}

    Type type;
    std::size_t pos;
    // kText: the text; kIdentifier: function name; kVariable: "$x";
    // kTemplate: template name; kConstant: the literal as written.
    std::string text;
    std::vector<std::string> idents;  // kField / kVariable / kChain: the field names
    Value constant;                   // kConstant
    // kList: items; kPipe: commands; kCommand: operands.
    std::vector<std::unique_ptr<Node>> children;
    // kPipe: declared variables and whether it is `=` rather than `:=`.
    std::vector<std::string> decl;
    bool isAssign = false;
    // kAction/kIf/kRange/kWith/kTemplate: the pipeline (may be null for
    // kTemplate); kChain: the operand the fields apply to.
    std::unique_ptr<Node> pipe;
    std::unique_ptr<Node> list;      // kIf/kRange/kWith
    std::unique_ptr<Node> elseList;  // kIf/kRange/kWith, may be null

    // Go's Node.String(), used in "executing ... at <...>".
    std::string toString() const;
};

struct ParsedTree {
    std::string name;       // the template's name
    std::string parseName;  // the name of the top-level template whose text holds it
    std::shared_ptr<const std::string> source;
    std::unique_ptr<Node> root;  // kList

    // "name:line:col" of `pos` in the source (col is a 0-based byte offset
    // in the line, as Go prints it).
    std::string location(std::size_t pos) const;
};

// True if the list holds only whitespace text and comments (Go's IsEmptyTree).
bool isEmptyTree(const Node& list);

struct ParseOptions {
    // Strip <!-- --> comments from text (html/template does).
    bool stripHtmlComments = false;
};

// Parses `text` as template `name`; every define/block in it is returned as
// its own tree, the body as the tree called `name`. `isFunction` says whether
// an identifier names a known function.
Result<std::vector<std::shared_ptr<ParsedTree>>> parseTemplate(
    std::string_view name, std::string_view text,
    const std::function<bool(std::string_view)>& isFunction, const ParseOptions& options);

}  // namespace vigil::gotmpl

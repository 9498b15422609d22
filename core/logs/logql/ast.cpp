#include "core/logs/logql/ast.h"
#include "core/util/go_quote.h"

#include "core/logs/logql/lexer.h"

namespace vigil::logql {

namespace {

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += names[i];
    }
    return out;
}

std::string matcherString(const model::Matcher& m) {
    return m.name() + matchTypeToString(m.type()) + vigil::goQuote(m.value());
}

}  // namespace

const char* lineFilterOpString(LineFilterOp op) {
    switch (op) {
        case LineFilterOp::kContains:
            return "|=";
        case LineFilterOp::kNotContains:
            return "!=";
        case LineFilterOp::kRegexp:
            return "|~";
        case LineFilterOp::kNotRegexp:
            return "!~";
        case LineFilterOp::kPattern:
            return "|>";
        case LineFilterOp::kNotPattern:
            return "!>";
    }
    return "?";
}

const char* labelCmpString(LabelCmp op) {
    switch (op) {
        case LabelCmp::kEq:
            return "=";
        case LabelCmp::kNeq:
            return "!=";
        case LabelCmp::kRe:
            return "=~";
        case LabelCmp::kNre:
            return "!~";
        case LabelCmp::kCmpEq:
            return "==";
        case LabelCmp::kGtr:
            return ">";
        case LabelCmp::kGte:
            return ">=";
        case LabelCmp::kLss:
            return "<";
        case LabelCmp::kLte:
            return "<=";
    }
    return "?";
}

std::string LabelFilter::toString() const {
    switch (kind) {
        case Kind::kAnd:
        case Kind::kOr: {
            // `and` binds tighter than `or`: an `or` under an `and` needs
            // parentheses, and so does a right operand of the same kind
            // (the parser builds left-leaning trees).
            auto side = [&](const LabelFilterPtr& child, bool right) {
                const bool paren = (kind == Kind::kAnd && child->kind == Kind::kOr) ||
                                   (right && child->kind == kind);
                return paren ? "(" + child->toString() + ")" : child->toString();
            };
            return side(left, false) + (kind == Kind::kAnd ? " and " : " or ") + side(right, true);
        }
        case Kind::kString:
            return name + labelCmpString(op) + vigil::goQuote(text);
        case Kind::kIp:
            return name + labelCmpString(op) + "ip(" + vigil::goQuote(text) + ")";
        case Kind::kNumber:
        case Kind::kDuration:
        case Kind::kBytes:
            return name + labelCmpString(op) + text;
    }
    return {};
}

std::string Stage::toString() const {
    std::string out;
    auto params_ = [&] {
        for (std::size_t i = 0; i < params.size(); ++i) {
            out += i == 0 ? " " : ", ";
            out += params[i].label;
            if (params[i].expression)
                out += "=" + vigil::goQuote(*params[i].expression);
        }
    };
    switch (kind) {
        case Kind::kLineFilter:
            for (std::size_t i = 0; i < lineFilters.size(); ++i) {
                if (i > 0)
                    out += ' ';
                const LineFilter& f = lineFilters[i];
                out += lineFilterOpString(f.op);
                out += ' ';
                for (std::size_t a = 0; a < f.alternatives.size(); ++a) {
                    if (a > 0)
                        out += " or ";
                    const LineFilterValue& v = f.alternatives[a];
                    out += v.ip ? "ip(" + vigil::goQuote(v.value) + ")" : vigil::goQuote(v.value);
                }
            }
            return out;
        case Kind::kLabelFilter:
            return "| " + labelFilter->toString();
        case Kind::kJson:
            out = "| json";
            params_();
            return out;
        case Kind::kLogfmt:
            out = "| logfmt";
            if (strict)
                out += " --strict";
            if (keepEmpty)
                out += " --keep-empty";
            params_();
            return out;
        case Kind::kRegexp:
            return "| regexp " + vigil::goQuote(text);
        case Kind::kPattern:
            return "| pattern " + vigil::goQuote(text);
        case Kind::kUnpack:
            return "| unpack";
        case Kind::kDecolorize:
            return "| decolorize";
        case Kind::kLineFormat:
            return "| line_format " + vigil::goQuote(text);
        case Kind::kLabelFormat:
            out = "| label_format";
            for (std::size_t i = 0; i < labelFormats.size(); ++i) {
                const LabelFormatItem& item = labelFormats[i];
                out += i == 0 ? " " : ", ";
                out += item.destination + "=" +
                       (item.isTemplate ? vigil::goQuote(item.source) : item.source);
            }
            return out;
        case Kind::kDrop:
        case Kind::kKeep:
            out = kind == Kind::kDrop ? "| drop" : "| keep";
            for (std::size_t i = 0; i < names.size(); ++i) {
                out += i == 0 ? " " : ", ";
                out += names[i].matcher ? matcherString(*names[i].matcher) : names[i].name;
            }
            return out;
    }
    return out;
}

std::string Unwrap::toString() const {
    std::string out = "| unwrap ";
    switch (conversion) {
        case Conversion::kNone:
            out += label;
            break;
        case Conversion::kDuration:
            out += "duration(" + label + ")";
            break;
        case Conversion::kDurationSeconds:
            out += "duration_seconds(" + label + ")";
            break;
        case Conversion::kBytes:
            out += "bytes(" + label + ")";
            break;
    }
    for (const auto& f : postFilters)
        out += " | " + f->toString();
    return out;
}

std::string LogSelector::toString() const {
    std::string out = "{";
    for (std::size_t i = 0; i < matchers.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += matcherString(matchers[i]);
    }
    out += "}";
    for (const auto& stage : stages)
        out += " " + stage.toString();
    return out;
}

std::string Grouping::toString() const {
    return std::string(without ? "without (" : "by (") + joinNames(labels) + ")";
}

std::string RangeAggregationExpr::toString() const {
    std::string out = op + "(";
    if (param)
        out += param->text + ", ";
    out += selector.toString();
    if (unwrap)
        out += " " + unwrap->toString();
    if (!selector.stages.empty() || unwrap)
        out += ' ';
    out += "[" + range.text + "]";
    if (offset)
        out += " offset " + offset->text;
    out += ")";
    if (grouping)
        out += " " + grouping->toString();
    return out;
}

std::string VectorAggregationExpr::toString() const {
    std::string out = op;
    if (grouping)
        out += " " + grouping->toString() + " ";
    out += "(";
    if (param)
        out += param->text + ", ";
    out += inner->toString() + ")";
    return out;
}

std::string BinaryExpr::toString() const {
    std::string out = lhs->toString() + " " + op;
    if (returnBool)
        out += " bool";
    if (matching) {
        const VectorMatching& m = *matching;
        if (m.on || !m.labels.empty())
            out += std::string(m.on ? " on (" : " ignoring (") + joinNames(m.labels) + ")";
        if (m.card != VectorMatching::Card::kOneToOne) {
            out += m.card == VectorMatching::Card::kGroupLeft ? " group_left" : " group_right";
            if (!m.include.empty())
                out += " (" + joinNames(m.include) + ")";
        }
    }
    return out + " " + rhs->toString();
}

std::string LabelReplaceExpr::toString() const {
    return "label_replace(" + inner->toString() + ", " + vigil::goQuote(destination) + ", " +
           vigil::goQuote(replacement) + ", " + vigil::goQuote(source) + ", " +
           vigil::goQuote(regex) + ")";
}

}  // namespace vigil::logql

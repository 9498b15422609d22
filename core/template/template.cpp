// The text/template executor (text/template/exec.go), over Values.
#include "core/template/template.h"

#include <stdexcept>

#include "core/template/go_time.h"
#include "core/template/parse_tree.h"
#include "core/util/go_quote.h"

namespace vigil::gotmpl {
namespace {

// Deeper {{template}} recursion than this is an error (Go allows 100000
// frames of its growable stack; ours is the thread's fixed stack).
constexpr int kMaxExecDepth = 1000;

struct ExecError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Flow { kNormal, kBreak, kContinue };

using Trees = std::map<std::string, std::shared_ptr<const ParsedTree>, std::less<>>;

std::shared_ptr<const MethodTable> timeMethods();
std::shared_ptr<const MethodTable> durationMethods();

class Executor {
public:
    Executor(const Trees& trees, const FuncMap& functions, const FuncMap* overlay,
             const Options& options, std::string& out)
        : m_trees(trees),
          m_functions(functions),
          m_overlay(overlay),
          m_options(options),
          m_out(out) {}

    void run(const ParsedTree& tree, const Value& dot) {
        m_tree = &tree;
        m_vars.clear();
        m_vars.emplace_back("$", dot);
        walk(dot, *tree.root);
    }

private:
    [[noreturn]] void errorf(const std::string& message) {
        std::string text = "template: ";
        if (m_at) {
            text += m_tree->location(m_at->pos) + ": executing " + goQuote(m_tree->name) + " at <" +
                    m_at->toString() + ">: ";
        } else {
            text += m_tree->name + ": ";
        }
        throw ExecError(text + message);
    }

    void at(const Node& n) { m_at = &n; }

    Flow walk(const Value& dot, const Node& node) {
        switch (node.type) {
            case Node::Type::kAction: {
                Value v = evalPipeline(dot, *node.pipe);
                if (node.pipe->decl.empty())
                    printValue(node, v);
                return Flow::kNormal;
            }
            case Node::Type::kBreak:
                return Flow::kBreak;
            case Node::Type::kContinue:
                return Flow::kContinue;
            case Node::Type::kIf:
            case Node::Type::kWith: {
                std::size_t mark = m_vars.size();
                Value v = evalPipeline(dot, *node.pipe);
                Flow flow = Flow::kNormal;
                if (v.truthy()) {
                    flow = walk(node.type == Node::Type::kWith ? v : dot, *node.list);
                } else if (node.elseList) {
                    flow = walk(dot, *node.elseList);
                }
                m_vars.resize(mark);
                return flow;
            }
            case Node::Type::kList:
                for (const auto& child : node.children) {
                    Flow flow = walk(dot, *child);
                    if (flow != Flow::kNormal)
                        return flow;
                }
                return Flow::kNormal;
            case Node::Type::kRange:
                return walkRange(dot, node);
            case Node::Type::kTemplate:
                walkTemplate(dot, node);
                return Flow::kNormal;
            case Node::Type::kText:
                m_out += node.text;
                return Flow::kNormal;
            default:
                errorf("unknown node: " + node.toString());
        }
    }

    Flow walkRange(const Value& dot, const Node& node) {
        at(node);
        std::size_t mark = m_vars.size();
        Value v = evalPipeline(dot, *node.pipe);
        std::size_t iterMark = m_vars.size();
        const Node& pipe = *node.pipe;
        bool any = false;
        auto oneIteration = [&](const Value& index, const Value& elem) -> bool {
            if (!pipe.decl.empty()) {
                if (pipe.isAssign) {
                    setVar(pipe.decl[0], pipe.decl.size() > 1 ? index : elem);
                } else {
                    m_vars[m_vars.size() - 1].second = elem;
                }
            }
            if (pipe.decl.size() > 1) {
                if (pipe.isAssign)
                    setVar(pipe.decl[1], elem);
                else
                    m_vars[m_vars.size() - 2].second = index;
            }
            Flow flow = walk(elem, *node.list);
            m_vars.resize(iterMark);
            return flow != Flow::kBreak;
        };
        switch (v.kind()) {
            case Value::Kind::kList: {
                const List& items = v.asList();
                for (std::size_t i = 0; i < items.size(); ++i) {
                    any = true;
                    if (!oneIteration(Value(static_cast<std::int64_t>(i)), items[i]))
                        break;
                }
                break;
            }
            case Value::Kind::kMap:
                for (const auto& [key, item] : v.asMap()) {
                    any = true;
                    if (!oneIteration(Value(key), item))
                        break;
                }
                break;
            case Value::Kind::kNil:
                break;
            default:
                errorf("range can't iterate over " + v.toString());
        }
        Flow flow = Flow::kNormal;
        if (!any && node.elseList)
            flow = walk(dot, *node.elseList);
        m_vars.resize(mark);
        return flow;
    }

    void walkTemplate(const Value& dot, const Node& node) {
        at(node);
        auto it = m_trees.find(node.text);
        if (it == m_trees.end())
            errorf("template " + goQuote(node.text) + " not defined");
        if (m_depth >= kMaxExecDepth)
            errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
        Value newDot = node.pipe ? evalPipeline(dot, *node.pipe) : Value();
        // No dynamic scoping: the invoked template sees only $ = its dot.
        std::vector<std::pair<std::string, Value>> savedVars = std::move(m_vars);
        const ParsedTree* savedTree = m_tree;
        m_vars.clear();
        m_vars.emplace_back("$", newDot);
        m_tree = it->second.get();
        ++m_depth;
        walk(newDot, *m_tree->root);
        --m_depth;
        m_tree = savedTree;
        m_vars = std::move(savedVars);
        m_at = &node;
    }

    void printValue(const Node& node, const Value& v) {
        at(node);
        if (v.isNil()) {
            m_out += "<no value>";
            return;
        }
        if (m_options.htmlEscape && !v.isSafeHtml()) {
            // html/template's htmlEscaper: text/template's set plus '+'.
            for (char c : v.toString()) {
                switch (c) {
                    case '"':
                        m_out += "&#34;";
                        break;
                    case '\'':
                        m_out += "&#39;";
                        break;
                    case '&':
                        m_out += "&amp;";
                        break;
                    case '<':
                        m_out += "&lt;";
                        break;
                    case '>':
                        m_out += "&gt;";
                        break;
                    case '+':
                        m_out += "&#43;";
                        break;
                    case '\0':
                        m_out += "\uFFFD";
                        break;
                    default:
                        m_out += c;
                }
            }
            return;
        }
        m_out += v.toString();
    }

    void setVar(const std::string& name, const Value& v) {
        for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it) {
            if (it->first == name) {
                it->second = v;
                return;
            }
        }
        errorf("undefined variable: " + name);
    }

    const Value& varValue(const std::string& name) {
        for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it)
            if (it->first == name)
                return it->second;
        errorf("undefined variable: " + name);
    }

    Value evalPipeline(const Value& dot, const Node& pipe) {
        at(pipe);
        std::optional<Value> value;
        for (const auto& cmd : pipe.children)
            value = evalCommand(dot, *cmd, value ? &*value : nullptr);
        Value result = value ? std::move(*value) : Value();
        for (const auto& name : pipe.decl) {
            if (pipe.isAssign)
                setVar(name, result);
            else
                m_vars.emplace_back(name, result);
        }
        return result;
    }

    void notAFunction(const Node& cmd, const Value* final) {
        if (cmd.children.size() > 1 || final)
            errorf("can't give argument to non-function " + cmd.children[0]->toString());
    }

    Value evalCommand(const Value& dot, const Node& cmd, const Value* final) {
        const Node& first = *cmd.children[0];
        switch (first.type) {
            case Node::Type::kField:
                at(first);
                return evalFieldChain(dot, dot, first, first.idents, &cmd, final);
            case Node::Type::kChain: {
                at(first);
                Value receiver = evalArg(dot, *first.pipe);
                at(first);
                return evalFieldChain(dot, receiver, first, first.idents, &cmd, final);
            }
            case Node::Type::kIdentifier:
                return evalFunction(dot, first, cmd, final);
            case Node::Type::kPipe:
                at(first);
                notAFunction(cmd, final);
                return evalPipeline(dot, first);
            case Node::Type::kVariable: {
                at(first);
                Value v = varValue(first.text);
                if (first.idents.empty()) {
                    notAFunction(cmd, final);
                    return v;
                }
                return evalFieldChain(dot, v, first, first.idents, &cmd, final);
            }
            default:
                break;
        }
        at(first);
        notAFunction(cmd, final);
        switch (first.type) {
            case Node::Type::kDot:
                return dot;
            case Node::Type::kNil:
                errorf("nil is not a command");
            case Node::Type::kConstant:
                return first.constant;
            default:
                errorf("can't evaluate command " + goQuote(first.toString()));
        }
    }

    // `cmd` supplies the arguments (its operands after the first); null when
    // the chain is itself an argument.
    Value evalFieldChain(const Value& dot, Value receiver, const Node& node,
                         const std::vector<std::string>& idents, const Node* cmd,
                         const Value* final) {
        for (std::size_t i = 0; i + 1 < idents.size(); ++i)
            receiver = evalField(dot, idents[i], node, nullptr, nullptr, receiver);
        return evalField(dot, idents.back(), node, cmd, final, receiver);
    }

    Value evalField(const Value& dot, const std::string& name, const Node& node, const Node* cmd,
                    const Value* final, const Value& receiver) {
        if (receiver.isNil()) {
            if (m_options.missingKey == MissingKey::kError)
                errorf("nil data; no entry for key " + goQuote(name));
            return Value();
        }
        const MethodTable* methods = receiver.methods();
        std::shared_ptr<const MethodTable> builtinMethods;
        if (receiver.kind() == Value::Kind::kTime) {
            builtinMethods = timeMethods();
            methods = builtinMethods.get();
        } else if (receiver.kind() == Value::Kind::kDuration) {
            builtinMethods = durationMethods();
            methods = builtinMethods.get();
        }
        if (methods) {
            auto it = methods->methods.find(name);
            if (it != methods->methods.end()) {
                std::vector<Value> args;
                if (cmd)
                    for (std::size_t i = 1; i < cmd->children.size(); ++i)
                        args.push_back(evalArg(dot, *cmd->children[i]));
                if (final)
                    args.push_back(*final);
                at(node);
                const Method& method = it->second;
                checkArity(name, method.minArgs, method.maxArgs, args.size());
                Result<Value> r = method.fn(receiver, args);
                if (!r.isOk())
                    errorf("error calling " + name + ": " + r.status().message());
                return std::move(r).value();
            }
        }
        bool hasArgs = (cmd && cmd->children.size() > 1) || final;
        switch (receiver.kind()) {
            case Value::Kind::kStruct: {
                const StructData& s = receiver.asStruct();
                std::optional<Value> field;
                if (const Value* f = s.field(name))
                    field = *f;
                else if (s.resolve)
                    field = s.resolve(name);
                if (field) {
                    if (hasArgs)
                        errorf(name + " has arguments but cannot be invoked as function");
                    return *field;
                }
                break;
            }
            case Value::Kind::kMap: {
                const Map& m = receiver.asMap();
                auto it = m.find(name);
                if (it != m.end()) {
                    if (hasArgs)
                        errorf(name + " is not a method but has arguments");
                    return it->second;
                }
                switch (m_options.missingKey) {
                    case MissingKey::kDefault:
                        return Value();
                    case MissingKey::kZero:
                        return receiver.mapZero();
                    case MissingKey::kError:
                        errorf("map has no entry for key " + goQuote(name));
                }
                return Value();
            }
            default:
                break;
        }
        errorf("can't evaluate field " + name + " in type " + receiver.typeName());
    }

    void checkArity(const std::string& name, int minArgs, int maxArgs, std::size_t count) {
        auto n = static_cast<int>(count);
        if (maxArgs >= 0 && minArgs == maxArgs && n != minArgs)
            errorf("wrong number of args for " + name + ": want " + std::to_string(minArgs) +
                   " got " + std::to_string(n));
        if (n < minArgs)
            errorf("wrong number of args for " + name + ": want at least " +
                   std::to_string(minArgs) + " got " + std::to_string(n));
        if (maxArgs >= 0 && n > maxArgs)
            errorf("wrong number of args for " + name + ": want at most " +
                   std::to_string(maxArgs) + " got " + std::to_string(n));
    }

    Value evalFunction(const Value& dot, const Node& ident, const Node& cmd, const Value* final) {
        at(ident);
        const std::string& name = ident.text;
        std::size_t argCount =
            (cmd.type == Node::Type::kCommand ? cmd.children.size() - 1 : 0) + (final ? 1 : 0);
        auto argNode = [&](std::size_t i) -> const Node& { return *cmd.children[i + 1]; };
        std::size_t nodeArgs = cmd.type == Node::Type::kCommand ? cmd.children.size() - 1 : 0;
        if (name == "and" || name == "or") {
            if (argCount < 1)
                errorf("wrong number of args for " + name + ": want at least 1 got 0");
            Value v;
            for (std::size_t i = 0; i < nodeArgs; ++i) {
                v = evalArg(dot, argNode(i));
                if (v.truthy() == (name == "or"))
                    return v;
            }
            if (final)
                v = *final;
            return v;
        }
        auto it = m_functions.end();
        if (m_overlay)
            it = m_overlay->find(name);
        if (!m_overlay || it == m_overlay->end()) {
            it = m_functions.find(name);
            if (it == m_functions.end())
                errorf(goQuote(name) + " is not a defined function");
        }
        const Function& fn = it->second;
        checkArity(name, fn.minArgs, fn.maxArgs, argCount);
        std::vector<Value> args;
        args.reserve(argCount);
        for (std::size_t i = 0; i < nodeArgs; ++i)
            args.push_back(evalArg(dot, argNode(i)));
        if (final)
            args.push_back(*final);
        at(cmd);
        Result<Value> r = fn.fn(args);
        if (!r.isOk())
            errorf("error calling " + name + ": " + r.status().message());
        return std::move(r).value();
    }

    Value evalArg(const Value& dot, const Node& n) {
        at(n);
        switch (n.type) {
            case Node::Type::kDot:
                return dot;
            case Node::Type::kNil:
                return Value();
            case Node::Type::kField:
                return evalFieldChain(dot, dot, n, n.idents, nullptr, nullptr);
            case Node::Type::kVariable: {
                Value v = varValue(n.text);
                if (n.idents.empty())
                    return v;
                return evalFieldChain(dot, v, n, n.idents, nullptr, nullptr);
            }
            case Node::Type::kPipe:
                return evalPipeline(dot, n);
            case Node::Type::kIdentifier:
                return evalFunction(dot, n, n, nullptr);
            case Node::Type::kChain: {
                Value receiver = evalArg(dot, *n.pipe);
                at(n);
                return evalFieldChain(dot, receiver, n, n.idents, nullptr, nullptr);
            }
            case Node::Type::kConstant:
                return n.constant;
            default:
                errorf("can't handle " + n.toString() + " as an argument");
        }
    }

    const Trees& m_trees;
    const FuncMap& m_functions;
    const FuncMap* m_overlay;  // may be null
    const Options& m_options;
    std::string& m_out;
    const ParsedTree* m_tree = nullptr;
    const Node* m_at = nullptr;
    std::vector<std::pair<std::string, Value>> m_vars;
    int m_depth = 0;
};

std::shared_ptr<const MethodTable> timeMethods() {
    static const auto table = [] {
        auto t = std::make_shared<MethodTable>();
        t->typeName = "time.Time";
        t->methods["Format"] = [](const Value& self, std::span<const Value> args) -> Result<Value> {
            if (args.size() != 1 || args[0].kind() != Value::Kind::kString)
                return Status::error("Format takes one string argument");
            return Value(formatGoTime(self.asTime(), args[0].asString()));
        };
        t->methods["String"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(formatGoTime(self.asTime(), kGoTimeStringLayout));
        };
        t->methods["Unix"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(self.asTime().unixSeconds);
        };
        t->methods["UnixMilli"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(self.asTime().unixSeconds * 1000 + self.asTime().nanos / 1000000);
        };
        t->methods["UnixNano"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(self.asTime().unixSeconds * 1000000000 + self.asTime().nanos);
        };
        t->methods["UTC"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            TimeValue t = self.asTime();
            t.offsetSeconds = 0;
            t.zone = "UTC";
            return Value(std::move(t));
        };
        t->methods["IsZero"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(self.asTime().unixSeconds == kGoZeroTimeUnixSeconds &&
                         self.asTime().nanos == 0);
        };
        t->methods["Year"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(
                static_cast<std::int64_t>(std::stoll(formatGoTime(self.asTime(), "2006"))));
        };
        return std::shared_ptr<const MethodTable>(std::move(t));
    }();
    return table;
}

std::shared_ptr<const MethodTable> durationMethods() {
    static const auto table = [] {
        auto t = std::make_shared<MethodTable>();
        t->typeName = "time.Duration";
        auto divide = [](double unit) {
            return [unit](const Value& self, std::span<const Value>) -> Result<Value> {
                std::int64_t ns = self.asDuration().nanos;
                double whole = static_cast<double>(ns / static_cast<std::int64_t>(unit));
                double frac = static_cast<double>(ns % static_cast<std::int64_t>(unit));
                return Value(whole + frac / unit);
            };
        };
        t->methods["Seconds"] = divide(1e9);
        t->methods["Minutes"] = divide(60e9);
        t->methods["Hours"] = divide(3600e9);
        t->methods["Milliseconds"] = [](const Value& self,
                                        std::span<const Value>) -> Result<Value> {
            return Value(self.asDuration().nanos / 1000000);
        };
        t->methods["String"] = [](const Value& self, std::span<const Value>) -> Result<Value> {
            return Value(formatGoDuration(self.asDuration().nanos));
        };
        t->methods["Round"] = [](const Value& self, std::span<const Value> args) -> Result<Value> {
            Value m = args.empty() ? Value() : args[0];
            std::int64_t unit = m.kind() == Value::Kind::kDuration ? m.asDuration().nanos
                                : m.kind() == Value::Kind::kInt    ? m.asInt()
                                                                   : 0;
            std::int64_t d = self.asDuration().nanos;
            if (unit <= 0)
                return self;
            std::int64_t r = d % unit;
            if (d < 0) {
                r = -r;
                d = (r + r < unit) ? d + r : d + r - unit;
            } else {
                d = (r + r < unit) ? d - r : d + unit - r;
            }
            return Value(DurationValue{d});
        };
        return std::shared_ptr<const MethodTable>(std::move(t));
    }();
    return table;
}

}  // namespace

Template::Template(std::string name, Options options, FuncMap functions)
    : m_name(std::move(name)), m_options(options) {
    static const auto kBuiltins = std::make_shared<const FuncMap>(builtinFunctions());
    m_functions = kBuiltins;
    if (!functions.empty())
        addFunctions(functions);
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

Template Template::clone() const {
    Template copy(m_name, m_options);
    copy.m_functions = m_functions;
    copy.m_trees = m_trees;
    return copy;
}

void Template::addFunctions(const FuncMap& functions) {
    auto merged = std::make_shared<FuncMap>(*m_functions);
    for (const auto& [name, fn] : functions)
        (*merged)[name] = fn;
    m_functions = std::move(merged);
}

Status Template::parse(std::string_view text) {
    return parseNamed(m_name, text);
}

Status Template::parseNamed(std::string_view name, std::string_view text) {
    auto isFunction = [this](std::string_view fn) {
        return fn == "and" || fn == "or" || m_functions->find(fn) != m_functions->end();
    };
    ParseOptions parseOptions;
    parseOptions.stripHtmlComments = m_options.htmlEscape;
    auto trees = parseTemplate(name, text, isFunction, parseOptions);
    if (!trees.isOk())
        return trees.status();
    // Go's AddParseTree rule: a new definition replaces an old one unless the
    // new one is empty and the old one is not.
    for (auto& tree : trees.value()) {
        auto it = m_trees.find(tree->name);
        if (it != m_trees.end() && isEmptyTree(*tree->root) && !isEmptyTree(*it->second->root))
            continue;
        m_trees[tree->name] = std::move(tree);
    }
    return Status::ok();
}

bool Template::has(std::string_view name) const {
    return m_trees.find(name) != m_trees.end();
}

Result<std::string> Template::execute(const Value& data) const {
    return executeTemplate(m_name, data);
}

Result<std::string> Template::executeTemplate(std::string_view name, const Value& data) const {
    return executeWith(name, data, nullptr);
}

Result<std::string> Template::executeTemplate(std::string_view name, const Value& data,
                                              const FuncMap& overlay) const {
    return executeWith(name, data, &overlay);
}

Result<std::string> Template::executeWith(std::string_view name, const Value& data,
                                          const FuncMap* overlay) const {
    auto it = m_trees.find(name);
    if (it == m_trees.end()) {
        if (name == m_name)
            return Status::error("template: " + goQuote(m_name) +
                                 " is an incomplete or empty template");
        return Status::error("template: no template " + goQuote(name) +
                             " associated with template " + goQuote(m_name));
    }
    std::string out;
    try {
        Executor exec(m_trees, *m_functions, overlay, m_options, out);
        exec.run(*it->second, data);
    } catch (const ExecError& e) {
        return Status::error(e.what());
    }
    return out;
}

}  // namespace vigil::gotmpl

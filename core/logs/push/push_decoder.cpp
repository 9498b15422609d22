#include "core/logs/push/push_decoder.h"

#include <snappy.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <charconv>

#include "push.pb.h"

namespace vigil::logs::push {

namespace {

Result<std::int64_t> parseNs(const QJsonValue& v, const std::string& where) {
    if (!v.isString()) {
        return Status::error(where +
                             ": timestamp must be a string of Unix epoch nanoseconds, e.g. "
                             "\"1717000000123456789\"");
    }
    const std::string s = v.toString().toStdString();
    std::int64_t ns = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ns);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
        return Status::error(where + ": cannot parse timestamp \"" + s +
                             "\" as Unix epoch nanoseconds");
    }
    return ns;
}

Status labelsFromObject(const QJsonObject& obj, const std::string& where, model::Labels& out) {
    std::vector<model::Label> pairs;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (!it.value().isString())
            return Status::error(where + ": label " + it.key().toStdString() +
                                 " must have a string value");
        pairs.push_back({it.key().toStdString(), it.value().toString().toStdString()});
    }
    out = model::Labels::fromUnsorted(std::move(pairs));
    return Status::ok();
}

}  // namespace

Status decodePushJson(std::string_view body, std::vector<LogStream>& out) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(body.data(), static_cast<qsizetype>(body.size())), &error);
    if (error.error != QJsonParseError::NoError) {
        return Status::error("invalid JSON push request at byte offset " +
                             std::to_string(error.offset) + ": " +
                             error.errorString().toStdString());
    }
    if (!doc.isObject() || !doc.object().value("streams").isArray())
        return Status::error("invalid push request: expected {\"streams\":[...]}");
    const QJsonArray streams = doc.object().value("streams").toArray();
    out.reserve(out.size() + static_cast<std::size_t>(streams.size()));
    for (qsizetype i = 0; i < streams.size(); ++i) {
        const std::string where = "streams[" + std::to_string(i) + "]";
        if (!streams[i].isObject())
            return Status::error(where + ": expected an object");
        const QJsonObject stream = streams[i].toObject();
        LogStream ls;
        const QJsonValue labels = stream.value("stream");
        if (!labels.isObject())
            return Status::error(where + ".stream: expected an object of labels");
        if (Status s = labelsFromObject(labels.toObject(), where + ".stream", ls.labels); !s.isOk())
            return s;
        const QJsonValue values = stream.value("values");
        if (!values.isArray())
            return Status::error(where + ".values: expected an array of [timestamp, line]");
        const QJsonArray arr = values.toArray();
        ls.entries.reserve(static_cast<std::size_t>(arr.size()));
        for (qsizetype j = 0; j < arr.size(); ++j) {
            const std::string at = where + ".values[" + std::to_string(j) + "]";
            const QJsonArray v = arr[j].toArray();
            if (!arr[j].isArray() || v.size() < 2 || v.size() > 3)
                return Status::error(at +
                                     ": expected [timestamp, line] or [timestamp, line, "
                                     "{structured metadata}]");
            auto ns = parseNs(v[0], at);
            if (!ns)
                return ns.status();
            if (!v[1].isString())
                return Status::error(at + ": the log line must be a string");
            LogEntry e;
            e.tsNs = *ns;
            e.line = v[1].toString().toStdString();
            if (v.size() == 3) {
                if (!v[2].isObject())
                    return Status::error(at + ": structured metadata must be an object");
                if (Status s = labelsFromObject(v[2].toObject(), at, e.structuredMetadata);
                    !s.isOk())
                    return s;
            }
            ls.entries.push_back(std::move(e));
        }
        out.push_back(std::move(ls));
    }
    return Status::ok();
}

Result<model::Labels> parseLabelSelector(std::string_view text) {
    std::size_t i = 0;
    auto fail = [&](const std::string& why) -> Status {
        return Status::error("error parsing labels '" + std::string(text) + "': " + why +
                             " at position " + std::to_string(i + 1));
    };
    auto skipSpace = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            ++i;
    };
    skipSpace();
    if (i >= text.size() || text[i] != '{')
        return fail("expected '{'");
    ++i;
    std::vector<model::Label> pairs;
    skipSpace();
    if (i < text.size() && text[i] == '}') {
        ++i;
    } else {
        for (;;) {
            skipSpace();
            const std::size_t start = i;
            while (i < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
                ++i;
            if (i == start)
                return fail("expected a label name");
            std::string name(text.substr(start, i - start));
            skipSpace();
            if (i >= text.size() || text[i] != '=')
                return fail("expected '=' after label name " + name);
            ++i;
            skipSpace();
            if (i >= text.size() || (text[i] != '"' && text[i] != '`'))
                return fail("expected a quoted label value");
            const char quote = text[i++];
            std::string value;
            bool closed = false;
            while (i < text.size()) {
                const char c = text[i++];
                if (c == quote) {
                    closed = true;
                    break;
                }
                if (c == '\\' && quote == '"' && i < text.size()) {
                    const char e = text[i++];
                    switch (e) {
                        case 'n':
                            value += '\n';
                            break;
                        case 't':
                            value += '\t';
                            break;
                        case 'r':
                            value += '\r';
                            break;
                        case '\\':
                            value += '\\';
                            break;
                        case '"':
                            value += '"';
                            break;
                        default:
                            value += '\\';
                            value += e;
                            break;
                    }
                } else {
                    value += c;
                }
            }
            if (!closed)
                return fail("unterminated label value");
            for (const auto& p : pairs)
                if (p.name == name)
                    return fail("duplicate label name " + name);
            pairs.push_back({std::move(name), std::move(value)});
            skipSpace();
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            if (i < text.size() && text[i] == '}') {
                ++i;
                break;
            }
            return fail("expected ',' or '}'");
        }
    }
    skipSpace();
    if (i != text.size())
        return fail("unexpected text after '}'");
    return model::Labels::fromUnsorted(std::move(pairs));
}

Status decodePushProtobuf(std::string_view body, std::uint64_t maxDecodedBytes,
                          std::vector<LogStream>& out) {
    std::size_t decodedLength = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &decodedLength))
        return Status::error("push request body is not snappy block-compressed protobuf");
    if (decodedLength > maxDecodedBytes) {
        return Status::error(Status::Code::kResourceExhausted,
                             "push request decompresses to " + std::to_string(decodedLength) +
                                 " bytes, over the limit of " + std::to_string(maxDecodedBytes));
    }
    std::string decoded;
    if (!snappy::Uncompress(body.data(), body.size(), &decoded))
        return Status::error("push request body: corrupt snappy data");
    logproto::PushRequest request;
    if (!request.ParseFromString(decoded))
        return Status::error("push request body is not a valid logproto.PushRequest");
    out.reserve(out.size() + static_cast<std::size_t>(request.streams_size()));
    for (int i = 0; i < request.streams_size(); ++i) {
        const auto& stream = request.streams(i);
        auto labels = parseLabelSelector(stream.labels());
        if (!labels)
            return labels.status().withContext("streams[" + std::to_string(i) + "]");
        LogStream ls;
        ls.labels = std::move(*labels);
        ls.entries.reserve(static_cast<std::size_t>(stream.entries_size()));
        for (const auto& entry : stream.entries()) {
            LogEntry e;
            e.tsNs = entry.timestamp().seconds() * 1000000000LL + entry.timestamp().nanos();
            e.line = entry.line();
            if (entry.structuredmetadata_size() > 0) {
                std::vector<model::Label> pairs;
                for (const auto& p : entry.structuredmetadata())
                    pairs.push_back({p.name(), p.value()});
                e.structuredMetadata = model::Labels::fromUnsorted(std::move(pairs));
            }
            ls.entries.push_back(std::move(e));
        }
        out.push_back(std::move(ls));
    }
    return Status::ok();
}

}  // namespace vigil::logs::push

#include <httplib.h>
#include <snappy.h>
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/instrument/metric_registry.h"
#include "core/logs/push/loki_push_receiver.h"
#include "core/logs/push/push_decoder.h"
#include "core/logs/store/log_store.h"
#include "push.pb.h"

using namespace vigil;
using namespace vigil::logs;

namespace {

constexpr std::int64_t kNow = 1717000000LL * 1000000000LL;

struct Server {
    httplib::Server http;
    std::thread thread;
    int port = 0;
    explicit Server(push::LokiPushReceiver& receiver) {
        receiver.install(http);
        port = http.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { http.listen_after_bind(); });
        while (!http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~Server() {
        http.stop();
        thread.join();
    }
    httplib::Result post(const std::string& body, const std::string& contentType,
                         httplib::Headers headers = {},
                         const std::string& path = "/loki/api/v1/push") {
        httplib::Client client("127.0.0.1", port);
        return client.Post(path, headers, body, contentType);
    }
};

std::string gzip(const std::string& in) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

class Collector final : public StreamVisitor {
public:
    std::vector<std::pair<model::Labels, std::vector<std::pair<std::int64_t, std::string>>>> got;
    bool beginStream(const model::Labels& l) override {
        got.push_back({l, {}});
        return true;
    }
    bool entry(TimestampNs ts, std::string_view line) override {
        got.back().second.emplace_back(ts, std::string(line));
        return true;
    }
};

// A writer that holds every push until released: requests stay in flight.
class BlockingWriter final : public LogWriter {
public:
    PushResult push(const std::vector<LogStream>& streams) override {
        std::unique_lock lock(m_mutex);
        ++m_waiting;
        m_cv.notify_all();
        m_cv.wait(lock, [this] { return m_open; });
        PushResult r;
        for (const auto& s : streams)
            r.accepted += s.entries.size();
        return r;
    }
    void waitForPush() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_waiting > 0; });
    }
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_waiting = 0;
    bool m_open = false;
};

}  // namespace

class TestLokiPush : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<instrument::MetricRegistry> m_registry;
    std::unique_ptr<store::LogStore> m_store;

    void openStore(store::LogStoreOptions o = {}) {
        o.nowNs = [] { return kNow + 60LL * 1000000000LL; };
        o.retentionNs = 24LL * 3600 * 1000000000LL;
        auto r = store::LogStore::open(Env::posix(), m_tmp->path().toStdString() + "/logs", o,
                                       m_registry.get());
        QVERIFY(r.isOk());
        m_store = std::move(r.value());
    }
    Collector selectAll() {
        Collector c;
        LogSelectParams p;
        p.matchers = {model::Matcher::make(model::MatchType::kRegexp, "app", ".+").value()};
        p.endNs = INT64_MAX;
        (void)m_store->select(p, c);
        return c;
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        m_registry = std::make_unique<instrument::MetricRegistry>();
        openStore();
    }
    void cleanup() { m_store.reset(); }

    void jsonPush_data() {
        QTest::addColumn<bool>("gzipped");
        QTest::newRow("plain") << false;
        QTest::newRow("gzip") << true;
    }
    void jsonPush() {
        QFETCH(bool, gzipped);
        push::LokiPushReceiver receiver(*m_store, {}, *m_registry);
        Server server(receiver);
        const std::string body =
            "{\"streams\":[{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":["
            "[\"1717000000123456789\",\"line one\"],"
            "[\"1717000000223456789\",\"line two\",{\"trace_id\":\"abc\"}]]}]}";
        httplib::Headers h;
        if (gzipped)
            h.emplace("Content-Encoding", "gzip");
        auto res = server.post(gzipped ? gzip(body) : body, "application/json", h);
        QVERIFY(res);
        QCOMPARE(res->status, 204);
        Collector c = selectAll();
        QCOMPARE(c.got.size(), std::size_t(1));
        QCOMPARE(c.got[0].first.toString(), std::string("{app=\"shop\", env=\"prod\"}"));
        QCOMPARE(c.got[0].second.size(), std::size_t(2));
        QCOMPARE(c.got[0].second[1].first, std::int64_t(1717000000223456789));
        QCOMPARE(c.got[0].second[1].second, std::string("line two"));
    }

    void protobufPush() {
        push::LokiPushReceiver receiver(*m_store, {}, *m_registry);
        Server server(receiver);
        logproto::PushRequest req;
        auto* s = req.add_streams();
        s->set_labels("{app=\"api\", pod=\"p-1\"}");
        for (int i = 0; i < 3; ++i) {
            auto* e = s->add_entries();
            e->mutable_timestamp()->set_seconds(1717000000 + i);
            e->mutable_timestamp()->set_nanos(5);
            e->set_line("proto line " + std::to_string(i) + " \xff not utf-8");
        }
        std::string raw = req.SerializeAsString(), compressed;
        snappy::Compress(raw.data(), raw.size(), &compressed);
        auto res = server.post(compressed, "application/x-protobuf");
        QVERIFY(res);
        QCOMPARE(res->status, 204);
        Collector c = selectAll();
        QCOMPARE(c.got.size(), std::size_t(1));
        QCOMPARE(c.got[0].first.get("pod"), std::string_view("p-1"));
        QCOMPARE(c.got[0].second.size(), std::size_t(3));
        QCOMPARE(c.got[0].second[2].first, std::int64_t(1717000002000000005));

        // Not snappy: 400.
        auto bad = server.post(raw, "application/x-protobuf");
        QVERIFY(bad);
        QCOMPARE(bad->status, 400);
    }

    void errors_data() {
        QTest::addColumn<std::string>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<std::string>("message");
        QTest::newRow("number timestamp")
            << std::string(
                   "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[1717000000000000000,"
                   "\"l\"]]}]}")
            << 400 << std::string("streams[0].values[0]: timestamp must be a string");
        QTest::newRow("syntax") << std::string("{\"streams\":[") << 400
                                << std::string("invalid JSON push request at byte offset");
        QTest::newRow("no labels")
            << std::string(
                   "{\"streams\":[{\"stream\":{},\"values\":[[\"1717000000000000000\",\"l\"]]}]}")
            << 400 << std::string("error at least one label pair is required per stream");
        QTest::newRow("bad label name")
            << std::string(
                   "{\"streams\":[{\"stream\":{\"a-b\":\"x\"},\"values\":[[\"1717000000000000000\","
                   "\"l\"]]}]}")
            << 400 << std::string("invalid label name 'a-b'");
        QTest::newRow("too old")
            << std::string(
                   "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"1000\",\"l\"]]}]}")
            << 400 << std::string("entry for stream '{app=\"x\"}' has timestamp too old");
        QTest::newRow("line too long")
            << std::string(
                   "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"1717000000000000000\","
                   "\"") +
                   std::string(300, 'x') + "\"]]}]}"
            << 400 << std::string("max entry size '100' bytes exceeded for stream '{app=\"x\"}'");
    }
    void errors() {
        QFETCH(std::string, body);
        QFETCH(int, status);
        QFETCH(std::string, message);
        store::LogStoreOptions o;
        o.maxLineLength = 100;
        m_store.reset();
        openStore(o);
        push::LokiPushReceiver receiver(*m_store, {}, *m_registry);
        Server server(receiver);
        auto res = server.post(body, "application/json");
        QVERIFY(res);
        QCOMPARE(res->status, status);
        QVERIFY2(res->body.find(message) != std::string::npos, res->body.c_str());
    }

    void limits() {
        store::LogStoreOptions o;
        o.maxStreams = 1;
        m_store.reset();
        openStore(o);
        push::LokiPushReceiverOptions ro;
        ro.maxRequestBytes = 400;
        push::LokiPushReceiver receiver(*m_store, ro, *m_registry);
        Server server(receiver);
        auto one = [](const std::string& app) {
            return "{\"streams\":[{\"stream\":{\"app\":\"" + app +
                   "\"},\"values\":[[\"1717000000000000000\",\"l\"]]}]}";
        };
        auto res = server.post(one("a"), "application/json");
        QCOMPARE(res->status, 204);
        res = server.post(one("b"), "application/json");
        QCOMPARE(res->status, 429);
        QVERIFY(res->body.find("Maximum active stream limit exceeded") != std::string::npos);
        QCOMPARE(m_store->discarded(LogRejection::kStreamLimit), std::uint64_t(1));
        res = server.post(std::string(500, ' '), "application/json");
        QCOMPARE(res->status, 413);
        res = server.post("{}", "text/plain");
        QCOMPARE(res->status, 415);
        // The legacy path answers too.
        res = server.post(one("a"), "application/json", {}, "/api/prom/push");
        QCOMPARE(res->status, 204);
    }

    void inflightBoundAndDecodedLimit() {
        BlockingWriter writer;
        push::LokiPushReceiverOptions ro;
        ro.maxInflightBytes = 150;
        ro.maxDecodedBytes = 1000;
        push::LokiPushReceiver receiver(writer, ro, *m_registry);
        Server server(receiver);
        const std::string body =
            "{\"streams\":[{\"stream\":{\"app\":\"f\"},\"values\":[[\"1717000000000000000\","
            "\"0123456789012345678901234567890123456789\"]]}]}";
        int first = 0;
        std::thread t([&] { first = server.post(body, "application/json")->status; });
        writer.waitForPush();
        // The first body is in flight: a second one would pass the bound.
        auto res = server.post(body, "application/json");
        QCOMPARE(res->status, 429);
        QCOMPARE(res->get_header_value("Retry-After"), std::string("1"));
        writer.open();
        t.join();
        QCOMPARE(first, 204);

        // A small gzip body that expands past the decoded limit: 413.
        httplib::Headers h{{"Content-Encoding", "gzip"}};
        const std::string bomb = gzip(std::string(5000, ' '));
        res = server.post(bomb, "application/json", h);
        QCOMPARE(res->status, 413);
    }

    void rateLimit() {
        push::LokiPushReceiverOptions ro;
        ro.rateBytesPerSecond = 10;
        ro.rateBurstBytes = 10;
        push::LokiPushReceiver receiver(*m_store, ro, *m_registry);
        Server server(receiver);
        const std::string body =
            "{\"streams\":[{\"stream\":{\"app\":\"r\"},\"values\":[[\"1717000000000000000\","
            "\"0123456789abcdef\"]]}]}";
        auto res = server.post(body, "application/json");
        QCOMPARE(res->status, 429);
        QVERIFY(res->body.find("Ingestion rate limit exceeded") != std::string::npos);
        const double counted = m_registry
                                   ->counter("vigil_logs_discarded_entries_total", "",
                                             model::Labels{{"reason", "rate_limited"}})
                                   .value();
        QCOMPARE(counted, 1.0);
    }

    void labelSelectorParsing_data() {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("expected");  // toString, or error substring
        QTest::addColumn<bool>("ok");
        QTest::newRow("simple") << std::string("{a=\"1\", b=\"2\"}")
                                << std::string("{a=\"1\", b=\"2\"}") << true;
        QTest::newRow("escapes") << std::string("{a=\"x\\\"y\"}") << std::string("{a=\"x\\\"y\"}")
                                 << true;
        QTest::newRow("unterminated")
            << std::string("{a=\"x}") << std::string("unterminated") << false;
        QTest::newRow("missing eq")
            << std::string("{a \"x\"}")
            << std::string("expected '=' after label name a at position 4") << false;
        QTest::newRow("duplicate")
            << std::string("{a=\"x\",a=\"y\"}") << std::string("duplicate label name a") << false;
    }
    void labelSelectorParsing() {
        QFETCH(std::string, text);
        QFETCH(std::string, expected);
        QFETCH(bool, ok);
        auto r = push::parseLabelSelector(text);
        QCOMPARE(r.isOk(), ok);
        if (ok)
            QCOMPARE(r.value().toString(), expected);
        else
            QVERIFY2(r.status().message().find(expected) != std::string::npos,
                     r.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLokiPush)
#include "tst_loki_push.moc"

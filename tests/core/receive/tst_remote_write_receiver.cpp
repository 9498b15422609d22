#include <QtTest>

#include <httplib.h>
#include <snappy.h>

#include <condition_variable>
#include <future>
#include <thread>

#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/receive/bcrypt_password.h"
#include "core/receive/remote_write_decoder.h"
#include "core/receive/remote_write_receiver.h"
#include "remote.pb.h"

using vigil::model::InMemoryStorage;
using vigil::receive::RemoteWriteReceiver;
using vigil::receive::RemoteWriteReceiverOptions;

namespace {

// s3cret, bcrypt cost 4 (kept cheap for the test).
const char* const kHash = "$2b$04$zvasOSe2IeBbHGyGGkv/6u0hlDlLLBm7wgTUb1OcocGQc6tHP2cFW";

std::string writeRequest(int series, int samplesPerSeries, std::int64_t t0 = 1000,
                         const char* name = "metric") {
    prometheus::WriteRequest request;
    for (int s = 0; s < series; ++s) {
        auto* ts = request.add_timeseries();
        auto* l = ts->add_labels();
        l->set_name("__name__");
        l->set_value(name);
        l = ts->add_labels();
        l->set_name("series");
        l->set_value(std::to_string(s));
        for (int i = 0; i < samplesPerSeries; ++i) {
            auto* sample = ts->add_samples();
            sample->set_timestamp(t0 + i * 1000);
            sample->set_value(s * 1000 + i);
        }
    }
    std::string raw = request.SerializeAsString(), compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return compressed;
}

std::string compress(const std::string& raw) {
    std::string compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return compressed;
}

// Every stored series as text with its samples, for comparisons.
std::string dump(InMemoryStorage& storage) {
    auto q = storage.querier(vigil::model::kMinTimestamp, vigil::model::kMaxTimestamp);
    auto m = *vigil::model::Matcher::make(vigil::model::MatchType::kRegexp, "__name__", ".+");
    auto set = std::move(*q->select({m}));
    std::string out;
    while (set->next()) {
        out += set->labels().toString();
        std::vector<vigil::model::Sample> samples;
        auto it = set->iterator();
        (void)vigil::model::collectSamples(*it, samples);
        for (const auto& sample : samples)
            out += " " + std::to_string(sample.t) + "=" + std::to_string(sample.v);
        out += "\n";
    }
    return out;
}

std::size_t storedSamples(InMemoryStorage& storage) {
    auto q = storage.querier(vigil::model::kMinTimestamp, vigil::model::kMaxTimestamp);
    auto m = *vigil::model::Matcher::make(vigil::model::MatchType::kRegexp, "__name__", ".+");
    auto set = std::move(*q->select({m}));
    std::size_t n = 0;
    while (set->next()) {
        std::vector<vigil::model::Sample> samples;
        auto it = set->iterator();
        (void)vigil::model::collectSamples(*it, samples);
        n += samples.size();
    }
    return n;
}

// A storage whose commits wait at a gate, to hold a request in flight.
class GatedStorage : public vigil::model::Storage {
public:
    std::unique_ptr<vigil::model::Querier> querier(vigil::model::Timestamp a,
                                                   vigil::model::Timestamp b) override {
        return m_inner.querier(a, b);
    }
    std::unique_ptr<vigil::model::Appender> appender() override {
        struct Gated : vigil::model::Appender {
            GatedStorage& s;
            std::unique_ptr<vigil::model::Appender> inner;
            Gated(GatedStorage& st, std::unique_ptr<vigil::model::Appender> in)
                : s(st), inner(std::move(in)) {}
            vigil::model::AppendError append(const vigil::model::Labels& l,
                                             vigil::model::Timestamp t, double v) override {
                return inner->append(l, t, v);
            }
            vigil::Status commit() override {
                std::unique_lock lock(s.m_mutex);
                s.m_waiting = true;
                s.m_cv.notify_all();
                s.m_cv.wait(lock, [&] { return s.m_open; });
                return inner->commit();
            }
            void rollback() override { inner->rollback(); }
        };
        return std::make_unique<Gated>(*this, m_inner.appender());
    }
    void waitUntilHeld() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_waiting; });
    }
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }

private:
    InMemoryStorage m_inner;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_waiting = false, m_open = false;
};

struct Server {
    httplib::Server http;
    std::thread thread;
    int port = 0;
    explicit Server(RemoteWriteReceiver& receiver) {
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
    httplib::Result post(const std::string& body, const httplib::Headers& headers = {}) {
        httplib::Client client("127.0.0.1", port);
        httplib::Headers h = headers;
        h.emplace("Content-Encoding", "snappy");
        h.emplace("X-Prometheus-Remote-Write-Version", "0.1.0");
        return client.Post("/api/v1/write", h, body, "application/x-protobuf");
    }
};

}  // namespace

class TestRemoteWriteReceiver : public QObject {
    Q_OBJECT
private slots:
    void storesSamples() {
        InMemoryStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiver receiver(storage, {}, registry);
        Server server(receiver);
        auto res = server.post(writeRequest(10, 100));
        QVERIFY(res);
        QCOMPARE(res->status, 204);
        QCOMPARE(storedSamples(storage), std::size_t(1000));
        const QString metrics = QString::fromStdString(registry.render());
        QVERIFY(metrics.contains("vigil_remote_write_samples_total 1000"));
        QVERIFY(metrics.contains("vigil_remote_write_requests_total{code=\"204\"} 1"));
    }

    void malformedInputIs400() {
        InMemoryStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiver receiver(storage, {}, registry);
        Server server(receiver);
        auto notSnappy = server.post("definitely not snappy");
        QCOMPARE(notSnappy->status, 400);
        QVERIFY(notSnappy->body.find("snappy: corrupt input") != std::string::npos);
        std::string garbage, compressed;
        garbage.assign("\xff\xff\xff\xff\x0f\x12", 6);
        snappy::Compress(garbage.data(), garbage.size(), &compressed);
        auto notProto = server.post(compressed);
        QCOMPARE(notProto->status, 400);
        QVERIFY(notProto->body.find("not a valid remote write WriteRequest") != std::string::npos);
    }

    // The series cache changes nothing in what is stored or refused, across
    // requests, label orders, invalid series and generation turnover.
    void seriesCacheGivesTheSameResult() {
        prometheus::WriteRequest request;
        for (int s = 0; s < 40; ++s) {
            auto* ts = request.add_timeseries();
            // Unsorted on purpose for some, an empty value (absent label) for others.
            const std::vector<std::pair<std::string, std::string>> labels =
                s % 3 == 0
                    ? std::vector<std::pair<std::string, std::string>>{{"zone", "z"},
                                                                       {"__name__", "m"},
                                                                       {"s", std::to_string(s)}}
                    : std::vector<std::pair<std::string, std::string>>{
                          {"__name__", "m"}, {"empty", ""}, {"s", std::to_string(s)}};
            for (const auto& [name, value] : labels) {
                auto* l = ts->add_labels();
                l->set_name(name);
                l->set_value(value);
            }
            auto* sample = ts->add_samples();
            sample->set_timestamp(1000);
            sample->set_value(s);
        }
        auto* bad = request.add_timeseries();  // duplicate label name: invalid
        for (const char* v : {"a", "b"}) {
            auto* l = bad->add_labels();
            l->set_name("__name__");
            l->set_value(v);
        }
        bad->add_samples()->set_timestamp(1000);

        InMemoryStorage plain, cached;
        vigil::receive::SeriesCache cache(16);  // small: generations turn over
        for (int round = 0; round < 5; ++round) {
            for (auto& ts : *request.mutable_timeseries())
                ts.mutable_samples(0)->set_timestamp(1000 + round * 1000);
            const std::string body = compress(request.SerializeAsString());
            auto a = plain.appender();
            auto ra = vigil::receive::decodeRemoteWrite(body, 1 << 20, *a);
            QVERIFY(ra.isOk());
            QVERIFY(a->commit().isOk());
            auto b = cached.appender();
            auto rb = vigil::receive::decodeRemoteWrite(body, 1 << 20, *b, &cache);
            QVERIFY(rb.isOk());
            QVERIFY(b->commit().isOk());
            QCOMPARE(rb->samples, ra->samples);
            QCOMPARE(rb->samples, std::uint64_t(40));
            QCOMPARE(rb->invalidSeries, std::uint64_t(1));
            QCOMPARE(rb->firstProblem, ra->firstProblem);
            QVERIFY(cache.size() <= 32);  // two generations of 16
        }
        QCOMPARE(dump(cached), dump(plain));
        QVERIFY(dump(plain).find("m{s=\"0\", zone=\"z\"} 1000=0.000000 2000=") !=
                std::string::npos);
        QVERIFY(dump(plain).find("empty") == std::string::npos);
    }

    void malformedWireFormatIsRefused_data() {
        QTest::addColumn<QByteArray>("raw");
        // timeseries of length 10 with 2 bytes present.
        QTest::newRow("truncated") << QByteArray("\x0a\x0a\x0a\x00", 4);
        // a label value that is not UTF-8.
        QTest::newRow("invalid utf-8")
            << QByteArray("\x0a\x0b\x0a\x09\x0a\x01x\x12\x04\xff\xfe\x00\x00", 13);
        // field number 0.
        QTest::newRow("field zero") << QByteArray("\x00\x00", 2);
        // a sample whose value is cut short.
        QTest::newRow("short double") << QByteArray("\x0a\x05\x12\x03\x09\x00\x00", 7);
    }
    void malformedWireFormatIsRefused() {
        QFETCH(QByteArray, raw);
        InMemoryStorage storage;
        auto app = storage.appender();
        vigil::receive::SeriesCache cache;
        auto result =
            vigil::receive::decodeRemoteWrite(compress(raw.toStdString()), 1 << 20, *app, &cache);
        QVERIFY(!result.isOk());
        QCOMPARE(result.status().message(),
                 std::string("the body is not a valid remote write WriteRequest protobuf"));
        // libprotobuf agrees that these are not WriteRequests.
        prometheus::WriteRequest parsed;
        QVERIFY(!parsed.ParseFromString(raw.toStdString()));
    }

    void invalidSeriesAre400ButValidOnesStay() {
        InMemoryStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiver receiver(storage, {}, registry);
        Server server(receiver);
        prometheus::WriteRequest request;
        auto* good = request.add_timeseries();
        auto* l = good->add_labels();
        l->set_name("__name__");
        l->set_value("ok");
        auto* s = good->add_samples();
        s->set_timestamp(5);
        s->set_value(1);
        auto* bad = request.add_timeseries();
        l = bad->add_labels();
        l->set_name("bad-name");
        l->set_value("x");
        bad->add_samples()->set_timestamp(5);
        std::string raw = request.SerializeAsString(), body;
        snappy::Compress(raw.data(), raw.size(), &body);
        auto res = server.post(body);
        QCOMPARE(res->status, 400);
        QVERIFY2(res->body.find("1 series with invalid labels skipped (1 samples stored)") !=
                     std::string::npos,
                 res->body.c_str());
        QCOMPARE(storedSamples(storage), std::size_t(1));
    }

    void sizeLimitsAre413() {
        InMemoryStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiverOptions options;
        options.maxRequestBytes = 1000;
        RemoteWriteReceiver receiver(storage, options, registry);
        Server server(receiver);
        QCOMPARE(server.post(writeRequest(100, 100))->status, 413);
        RemoteWriteReceiverOptions decoded;
        decoded.maxDecodedBytes = 1000;
        RemoteWriteReceiver small(storage, decoded, registry);
        Server server2(small);
        auto res = server2.post(writeRequest(100, 10));
        QCOMPARE(res->status, 413);
        QVERIFY(res->body.find("decompressed request") != std::string::npos);
        QCOMPARE(storedSamples(storage), std::size_t(0));
    }

    void saturationIs429() {
        GatedStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiverOptions options;
        options.maxInflightBytes = 100;  // any second request is over
        RemoteWriteReceiver receiver(storage, options, registry);
        Server server(receiver);
        auto first =
            std::async(std::launch::async, [&] { return server.post(writeRequest(5, 5))->status; });
        storage.waitUntilHeld();
        QVERIFY(QString::fromStdString(registry.render())
                    .contains("vigil_remote_write_inflight_requests 1"));
        auto second = server.post(writeRequest(5, 5));
        QCOMPARE(second->status, 429);
        QCOMPARE(second->get_header_value("Retry-After"), std::string("1"));
        storage.open();
        QCOMPARE(first.get(), 204);
        QVERIFY(QString::fromStdString(registry.render())
                    .contains("vigil_remote_write_inflight_requests 0"));
    }

    void basicAuthWithBcrypt() {
        QVERIFY(vigil::receive::bcryptMatches("s3cret", kHash));
        QVERIFY(!vigil::receive::bcryptMatches("wrong", kHash));
        InMemoryStorage storage;
        vigil::instrument::MetricRegistry registry;
        RemoteWriteReceiverOptions options;
        options.basicAuthUsers["prometheus"] = kHash;
        RemoteWriteReceiver receiver(storage, options, registry);
        Server server(receiver);
        auto none = server.post(writeRequest(1, 1));
        QCOMPARE(none->status, 401);
        QVERIFY(none->get_header_value("WWW-Authenticate").find("Basic") != std::string::npos);
        auto wrong = server.post(
            writeRequest(1, 1),
            {{"Authorization", "Basic " + QByteArray("prometheus:nope").toBase64().toStdString()}});
        QCOMPARE(wrong->status, 401);
        auto right =
            server.post(writeRequest(1, 1),
                        {{"Authorization",
                          "Basic " + QByteArray("prometheus:s3cret").toBase64().toStdString()}});
        QCOMPARE(right->status, 204);
        QCOMPARE(storedSamples(storage), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestRemoteWriteReceiver)
#include "tst_remote_write_receiver.moc"

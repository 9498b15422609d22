// Loki's query API over a MemoryLogStore: JSON shapes of streams, vector,
// matrix and scalar results, time/step/limit/direction parameters, labels,
// label values, series, tail long-poll and Loki's error answers.

#include <QtTest>

#include <thread>

#include "core/http/loki_api.h"
#include "core/logs/memory_log_store.h"
#include "tests/support/http_client.h"

using namespace vigil;

namespace {

constexpr std::int64_t kSec = 1000000000;
// 2024-05-29T16:26:40Z, a fixed base so responses are exact.
constexpr std::int64_t kBase = 1717000000LL * kSec;

QJsonObject json(const std::string& body) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(body)).object();
}

}  // namespace

class TestLokiApi : public QObject {
    Q_OBJECT

    logs::MemoryLogStore m_store;
    httplib::Server m_server;
    std::thread m_thread;
    QString m_hostPort;

    test::HttpReply get(const std::string& path) { return test::httpGet(m_hostPort, path); }

private slots:
    void initTestCase() {
        logs::LogStream a;
        a.labels = model::Labels{{"app", "shop"}, {"env", "prod"}};
        logs::LogStream b;
        b.labels = model::Labels{{"app", "db"}};
        for (int i = 0; i < 10; ++i) {
            a.entries.push_back({kBase + i * 10 * kSec, "level=info n=" + std::to_string(i), {}});
            b.entries.push_back({kBase + i * 10 * kSec + 5 * kSec, "level=error", {}});
        }
        m_store.push({a, b});
        http::lokiApiRoutes(m_store)(m_server);
        const int port = m_server.bind_to_any_port("127.0.0.1");
        QVERIFY(port > 0);
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        m_hostPort = "127.0.0.1:" + QString::number(port);
        for (int i = 0; i < 100 && !m_server.is_running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    void cleanupTestCase() {
        m_server.stop();
        if (m_thread.joinable())
            m_thread.join();
    }

    void timeParsing_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ns");
        QTest::newRow("ns") << "1717000000123456789" << qint64(1717000000123456789LL);
        QTest::newRow("seconds") << "1717000000" << qint64(kBase);
        QTest::newRow("float seconds") << "1717000000.5" << qint64(kBase + kSec / 2);
        QTest::newRow("rfc3339") << "2024-05-29T16:26:40Z" << qint64(kBase);
        QTest::newRow("rfc3339nano offset")
            << "2024-05-29T18:26:40.000000001+02:00" << qint64(kBase + 1);
    }
    void timeParsing() {
        QFETCH(QString, text);
        QFETCH(qint64, ns);
        auto t = http::parseLokiTime(text.toStdString());
        QVERIFY2(t.isOk(), t.status().message().c_str());
        QCOMPARE(qint64(t.value()), ns);
        QVERIFY(!http::parseLokiTime("yesterday").isOk());
        QCOMPARE(http::parseLokiDuration("1m30s").value(), 90 * kSec);
        QCOMPARE(http::parseLokiDuration("0.5").value(), kSec / 2);
    }

    void queryRangeStreams() {
        auto r =
            get("/loki/api/v1/query_range?query=%7Bapp%3D%22shop%22%7D%20%7C%3D%20%22n%3D%22"
                "&start=1717000000&end=1717000050&limit=3");
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType.starts_with("application/json"));
        QJsonObject o = json(r.body);
        QCOMPARE(o["status"].toString(), QString("success"));
        QJsonObject data = o["data"].toObject();
        QCOMPARE(data["resultType"].toString(), QString("streams"));
        QJsonArray result = data["result"].toArray();
        QCOMPARE(result.size(), 1);
        QJsonObject s = result[0].toObject();
        QCOMPARE(s["stream"].toObject()["app"].toString(), QString("shop"));
        QCOMPARE(s["stream"].toObject()["env"].toString(), QString("prod"));
        QJsonArray values = s["values"].toArray();
        QCOMPARE(values.size(), 3);  // limit; backward: newest first, end exclusive
        QCOMPARE(values[0].toArray()[0].toString(), QString("1717000040000000000"));
        QCOMPARE(values[0].toArray()[1].toString(), QString("level=info n=4"));
        QCOMPARE(values[2].toArray()[0].toString(), QString("1717000020000000000"));
        QVERIFY(data["stats"].toObject()["summary"].toObject().contains("totalLinesProcessed"));

        r =
            get("/loki/api/v1/query_range?query=%7Bapp%3D%22shop%22%7D&start=1717000000"
                "&end=1717000050&limit=2&direction=forward");
        values =
            json(r.body)["data"].toObject()["result"].toArray()[0].toObject()["values"].toArray();
        QCOMPARE(values.size(), 2);
        QCOMPARE(values[0].toArray()[1].toString(), QString("level=info n=0"));
    }

    void queryRangeMatrix() {
        auto r =
            get("/loki/api/v1/query_range?query=sum%20by%20(app)%20(count_over_time(%7Bapp%3D~"
                "%22shop%7Cdb%22%7D%5B30s%5D))&start=1717000030&end=1717000060&step=15s");
        QCOMPARE(r.status, 200);
        QJsonObject data = json(r.body)["data"].toObject();
        QCOMPARE(data["resultType"].toString(), QString("matrix"));
        QJsonArray result = data["result"].toArray();
        QCOMPARE(result.size(), 2);
        QJsonObject shop = result[1].toObject();
        QCOMPARE(shop["metric"].toObject()["app"].toString(), QString("shop"));
        QJsonArray values = shop["values"].toArray();
        QCOMPARE(values.size(), 3);  // 30, 45, 60
        QCOMPARE(values[0].toArray()[0].toDouble(), 1717000030.0);
        QCOMPARE(values[0].toArray()[1].toString(), QString("3"));
    }

    void instantQuery() {
        auto r =
            get("/loki/api/v1/query?query=count_over_time(%7Bapp%3D%22db%22%7D%5B1m%5D)"
                "&time=1717000060");
        QCOMPARE(r.status, 200);
        QJsonObject data = json(r.body)["data"].toObject();
        QCOMPARE(data["resultType"].toString(), QString("vector"));
        QJsonArray value = data["result"].toArray()[0].toObject()["value"].toArray();
        QCOMPARE(value[0].toDouble(), 1717000060.0);
        QCOMPARE(value[1].toString(), QString("6"));

        r = get("/loki/api/v1/query?query=1%2B1&time=1717000060");
        data = json(r.body)["data"].toObject();
        QCOMPARE(data["resultType"].toString(), QString("scalar"));
        QCOMPARE(data["result"].toArray()[1].toString(), QString("2"));

        // POST form body.
        r = test::httpRequest(m_hostPort, "POST", "/loki/api/v1/query",
                              "query=vector(3)&time=1717000060",
                              "application/x-www-form-urlencoded");
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r.body)["data"]
                     .toObject()["result"]
                     .toArray()[0]
                     .toObject()["value"]
                     .toArray()[1]
                     .toString(),
                 QString("3"));
    }

    void errors() {
        auto r = get("/loki/api/v1/query?query=%7Bapp%3D%22db%22%7D");
        QCOMPARE(r.status, 400);
        QVERIFY2(
            r.body.find("log queries are not supported as an instant query") != std::string::npos,
            r.body.c_str());
        r = get("/loki/api/v1/query_range?query=%7Bapp%3D%22db%22");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.starts_with("parse error at line 1, col"), r.body.c_str());
        r = get("/loki/api/v1/query_range?query=%7Bapp%3D%22db%22%7D&limit=-1");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.find("limit must be a positive value") != std::string::npos,
                 r.body.c_str());
        r = get("/loki/api/v1/query_range?query=%7Bapp%3D%22db%22%7D&direction=sideways");
        QCOMPARE(r.status, 400);
        r =
            get("/loki/api/v1/query_range?query=rate(%7Bapp%3D%22db%22%7D%5B1m%5D)&step=0"
                "&start=1717000000&end=1717000060");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.find("zero or negative query resolution step") != std::string::npos,
                 r.body.c_str());
        r = get(
            "/loki/api/v1/query_range?query=%7Bapp%3D%22db%22%7D&start=1717000060&end=1717000000");
        QCOMPARE(r.status, 400);
        // A pipeline error fails a metric query with 400 and names the error.
        r = get(
            "/loki/api/v1/query?query=count_over_time(%7Bapp%3D%22db%22%7D%20%7C%20json%5B1m%5D)"
            "&time=1717000060");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.find("JSONParserErr") != std::string::npos, r.body.c_str());
    }

    void labelsValuesSeries() {
        auto r = get("/loki/api/v1/labels?start=1717000000&end=1717000100");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("{\"status\":\"success\",\"data\":[\"app\",\"env\"]}"));
        r = get("/loki/api/v1/label/app/values?start=1717000000&end=1717000100");
        QCOMPARE(r.body, std::string("{\"status\":\"success\",\"data\":[\"db\",\"shop\"]}"));
        r =
            get("/loki/api/v1/label/app/"
                "values?start=1717000000&end=1717000100&query=%7Benv%3D%22prod%22%7D");
        QCOMPARE(r.body, std::string("{\"status\":\"success\",\"data\":[\"shop\"]}"));
        r = get(
            "/loki/api/v1/series?match[]=%7Bapp%3D%22shop%22%7D&start=1717000000&end=1717000100");
        QCOMPARE(
            r.body,
            std::string("{\"status\":\"success\",\"data\":[{\"app\":\"shop\",\"env\":\"prod\"}]}"));
        r = get("/loki/api/v1/series?match[]=%7Bapp%3D%22shop%22&start=1717000000&end=1717000100");
        QCOMPARE(r.status, 400);
        // Outside the data: nothing.
        r = get("/loki/api/v1/labels?start=1600000000&end=1600000100");
        QCOMPARE(r.body, std::string("{\"status\":\"success\",\"data\":[]}"));
    }

    void tailLongPoll() {
        auto r = get("/loki/api/v1/tail?query=%7Bapp%3D%22db%22%7D&start=1717000090000000000");
        QCOMPARE(r.status, 200);
        QJsonObject o = json(r.body);
        QJsonArray streams = o["streams"].toArray();
        QCOMPARE(streams.size(), 1);
        QJsonArray values = streams[0].toObject()["values"].toArray();
        QCOMPARE(values.size(), 1);  // the db entry at +95s, oldest first
        QCOMPARE(values[0].toArray()[0].toString(), QString("1717000095000000000"));
        QVERIFY(o.contains("dropped_entries"));

        // Nothing newer: an empty message after `wait`.
        r = get("/loki/api/v1/tail?query=%7Bapp%3D%22db%22%7D&start=1717000096000000000&wait=0");
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r.body)["streams"].toArray().size(), 0);

        r = get("/loki/api/v1/tail?query=rate(%7Bapp%3D%22db%22%7D%5B1m%5D)");
        QCOMPARE(r.status, 400);
        r = get("/loki/api/v1/tail?query=%7Bapp%3D%22db%22%7D&wait=99");
        QCOMPARE(r.status, 400);
    }
};

QTEST_GUILESS_MAIN(TestLokiApi)
#include "tst_loki_api.moc"

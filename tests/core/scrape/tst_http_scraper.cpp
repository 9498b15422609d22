// HttpScraper against a loopback server: headers, gzip, limits, timeouts, auth.

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <future>

#include "core/scrape/content_type.h"
#include "core/scrape/gzip.h"
#include "core/scrape/http_scraper.h"
#include "scrape_test_support.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

std::future<ScrapeResponse> fetch(HttpScraper& scraper, ScrapeRequest request) {
    auto promise = std::make_shared<std::promise<ScrapeResponse>>();
    auto future = promise->get_future();
    scraper.submit(std::move(request), [promise](ScrapeResponse&& response) {
        promise->set_value(std::move(response));
    });
    return future;
}

ScrapeRequest request(const test::ExpositionServer& server, const std::string& path,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    ScrapeRequest r;
    r.url = "http://" + server.address() + path;
    r.timeout = timeout;
    return r;
}

}  // namespace

class TestHttpScraper : public QObject {
    Q_OBJECT
private:
    test::ExpositionServer m_server;
    HttpScraper m_scraper;
    std::string m_nodePage;

private slots:
    void initTestCase() {
        QVERIFY(m_scraper.start().isOk());
        m_nodePage = test::readTestFile("testdata/node_exporter.prom");
        QVERIFY(m_nodePage.size() > 50000);
        m_server.setPage("/metrics", {m_nodePage});
        test::Page gz;
        gz.body = test::readTestFile("testdata/node_exporter.prom.gz");
        gz.contentEncoding = "gzip";
        m_server.setPage("/gzip", gz);
        m_server.setPage("/huge", {std::string(3 * 1024 * 1024, '#')});
        test::Page slow{"slow 1\n"};
        slow.delay = std::chrono::milliseconds(2500);
        m_server.setPage("/slow", slow);
        test::Page om{"a 1\n# EOF\n", "application/openmetrics-text; version=1.0.0; charset=utf-8"};
        m_server.setPage("/om", om);
        test::Page error{"oops"};
        error.status = 503;
        m_server.setPage("/error", error);
    }

    void plainPageAndHeaders() {
        ScrapeRequest r = request(m_server, "/metrics", std::chrono::milliseconds(2500));
        ScrapeResponse response = fetch(m_scraper, r).get();
        QVERIFY2(response.status.isOk(), response.status.message().c_str());
        QCOMPARE(response.httpStatus, 200L);
        QCOMPARE(response.body, m_nodePage);
        QVERIFY(response.contentType.starts_with("text/plain"));
        const auto headers = m_server.requests("/metrics").back();
        QCOMPARE(test::headerValue(headers, "Accept"), std::string(kScrapeAcceptHeader));
        QVERIFY(test::headerValue(headers, "Accept-Encoding").find("gzip") != std::string::npos);
        QCOMPARE(test::headerValue(headers, "User-Agent"), scrapeUserAgent());
        QVERIFY(scrapeUserAgent().starts_with("Vigil/"));
        QCOMPARE(test::headerValue(headers, "X-Prometheus-Scrape-Timeout-Seconds"),
                 std::string("2.5"));
    }

    void gzipIsDecompressed() {
        ScrapeResponse response = fetch(m_scraper, request(m_server, "/gzip")).get();
        QVERIFY2(response.status.isOk(), response.status.message().c_str());
        // The .gz fixture is a slightly different capture than the .prom one.
        std::string expected;
        QVERIFY(gunzip(test::readTestFile("testdata/node_exporter.prom.gz"), 0, expected).isOk());
        QCOMPARE(response.body, expected);
        QVERIFY(response.wireBytes < expected.size() / 3);
    }

    void openMetricsContentType() {
        ScrapeResponse response = fetch(m_scraper, request(m_server, "/om")).get();
        QVERIFY(response.status.isOk());
        QCOMPARE(parserFor(response.contentType).format, ExpositionFormat::kOpenMetrics);
    }

    void bodySizeLimit_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<qulonglong>("limit");
        QTest::addColumn<bool>("ok");
        QTest::newRow("huge page") << "/huge" << qulonglong(100000) << false;
        // The limit applies to the decompressed size (57 KB from 9 KB).
        QTest::newRow("gzip over limit") << "/gzip" << qulonglong(20000) << false;
        QTest::newRow("gzip within limit") << "/gzip" << qulonglong(60000) << true;
    }
    void bodySizeLimit() {
        QFETCH(QString, path);
        QFETCH(qulonglong, limit);
        QFETCH(bool, ok);
        ScrapeRequest r = request(m_server, path.toStdString());
        r.bodySizeLimit = limit;
        ScrapeResponse response = fetch(m_scraper, r).get();
        QCOMPARE(response.status.isOk(), ok);
        if (!ok) {
            QCOMPARE(response.status.message(), std::string(kBodySizeLimitError));
            // Aborted while receiving, not after reading 3 MB.
            QVERIFY(response.body.size() <= limit);
        }
    }

    void timeoutDoesNotSlowOthers() {
        const auto start = std::chrono::steady_clock::now();
        auto slow = fetch(m_scraper, request(m_server, "/slow", std::chrono::milliseconds(500)));
        auto fast = fetch(m_scraper, request(m_server, "/metrics"));
        ScrapeResponse fastResponse = fast.get();
        const auto fastDone = std::chrono::steady_clock::now() - start;
        ScrapeResponse slowResponse = slow.get();
        const auto slowDone = std::chrono::steady_clock::now() - start;
        QVERIFY(fastResponse.status.isOk());
        // The fast page is not held behind the slow one (which waits for its timeout).
        QVERIFY(fastDone + std::chrono::milliseconds(100) < slowDone);
        QVERIFY(!slowResponse.status.isOk());
        QCOMPARE(slowResponse.status.message(),
                 "Get \"http://" + m_server.address() + "/slow\": context deadline exceeded");
        QVERIFY(slowDone >= std::chrono::milliseconds(450));
        QVERIFY2(slowDone < std::chrono::milliseconds(1500),
                 std::to_string(slowDone.count()).c_str());
    }

    void httpErrorStatus() {
        ScrapeResponse response = fetch(m_scraper, request(m_server, "/error")).get();
        QCOMPARE(response.status.message(),
                 std::string("server returned HTTP status 503 Service Unavailable"));
        response = fetch(m_scraper, request(m_server, "/nothing-here")).get();
        QCOMPARE(response.status.message(),
                 std::string("server returned HTTP status 404 Not Found"));
    }

    void connectionRefused() {
        // A port that was just free: bind, note it, close.
        int port = 0;
        {
            httplib::Server probe;
            port = probe.bind_to_any_port("127.0.0.1");
        }
        ScrapeRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
        ScrapeResponse response = fetch(m_scraper, r).get();
        QVERIFY(!response.status.isOk());
        QVERIFY2(response.status.message().starts_with("Get \"" + r.url + "\": "),
                 response.status.message().c_str());
    }

    void authentication_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("basic_auth password") << 0 << "Basic dXNlcjpzM2NyZXQ=";
        QTest::newRow("basic_auth password_file") << 1 << "Basic dXNlcjpmcm9tLWZpbGU=";
        QTest::newRow("bearer_token") << 2 << "Bearer tok123";
        QTest::newRow("authorization credentials_file") << 3 << "Custom file-token";
    }
    void authentication() {
        QFETCH(int, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        auto http = std::make_shared<config::HttpClientConfig>();
        const std::string file = dir.filePath("secret").toStdString();
        {
            std::ofstream out(file);
            out << (kind == 1 ? "from-file\n" : "file-token\n");
        }
        switch (kind) {
            case 0:
                http->basicAuthUsername = "user";
                http->basicAuthPassword = "s3cret";
                break;
            case 1:
                http->basicAuthUsername = "user";
                http->basicAuthPasswordFile = file;
                break;
            case 2:
                http->authorizationCredentials = "tok123";
                break;
            default:
                http->authorizationType = "Custom";
                http->authorizationCredentialsFile = file;
                break;
        }
        const std::string path = "/auth" + std::to_string(kind);
        m_server.setPage(path, {"a 1\n"});
        ScrapeRequest r = request(m_server, path);
        r.http = http;
        QVERIFY(fetch(m_scraper, r).get().status.isOk());
        QCOMPARE(QString::fromStdString(
                     test::headerValue(m_server.requests(path).back(), "Authorization")),
                 expected);
    }

    void missingSecretFile() {
        auto http = std::make_shared<config::HttpClientConfig>();
        http->authorizationCredentialsFile = "/nonexistent/token";
        ScrapeRequest r = request(m_server, "/metrics");
        r.http = http;
        ScrapeResponse response = fetch(m_scraper, r).get();
        QVERIFY(!response.status.isOk());
        QVERIFY(response.status.message().find("/nonexistent/token") != std::string::npos);
    }

    void connectionsAreKeptAlive() {
        // A fresh client: its connection pool holds only this connection.
        HttpScraper scraper;
        QVERIFY(scraper.start().isOk());
        m_server.setPage("/keepalive", {"a 1\n"});
        for (int i = 0; i < 3; ++i)
            QVERIFY(fetch(scraper, request(m_server, "/keepalive")).get().status.isOk());
        const std::vector<int> ports = m_server.remotePorts("/keepalive");
        QCOMPARE(ports.size(), 3u);
        QCOMPARE(ports[1], ports[0]);
        QCOMPARE(ports[2], ports[0]);
    }

    void proxyUrl() {
        // The test server plays the proxy: it gets the absolute URL and the
        // target's Host header.
        auto http = std::make_shared<config::HttpClientConfig>();
        http->proxyUrl = "http://" + m_server.address();
        ScrapeRequest r;
        r.url = "http://scrape-target.invalid:9100/metrics";
        r.http = http;
        ScrapeResponse response = fetch(m_scraper, r).get();
        QVERIFY(response.httpStatus != 0);
        const auto hosts = m_server.hosts();
        QVERIFY(std::find(hosts.begin(), hosts.end(), "scrape-target.invalid:9100") != hosts.end());
    }

    void tls_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("error");  // empty: the scrape succeeds
        QTest::newRow("unknown CA") << 0 << "certificate";
        QTest::newRow("insecure_skip_verify") << 1 << "";
        QTest::newRow("ca_file and server_name") << 2 << "";
        QTest::newRow("ca_file, name mismatch") << 3 << "127.0.0.1";
        QTest::newRow("missing ca_file") << 4 << "/nonexistent/ca.pem";
    }
    void tls() {
        QFETCH(int, mode);
        QFETCH(QString, error);
        if (QStandardPaths::findExecutable("openssl").isEmpty() ||
            QStandardPaths::findExecutable("python3").isEmpty())
            QSKIP("openssl and python3 are needed for the HTTPS server");
        QTemporaryDir dir;
        const QString cert = dir.filePath("cert.pem");
        const QString key = dir.filePath("key.pem");
        QProcess openssl;
        openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                  "-out", cert, "-days", "2", "-subj", "/CN=vigil.test", "-addext",
                                  "subjectAltName=DNS:vigil.test"});
        QVERIFY(openssl.waitForFinished(30000) && openssl.exitCode() == 0);
        QProcess server;
        server.start("python3",
                     {QString(VIGIL_TEST_DATA_DIR) + "/testdata/https_server.py", cert, key});
        QVERIFY(server.waitForReadyRead(10000));
        const int port = server.readLine().trimmed().toInt();
        QVERIFY(port > 0);

        auto http = std::make_shared<config::HttpClientConfig>();
        if (mode == 1)
            http->tls.insecureSkipVerify = true;
        if (mode == 2 || mode == 3)
            http->tls.caFile = cert.toStdString();
        if (mode == 2)
            http->tls.serverName = "vigil.test";
        if (mode == 4)
            http->tls.caFile = "/nonexistent/ca.pem";
        ScrapeRequest r;
        r.url = "https://127.0.0.1:" + std::to_string(port) + "/metrics";
        r.http = http;
        ScrapeResponse response = fetch(m_scraper, r).get();
        server.kill();
        server.waitForFinished(5000);
        if (error.isEmpty()) {
            QVERIFY2(response.status.isOk(), response.status.message().c_str());
            QCOMPARE(response.body, std::string("tls_metric 1\n"));
        } else {
            QVERIFY(!response.status.isOk());
            QVERIFY2(response.status.message().find(error.toStdString()) != std::string::npos,
                     response.status.message().c_str());
        }
    }

    void manyConcurrentRequests() {
        std::vector<std::future<ScrapeResponse>> futures;
        for (int i = 0; i < 50; ++i)
            // A long timeout: the test server's listen backlog is small, and
            // connection attempts beyond it wait for SYN retransmits.
            futures.push_back(
                fetch(m_scraper, request(m_server, "/metrics", std::chrono::seconds(20))));
        for (auto& f : futures) {
            ScrapeResponse response = f.get();
            QVERIFY2(response.status.isOk(), response.status.message().c_str());
        }
        QCOMPARE(m_scraper.inFlight(), 0u);
    }

    void stopCancelsInFlight() {
        HttpScraper scraper;
        QVERIFY(scraper.start().isOk());
        auto slow = fetch(scraper, request(m_server, "/slow"));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        scraper.stop();
        ScrapeResponse response = slow.get();
        QCOMPARE(response.status.code(), Status::Code::kCancelled);
        // Not running: the callback still runs, with an error.
        QCOMPARE(fetch(scraper, request(m_server, "/metrics")).get().status.code(),
                 Status::Code::kCancelled);
    }

    void cleanupTestCase() { m_scraper.stop(); }
};

QTEST_GUILESS_MAIN(TestHttpScraper)
#include "tst_http_scraper.moc"

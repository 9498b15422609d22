#include <QTemporaryDir>
#include <QtTest>

#include "core/state/database.h"

using vigil::state::Database;

class TestStateDatabase : public QObject {
    Q_OBJECT
private slots:
    void migratesOnceAndKeepsDataAcrossReopen() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("state.db").toStdString();
        const std::vector<std::string> steps = {
            "CREATE TABLE acks (id INTEGER PRIMARY KEY, who TEXT NOT NULL)",
            "ALTER TABLE acks ADD COLUMN comment TEXT"};
        {
            auto db = Database::open(path);
            QVERIFY2(db.isOk(), db.status().message().c_str());
            QVERIFY((*db)->migrate("acks", steps).isOk());
            QCOMPARE(*(*db)->schemaVersion("acks"), 2);
            auto insert = (*db)->prepare("INSERT INTO acks(who, comment) VALUES(?, ?)");
            QVERIFY(insert.isOk());
            insert->bind(1, std::string_view("alice")).bind(2, std::string_view("disk swap"));
            QVERIFY(insert->run().isOk());
        }
        auto db = Database::open(path);
        QVERIFY(db.isOk());
        QVERIFY((*db)->migrate("acks", steps).isOk());  // already there: no-op
        auto select = (*db)->prepare("SELECT who, comment FROM acks");
        QVERIFY(select.isOk());
        QVERIFY(select->step());
        QCOMPARE(select->columnText(0), std::string("alice"));
        QCOMPARE(select->columnText(1), std::string("disk swap"));
        QVERIFY(!select->step());
    }

    void failedTransactionRollsBack() {
        auto db = Database::open(":memory:");
        QVERIFY(db.isOk());
        QVERIFY((*db)->exec("CREATE TABLE t (v INTEGER UNIQUE)").isOk());
        vigil::Status s = (*db)->transaction([&] {
            if (vigil::Status e = (*db)->exec("INSERT INTO t VALUES (1)"); !e)
                return e;
            return (*db)->exec("INSERT INTO t VALUES (1)");  // violates UNIQUE
        });
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("UNIQUE") != std::string::npos, s.message().c_str());
        auto count = (*db)->prepare("SELECT count(*) FROM t");
        QVERIFY(count->step());
        QCOMPARE(count->columnInt(0), std::int64_t(0));
    }

    void newerSchemaIsRefused() {
        auto db = Database::open(":memory:");
        QVERIFY((*db)->migrate("x", {"CREATE TABLE a (v)", "CREATE TABLE b (v)"}).isOk());
        vigil::Status s = (*db)->migrate("x", {"CREATE TABLE a (v)"});
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("newer") != std::string::npos, s.message().c_str());
    }

    void badSqlNamesTheStatement() {
        auto db = Database::open(":memory:");
        auto stmt = (*db)->prepare("SELEC 1");
        QVERIFY(!stmt.isOk());
        QVERIFY2(stmt.status().message().find("SELEC 1") != std::string::npos,
                 stmt.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestStateDatabase)
#include "tst_state_database.moc"

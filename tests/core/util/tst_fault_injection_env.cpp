#include <QTemporaryDir>
#include <QtTest>

#include <string>

#include "core/util/fault_injection_env.h"

using vigil::Env;
using vigil::FaultInjectionEnv;
using vigil::Status;

class TestFaultInjectionEnv : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string dir() const { return m_tmp->path().toStdString(); }
    std::string path(const std::string& name) const { return vigil::joinPath(dir(), name); }
    static std::string contents(const std::string& p) {
        auto r = vigil::readFile(Env::posix(), p);
        return r.isOk() ? *r : std::string("<missing>");
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void passesThroughWithoutFaults() {
        FaultInjectionEnv env(Env::posix());
        auto f = env.newWritableFile(path("a"));
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("hello"));
        QVERIFY((*f)->sync());
        QVERIFY((*f)->close());
        QCOMPARE(contents(path("a")), std::string("hello"));
        QCOMPARE(env.bytesWritten(), std::uint64_t(5));
    }

    void syncFailure() {
        FaultInjectionEnv env(Env::posix());
        auto f = env.newWritableFile(path("a"));
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("data"));
        env.setSyncFailure(true);
        Status s = (*f)->sync();
        QVERIFY(!s);
        QCOMPARE(s.code(), Status::Code::kIoError);
        QVERIFY(s.message().find(path("a")) != std::string::npos);
        QVERIFY(s.message().find("fdatasync") != std::string::npos);
        QVERIFY(!env.syncDir(dir()));
        env.setSyncFailure(false);
        QVERIFY((*f)->sync());
        QVERIFY(env.syncDir(dir()));
    }

    void noSpaceWritesThePrefixThatFits() {
        FaultInjectionEnv env(Env::posix());
        auto f = env.newWritableFile(path("a"));
        QVERIFY(f.isOk());
        env.setNoSpaceAfter(10);
        QVERIFY((*f)->append("12345678"));
        Status s = (*f)->append("abcde");
        QVERIFY(!s);
        QCOMPARE(s.code(), Status::Code::kResourceExhausted);
        QVERIFY(s.message().find("No space left on device") != std::string::npos);
        QVERIFY(s.message().find(path("a")) != std::string::npos);
        QVERIFY(!(*f)->append("x"));  // still full
        QCOMPARE(contents(path("a")), std::string("12345678ab"));
        env.resetFaults();
        QVERIFY((*f)->append("!"));
        QCOMPARE(contents(path("a")), std::string("12345678ab!"));
    }

    void tornWriteCrashesTheProcess() {
        FaultInjectionEnv env(Env::posix());
        auto f = env.newWritableFile(path("a"));
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("first "));
        env.tearNextWrite(3);
        QVERIFY(!(*f)->append("second"));
        QVERIFY(env.crashed());
        QCOMPARE(contents(path("a")), std::string("first sec"));
        // Nothing works after the crash...
        QVERIFY(!(*f)->append("more"));
        QVERIFY(!(*f)->sync());
        QVERIFY(!env.newWritableFile(path("b")).isOk());
        QVERIFY(!env.removeFile(path("a")));
        // ...until the process "restarts". The torn bytes stay.
        env.resetFaults();
        QVERIFY(!env.crashed());
        QCOMPARE(contents(path("a")), std::string("first sec"));
        QVERIFY(env.newWritableFile(path("b")).isOk());
    }

    void powerLossDropsUnsyncedData() {
        FaultInjectionEnv env(Env::posix());
        // Durable name (dir synced), partly synced content.
        auto a = env.newWritableFile(path("a"));
        QVERIFY(a.isOk());
        QVERIFY(env.syncDir(dir()));
        QVERIFY((*a)->append("hello"));
        QVERIFY((*a)->sync());
        QVERIFY((*a)->append(" world"));
        QVERIFY((*a)->flush());
        // Synced content but the directory entry was never synced.
        auto b = env.newWritableFile(path("b"));
        QVERIFY(b.isOk());
        QVERIFY((*b)->append("bbb"));
        QVERIFY((*b)->sync());
        // A failed sync does not make data durable.
        QVERIFY((*a)->append("!"));
        env.setSyncFailure(true);
        QVERIFY(!(*a)->sync());

        QCOMPARE(contents(path("a")), std::string("hello world!"));
        QVERIFY(env.dropUnsyncedData());
        QCOMPARE(contents(path("a")), std::string("hello"));
        QVERIFY(!Env::posix()->fileExists(path("b")));
        // Handles from before the power loss are dead; faults are cleared.
        QVERIFY(!(*a)->append("x"));
        QCOMPARE(contents(path("a")), std::string("hello"));
        auto c = env.newAppendableFile(path("a"));
        QVERIFY(c.isOk());
        QVERIFY((*c)->append("+"));
        QVERIFY((*c)->sync());
        QCOMPARE(contents(path("a")), std::string("hello+"));
    }

    void renameIsNotDurableBeforeDirSync() {
        FaultInjectionEnv env(Env::posix());
        QVERIFY(env.createDir(path("d")));
        auto f = env.newWritableFile(path("d/x"));
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("xx"));
        QVERIFY((*f)->sync());
        QVERIFY((*f)->close());
        QVERIFY(env.syncDir(path("d")));
        QVERIFY(env.renameFile(path("d/x"), path("d/w")));
        QVERIFY(env.syncDir(path("d")));
        // A rename without a later syncDir is lost with the power.
        auto g = env.newWritableFile(path("d/z"));
        QVERIFY(g.isOk());
        QVERIFY((*g)->append("zz"));
        QVERIFY((*g)->sync());
        QVERIFY((*g)->close());
        QVERIFY(env.syncDir(path("d")));
        QVERIFY(env.renameFile(path("d/z"), path("d/y")));
        QVERIFY(env.dropUnsyncedData());
        QVERIFY(!Env::posix()->fileExists(path("d/y")));
        // d/w was renamed and the directory synced afterwards: durable.
        QCOMPARE(contents(path("d/w")), std::string("xx"));
    }

    void directoryRenameCarriesFileState() {
        FaultInjectionEnv env(Env::posix());
        QVERIFY(env.createDir(path("tmp")));
        auto f = env.newWritableFile(path("tmp/seg"));
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("synced"));
        QVERIFY((*f)->sync());
        QVERIFY((*f)->append("-unsynced"));
        QVERIFY((*f)->close());
        QVERIFY(env.syncDir(path("tmp")));
        QVERIFY(env.renameFile(path("tmp"), path("final")));
        QVERIFY(env.syncDir(dir()));
        QVERIFY(env.dropUnsyncedData());
        QCOMPARE(contents(path("final/seg")), std::string("synced"));
    }
};

QTEST_GUILESS_MAIN(TestFaultInjectionEnv)
#include "tst_fault_injection_env.moc"

#include <QTemporaryDir>
#include <QtTest>

#include <string>

#include "core/util/env.h"

using vigil::Env;
using vigil::Status;

class TestEnv : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    std::string path(const std::string& name) const {
        return vigil::joinPath(m_tmp.path().toStdString(), name);
    }
    Env* env() const { return Env::posix(); }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void writeAndReadBack_data() {
        QTest::addColumn<int>("chunk");
        QTest::addColumn<int>("chunks");
        QTest::newRow("small appends") << 7 << 1000;
        QTest::newRow("appends larger than the buffer") << 100000 << 3;
        QTest::newRow("empty") << 0 << 0;
    }
    void writeAndReadBack() {
        QFETCH(int, chunk);
        QFETCH(int, chunks);
        std::string expected;
        for (int i = 0; i < chunk * chunks; ++i)
            expected.push_back(static_cast<char>('a' + (i * 7) % 26));
        const std::string p = path("rw-" + std::to_string(chunk));
        {
            auto file = env()->newWritableFile(p);
            QVERIFY2(file.isOk(), file.status().message().c_str());
            for (int i = 0; i < chunks; ++i)
                QVERIFY((*file)->append(std::string_view(expected).substr(i * chunk, chunk)));
            QVERIFY((*file)->sync());
            QVERIFY((*file)->close());
            QVERIFY(!(*file)->append("x"));  // closed
        }
        auto size = env()->getFileSize(p);
        QVERIFY(size.isOk());
        QCOMPARE(*size, expected.size());
        auto all = vigil::readFile(env(), p);
        QVERIFY(all.isOk());
        QVERIFY(*all == expected);

        // Sequential: read in pieces with a skip.
        auto seq = env()->newSequentialFile(p);
        QVERIFY(seq.isOk());
        char buf[10];
        auto n = (*seq)->read(buf, 5);
        QVERIFY(n.isOk());
        QCOMPARE(*n, std::min<std::size_t>(5, expected.size()));
        QVERIFY(std::string_view(buf, *n) == std::string_view(expected).substr(0, *n));
        QVERIFY((*seq)->skip(3));
        n = (*seq)->read(buf, 10);
        QVERIFY(n.isOk());
        if (expected.size() > 8)
            QVERIFY(std::string_view(buf, *n) == std::string_view(expected).substr(8, *n));
        else
            QCOMPARE(*n, std::size_t(0));

        // Random access (mmap for non-empty files).
        auto ra = env()->newRandomAccessFile(p);
        QVERIFY(ra.isOk());
        QCOMPARE((*ra)->size(), expected.size());
        std::string scratch(64, '\0');
        if (expected.size() >= 40) {
            auto r = (*ra)->read(30, 10, scratch.data());
            QVERIFY(r.isOk());
            QVERIFY(*r == std::string_view(expected).substr(30, 10));
        }
        auto tail = (*ra)->read(expected.size() > 3 ? expected.size() - 3 : 0, 10, scratch.data());
        QVERIFY(tail.isOk());
        QCOMPARE(tail->size(), std::min<std::size_t>(3, expected.size()));
        auto past = (*ra)->read(expected.size() + 1, 1, scratch.data());
        if (expected.empty()) {
            QVERIFY(past.isOk());  // pread: just end of file
            QCOMPARE(past->size(), std::size_t(0));
        } else {
            QVERIFY(!past.isOk());
            QVERIFY(past.status().message().find(p) != std::string::npos);
        }
    }

    void appendableFileContinues() {
        const std::string p = path("append");
        {
            auto f = env()->newWritableFile(p);
            QVERIFY(f.isOk());
            QVERIFY((*f)->append("hello"));
            QVERIFY((*f)->close());
        }
        {
            auto f = env()->newAppendableFile(p);
            QVERIFY(f.isOk());
            QVERIFY((*f)->append(" world"));
            QVERIFY((*f)->close());
        }
        QCOMPARE(*vigil::readFile(env(), p), std::string("hello world"));
        // newWritableFile truncates.
        {
            auto f = env()->newWritableFile(p);
            QVERIFY(f.isOk());
            QVERIFY((*f)->close());
        }
        QCOMPARE(*env()->getFileSize(p), std::uint64_t(0));
    }

    void errorsNamePathAndErrno() {
        const std::string missing = path("does-not-exist/file");
        auto f = env()->newSequentialFile(missing);
        QVERIFY(!f.isOk());
        QCOMPARE(f.status().code(), Status::Code::kNotFound);
        QVERIFY(f.status().message().find(missing) != std::string::npos);
        QVERIFY(f.status().message().find("No such file or directory") != std::string::npos);

        Status s = env()->removeFile(missing);
        QVERIFY(!s);
        QVERIFY(s.message().find(missing) != std::string::npos);

        auto children = env()->getChildren(path("nope"));
        QVERIFY(!children.isOk());
        QVERIFY(children.status().message().find("opendir") != std::string::npos);

        // A directory cannot be created below a regular file.
        const std::string file = path("plain");
        QVERIFY(vigil::writeFileAtomically(env(), file, "x"));
        Status mk = env()->createDir(file + "/sub");
        QVERIFY(!mk);
        QVERIFY(mk.message().find(file + "/sub") != std::string::npos);
        QVERIFY(mk.message().find("Not a directory") != std::string::npos);
    }

    void noSpaceIsResourceExhausted() {
        if (!QFile::exists("/dev/full"))
            QSKIP("/dev/full is not available");
        auto f = env()->newAppendableFile("/dev/full");
        QVERIFY(f.isOk());
        QVERIFY((*f)->append("data"));  // buffered
        Status s = (*f)->flush();
        QVERIFY(!s);
        QCOMPARE(s.code(), Status::Code::kResourceExhausted);
        QVERIFY(s.message().find("/dev/full") != std::string::npos);
        QVERIFY(s.message().find("No space left on device") != std::string::npos);
    }

    void directories() {
        const std::string root = path("tree");
        QVERIFY(vigil::createDirs(env(), root + "/a/b/c"));
        QVERIFY(env()->isDirectory(root + "/a/b/c"));
        QVERIFY(env()->createDir(root + "/a"));  // exists: fine
        QVERIFY(vigil::writeFileAtomically(env(), root + "/a/z", "zz"));
        QVERIFY(vigil::writeFileAtomically(env(), root + "/a/m", "mm"));
        QVERIFY(!env()->fileExists(root + "/a/z.tmp"));
        auto children = env()->getChildren(root + "/a");
        QVERIFY(children.isOk());
        QCOMPARE(*children, (std::vector<std::string>{"b", "m", "z"}));

        QVERIFY(env()->renameFile(root + "/a/z", root + "/a/y"));
        QVERIFY(!env()->fileExists(root + "/a/z"));
        QCOMPARE(*vigil::readFile(env(), root + "/a/y"), std::string("zz"));
        QVERIFY(env()->truncateFile(root + "/a/y", 1));
        QCOMPARE(*vigil::readFile(env(), root + "/a/y"), std::string("z"));
        QVERIFY(env()->syncDir(root + "/a"));

        QVERIFY(!env()->removeDir(root + "/a"));  // not empty
        QVERIFY(vigil::removeAll(env(), root));
        QVERIFY(!env()->fileExists(root));
        QVERIFY(vigil::removeAll(env(), root));  // absent: fine
    }

    void locking() {
        const std::string p = path("LOCK");
        {
            auto first = env()->lockFile(p);
            QVERIFY(first.isOk());
            auto second = env()->lockFile(p);
            QVERIFY(!second.isOk());
            QCOMPARE(second.status().code(), Status::Code::kUnavailable);
            QVERIFY(second.status().message().find(p) != std::string::npos);
        }  // the lock is released here
        auto third = env()->lockFile(p);
        QVERIFY(third.isOk());
    }
};

QTEST_GUILESS_MAIN(TestEnv)
#include "tst_env.moc"

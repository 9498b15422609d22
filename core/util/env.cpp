#include "core/util/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil {
namespace {

Status posixError(const std::string& path, const char* op, int err) {
    std::string message = path + ": " + op + ": " + std::strerror(err);
    if (err == ENOENT)
        return Status::error(Status::Code::kNotFound, std::move(message));
    if (err == ENOSPC || err == EDQUOT)
        return Status::error(Status::Code::kResourceExhausted, std::move(message));
    return Status::ioError(std::move(message));
}

// Buffers small appends (the WAL writes headers and fragments separately) so
// that each flush() is one write(2).
class PosixWritableFile final : public WritableFile {
public:
    PosixWritableFile(std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {
        m_buffer.reserve(kBufferSize);
    }
    ~PosixWritableFile() override {
        if (m_fd >= 0)
            (void)close();
    }

    Status append(std::string_view data) override {
        if (m_fd < 0)
            return Status::ioError(m_path + ": append: file is closed");
        if (m_buffer.size() + data.size() <= kBufferSize) {
            m_buffer.append(data);
            return Status::ok();
        }
        if (Status s = flush(); !s)
            return s;
        if (data.size() <= kBufferSize) {
            m_buffer.append(data);
            return Status::ok();
        }
        return writeAll(data);
    }

    Status flush() override {
        if (m_fd < 0)
            return Status::ioError(m_path + ": flush: file is closed");
        Status s = writeAll(m_buffer);
        m_buffer.clear();
        return s;
    }

    Status sync() override {
        if (Status s = flush(); !s)
            return s;
        if (::fdatasync(m_fd) != 0)
            return posixError(m_path, "fdatasync", errno);
        return Status::ok();
    }

    Status close() override {
        if (m_fd < 0)
            return Status::ioError(m_path + ": close: file is already closed");
        Status s = flush();
        if (::close(m_fd) != 0 && s.isOk())
            s = posixError(m_path, "close", errno);
        m_fd = -1;
        return s;
    }

    const std::string& path() const override { return m_path; }

private:
    static constexpr std::size_t kBufferSize = 64 * 1024;

    Status writeAll(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::write(m_fd, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return posixError(m_path, "write", errno);
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return Status::ok();
    }

    std::string m_path;
    int m_fd;
    std::string m_buffer;
};

class PosixSequentialFile final : public SequentialFile {
public:
    PosixSequentialFile(std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {}
    ~PosixSequentialFile() override { ::close(m_fd); }

    Result<std::size_t> read(char* scratch, std::size_t n) override {
        std::size_t done = 0;
        while (done < n) {
            ssize_t r = ::read(m_fd, scratch + done, n - done);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return posixError(m_path, "read", errno);
            }
            if (r == 0)
                break;
            done += static_cast<std::size_t>(r);
        }
        return done;
    }

    Status skip(std::uint64_t n) override {
        if (::lseek(m_fd, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1))
            return posixError(m_path, "lseek", errno);
        return Status::ok();
    }

    const std::string& path() const override { return m_path; }

private:
    std::string m_path;
    int m_fd;
};

class MmapRandomAccessFile final : public RandomAccessFile {
public:
    MmapRandomAccessFile(std::string path, const char* base, std::uint64_t size)
        : m_path(std::move(path)), m_base(base), m_size(size) {}
    ~MmapRandomAccessFile() override {
        if (m_size > 0)
            ::munmap(const_cast<char*>(m_base), m_size);
    }

    Result<std::string_view> read(std::uint64_t offset, std::size_t n, char*) const override {
        if (offset > m_size)
            return Status::ioError(m_path + ": read at offset " + std::to_string(offset) +
                                   " past the end of the file (" + std::to_string(m_size) +
                                   " bytes)");
        std::size_t avail = static_cast<std::size_t>(std::min<std::uint64_t>(n, m_size - offset));
        return std::string_view(m_base + offset, avail);
    }
    std::uint64_t size() const override { return m_size; }
    const std::string& path() const override { return m_path; }

private:
    std::string m_path;
    const char* m_base;
    std::uint64_t m_size;
};

class PreadRandomAccessFile final : public RandomAccessFile {
public:
    PreadRandomAccessFile(std::string path, int fd, std::uint64_t size)
        : m_path(std::move(path)), m_fd(fd), m_size(size) {}
    ~PreadRandomAccessFile() override { ::close(m_fd); }

    Result<std::string_view> read(std::uint64_t offset, std::size_t n,
                                  char* scratch) const override {
        std::size_t done = 0;
        while (done < n) {
            ssize_t r = ::pread(m_fd, scratch + done, n - done, static_cast<off_t>(offset + done));
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return posixError(m_path, "pread", errno);
            }
            if (r == 0)
                break;
            done += static_cast<std::size_t>(r);
        }
        return std::string_view(scratch, done);
    }
    std::uint64_t size() const override { return m_size; }
    const std::string& path() const override { return m_path; }

private:
    std::string m_path;
    int m_fd;
    std::uint64_t m_size;
};

class PosixFileLock final : public FileLock {
public:
    explicit PosixFileLock(int fd) : m_fd(fd) {}
    ~PosixFileLock() override {
        ::flock(m_fd, LOCK_UN);
        ::close(m_fd);
    }

private:
    int m_fd;
};

class PosixEnv final : public Env {
public:
    Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override {
        return openWritable(path, O_TRUNC);
    }
    Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override {
        return openWritable(path, O_APPEND);
    }

    Result<std::unique_ptr<SequentialFile>> newSequentialFile(const std::string& path) override {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return posixError(path, "open", errno);
        return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd));
    }

    Result<std::unique_ptr<RandomAccessFile>> newRandomAccessFile(
        const std::string& path) override {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return posixError(path, "open", errno);
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            Status s = posixError(path, "fstat", errno);
            ::close(fd);
            return s;
        }
        auto size = static_cast<std::uint64_t>(st.st_size);
        if (size > 0) {
            void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
            if (base != MAP_FAILED) {
                ::close(fd);  // the mapping keeps the file alive
                return std::unique_ptr<RandomAccessFile>(
                    new MmapRandomAccessFile(path, static_cast<const char*>(base), size));
            }
        }
        return std::unique_ptr<RandomAccessFile>(new PreadRandomAccessFile(path, fd, size));
    }

    bool fileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

    bool isDirectory(const std::string& path) override {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }

    Result<std::vector<std::string>> getChildren(const std::string& dir) override {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr)
            return posixError(dir, "opendir", errno);
        std::vector<std::string> names;
        errno = 0;
        while (struct dirent* e = ::readdir(d)) {
            std::string_view name = e->d_name;
            if (name != "." && name != "..")
                names.emplace_back(name);
        }
        int err = errno;
        ::closedir(d);
        if (err != 0)
            return posixError(dir, "readdir", err);
        std::sort(names.begin(), names.end());
        return names;
    }

    Status removeFile(const std::string& path) override {
        if (::unlink(path.c_str()) != 0)
            return posixError(path, "unlink", errno);
        return Status::ok();
    }

    Status createDir(const std::string& path) override {
        if (::mkdir(path.c_str(), 0755) != 0) {
            if (errno == EEXIST && isDirectory(path))
                return Status::ok();
            return posixError(path, "mkdir", errno);
        }
        return Status::ok();
    }

    Status removeDir(const std::string& path) override {
        if (::rmdir(path.c_str()) != 0)
            return posixError(path, "rmdir", errno);
        return Status::ok();
    }

    Result<std::uint64_t> getFileSize(const std::string& path) override {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
            return posixError(path, "stat", errno);
        return static_cast<std::uint64_t>(st.st_size);
    }

    Status renameFile(const std::string& from, const std::string& to) override {
        if (::rename(from.c_str(), to.c_str()) != 0)
            return posixError(from, ("rename to " + to).c_str(), errno);
        return Status::ok();
    }

    Status truncateFile(const std::string& path, std::uint64_t size) override {
        if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
            return posixError(path, "truncate", errno);
        return Status::ok();
    }

    Status syncDir(const std::string& dir) override {
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return posixError(dir, "open", errno);
        Status s;
        if (::fsync(fd) != 0)
            s = posixError(dir, "fsync", errno);
        ::close(fd);
        return s;
    }

    Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) override {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return posixError(path, "open", errno);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int err = errno;
            ::close(fd);
            if (err == EWOULDBLOCK)
                return Status::error(Status::Code::kUnavailable,
                                     path +
                                         ": lock: held by another process or another "
                                         "instance in this process");
            return posixError(path, "flock", err);
        }
        return std::unique_ptr<FileLock>(new PosixFileLock(fd));
    }

private:
    static Result<std::unique_ptr<WritableFile>> openWritable(const std::string& path, int mode) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0644);
        if (fd < 0)
            return posixError(path, "open", errno);
        return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
    }
};

}  // namespace

Env* Env::posix() {
    static Env* env = new PosixEnv;  // never destroyed: files may outlive static destruction
    return env;
}

std::string joinPath(std::string_view dir, std::string_view name) {
    std::string path(dir);
    if (!path.empty() && path.back() != '/')
        path += '/';
    path += name;
    return path;
}

Status createDirs(Env* env, const std::string& path) {
    if (path.empty() || env->isDirectory(path))
        return Status::ok();
    auto slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        if (Status s = createDirs(env, path.substr(0, slash)); !s)
            return s;
    }
    return env->createDir(path);
}

Status removeAll(Env* env, const std::string& path) {
    if (env->isDirectory(path)) {
        auto children = env->getChildren(path);
        if (!children)
            return children.status();
        for (const auto& name : *children) {
            if (Status s = removeAll(env, joinPath(path, name)); !s)
                return s;
        }
        return env->removeDir(path);
    }
    if (!env->fileExists(path))
        return Status::ok();
    return env->removeFile(path);
}

Status writeFileAtomically(Env* env, const std::string& path, std::string_view data) {
    std::string tmp = path + ".tmp";
    auto file = env->newWritableFile(tmp);
    if (!file)
        return file.status();
    Status s = (*file)->append(data);
    if (s)
        s = (*file)->sync();
    if (s)
        s = (*file)->close();
    if (s)
        s = env->renameFile(tmp, path);
    if (s) {
        auto slash = path.find_last_of('/');
        s = env->syncDir(slash == std::string::npos ? std::string(".")
                         : slash == 0               ? std::string("/")
                                                    : path.substr(0, slash));
    }
    if (!s)
        (void)env->removeFile(tmp);
    return s;
}

Result<std::string> readFile(Env* env, const std::string& path) {
    auto file = env->newSequentialFile(path);
    if (!file)
        return file.status();
    std::string data;
    char buf[64 * 1024];
    for (;;) {
        auto n = (*file)->read(buf, sizeof buf);
        if (!n)
            return n.status();
        if (*n == 0)
            break;
        data.append(buf, *n);
    }
    return data;
}

}  // namespace vigil

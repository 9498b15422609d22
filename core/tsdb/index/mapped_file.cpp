#include "core/tsdb/index/mapped_file.h"

namespace vigil::tsdb {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(Env* env, const std::string& path) {
    auto file = env->newRandomAccessFile(path);
    if (!file)
        return file.status();
    std::shared_ptr<MappedFile> m(new MappedFile());
    m->m_path = path;
    m->m_file = std::move(file.value());
    const std::uint64_t size = m->m_file->size();
    if (size == 0)
        return std::shared_ptr<const MappedFile>(std::move(m));
    // A mapped file answers with a view into its mapping, not into scratch:
    // probe with one byte to avoid copying a mapped file.
    char probe = 0;
    auto first = m->m_file->read(0, 1, &probe);
    if (!first)
        return first.status();
    if (first->data() != &probe) {
        auto all = m->m_file->read(0, static_cast<std::size_t>(size), &probe);
        if (!all)
            return all.status();
        if (all->data() != &probe && all->size() == size) {
            m->m_data = *all;
            return std::shared_ptr<const MappedFile>(std::move(m));
        }
    }
    m->m_copy.resize(static_cast<std::size_t>(size));
    auto all = m->m_file->read(0, m->m_copy.size(), m->m_copy.data());
    if (!all)
        return all.status();
    if (all->size() != size)
        return Status::ioError(path + ": short read: " + std::to_string(all->size()) + " of " +
                               std::to_string(size) + " bytes");
    if (all->data() != m->m_copy.data())
        m->m_copy.assign(all->data(), all->size());
    m->m_data = m->m_copy;
    return std::shared_ptr<const MappedFile>(std::move(m));
}

}  // namespace vigil::tsdb

#include "engine/gguf/mapped_file.h"

#include "engine/error.h"

#include <cerrno>
#include <cstring>
#include <utility>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tern {

#ifdef _WIN32

namespace {
std::string win_error() {
    return "Windows error " + std::to_string(static_cast<unsigned long>(GetLastError()));
}
}  // namespace

MappedFile MappedFile::open(const std::string& path) {
    // Paths are UTF-8 inside Tern; Windows wants UTF-16.
    const int wlen = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
    std::wstring wpath(wlen > 0 ? wlen : 1, L'\0');
    if (wlen > 0) MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, &wpath[0], wlen);
    // FILE_SHARE_DELETE: as on POSIX, a loaded model may be deleted or renamed (the model store
    // removing or replacing it) while the mapping stays valid; the mapping keeps the file
    // object, and with it this share mode, alive until release().
    HANDLE file = CreateFileW(wpath.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE) throw Error("cannot open " + path + ": " + win_error());
    LARGE_INTEGER size;
    if (!GetFileSizeEx(file, &size)) {
        const std::string err = win_error();
        CloseHandle(file);
        throw Error("cannot open " + path + ": " + err);
    }
    MappedFile mf;
    mf.size_ = static_cast<uint64_t>(size.QuadPart);
    if (mf.size_ == 0) {
        CloseHandle(file);
        return mf;
    }
    HANDLE mapping = CreateFileMappingW(file, nullptr, PAGE_READONLY, 0, 0, nullptr);
    CloseHandle(file);  // the mapping object keeps the file open
    if (!mapping) throw Error("cannot open " + path + ": " + win_error());
    void* p = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (!p) {
        const std::string err = win_error();
        CloseHandle(mapping);
        throw Error("cannot open " + path + ": " + err);
    }
    mf.mapping_ = mapping;
    mf.data_ = static_cast<const uint8_t*>(p);
    return mf;
}

void MappedFile::release() noexcept {
    if (data_) UnmapViewOfFile(data_);
    if (mapping_) CloseHandle(mapping_);
    data_ = nullptr;
    mapping_ = nullptr;
    size_ = 0;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      mapping_(std::exchange(o.mapping_, nullptr)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        release();
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapping_ = std::exchange(o.mapping_, nullptr);
    }
    return *this;
}

// No positional reads here (MappedFile::reader() is null): these exist only to link.
MappedFileReader::~MappedFileReader() = default;
bool MappedFileReader::read(const void*, uint64_t, void*) const noexcept { return false; }

#else  // POSIX

MappedFile MappedFile::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw Error("cannot open " + path + ": " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("cannot open " + path + ": not a regular file");
    }
    MappedFile mf;
    mf.size_ = static_cast<uint64_t>(st.st_size);
    if (mf.size_ == 0) {  // mmap rejects length 0
        ::close(fd);
        return mf;
    }
    void* p = mmap(nullptr, static_cast<size_t>(mf.size_), PROT_READ, MAP_SHARED, fd, 0);
    const int err = errno;
    if (p == MAP_FAILED) {
        ::close(fd);
        throw Error("cannot open " + path + ": mmap failed: " + std::strerror(err));
    }
    mf.data_ = static_cast<const uint8_t*>(p);
    // The descriptor stays open for MappedFileReader (the mapping itself would not need it).
    mf.reader_ = std::make_shared<const MappedFileReader>(fd, mf.data_, mf.size_);
    return mf;
}

void MappedFile::release() noexcept {
    if (data_) munmap(const_cast<uint8_t*>(data_), static_cast<size_t>(size_));
    data_ = nullptr;
    size_ = 0;
    reader_.reset();
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), reader_(std::move(o.reader_)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        release();
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        reader_ = std::move(o.reader_);
    }
    return *this;
}

MappedFileReader::~MappedFileReader() { ::close(fd_); }

bool MappedFileReader::read(const void* p, uint64_t n, void* dst) const noexcept {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    if (b < base_ || b > base_ + size_ || n > (uint64_t)(base_ + size_ - b)) return false;
    uint64_t off = (uint64_t)(b - base_), done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd_, static_cast<uint8_t*>(dst) + done, (size_t)(n - done), (off_t)(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;  // an error, or the file shrank under the mapping
        done += (uint64_t)r;
    }
    return true;
}

#endif

MappedFile::~MappedFile() { release(); }

void release_mapped_pages(const void* p, uint64_t n) noexcept {
    if (!p || n == 0) return;
#ifdef _WIN32
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    const uintptr_t page = si.dwPageSize;
#else
    const long sz = sysconf(_SC_PAGESIZE);
    const uintptr_t page = sz > 0 ? (uintptr_t)sz : 4096;
#endif
    const uintptr_t begin = reinterpret_cast<uintptr_t>(p) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n + page - 1) / page * page;
#ifdef _WIN32
    // Fails with ERROR_NOT_LOCKED, as expected, after removing the pages from the working set.
    VirtualUnlock(reinterpret_cast<void*>(begin), end - begin);
#elif defined(MADV_DONTNEED)
    // Widening to whole pages may drop a neighbouring tensor's pages too: harmless, they are read
    // back on the next touch. The mapping is read-only and shared, so no data is lost.
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#endif
}

}  // namespace tern

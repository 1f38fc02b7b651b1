#pragma once
// Read-only memory mapping of a whole file. Model files are gigabytes: mapping lets the OS page
// weights in on demand and share them between processes instead of copying them to the heap.
#include <cstdint>
#include <memory>
#include <string>

namespace tern {

// Reads bytes of a mapped file by their address in the mapping, through the file itself (pread)
// instead of the mapping: the bytes are copied out of the page cache and no page is mapped into
// the process. Output screening and a tied embedding read a few scattered rows of a large matrix
// per token; through the mapping each such read mapped a whole page-cache folio (measured ~850
// KiB per touch on ext4 with large folios, Linux 6.18, whatever madvise said), and after a few
// hundred tokens most of 2B4T's 0.66 GB output matrix counted in the process's memory.
// Shared by the MappedFile and whoever reads through it; the descriptor closes with the last.
class MappedFileReader {
public:
    MappedFileReader(int fd, const uint8_t* base, uint64_t size) : fd_(fd), base_(base), size_(size) {}
    ~MappedFileReader();
    MappedFileReader(const MappedFileReader&) = delete;
    MappedFileReader& operator=(const MappedFileReader&) = delete;
    // Copies [p, p + n) (inside the mapping) to dst. False if the range is outside the mapping
    // or the read fails (the caller then reads through the mapping).
    bool read(const void* p, uint64_t n, void* dst) const noexcept;

private:
    int fd_;
    const uint8_t* base_;
    uint64_t size_;
};

class MappedFile {
public:
    // Maps the whole file read-only; throws tern::Error "cannot open <path>: <reason>".
    // An empty file gives size() == 0 and data() == nullptr.
    static MappedFile open(const std::string& path);

    MappedFile() = default;
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }
    // Reads through the file instead of the mapping (MappedFileReader); null where the platform
    // has no positional read (Windows: rows are read through the mapping).
    std::shared_ptr<const MappedFileReader> reader() const { return reader_; }
    // True if [p, p + n) lies inside this mapping.
    bool contains(const void* p, uint64_t n) const {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        return data_ && b >= data_ && b <= data_ + size_ && n <= (uint64_t)(data_ + size_ - b);
    }

private:
    void release() noexcept;

    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    std::shared_ptr<const MappedFileReader> reader_;
#ifdef _WIN32
    void* mapping_ = nullptr;  // HANDLE of the file mapping object
#endif
};

// Drops the pages of [p, p + n), a range inside a read-only file mapping, from the process's
// resident set: a loader calls it once it has copied (repacked) a tensor out of the mapping, so
// that the process never holds both the file's pages and the copy. The mapping stays valid and
// the data unchanged (pages touched again are read back from the page cache / file); the range is
// widened to whole pages. Advisory: does nothing where the system offers no such call.
//  POSIX: madvise(MADV_DONTNEED) (posix_madvise's POSIX_MADV_DONTNEED is a no-op on glibc).
//  Windows: VirtualUnlock on pages that are not locked removes them from the working set.
void release_mapped_pages(const void* p, uint64_t n) noexcept;

}  // namespace tern

#pragma once
// Read-only memory mapping of a whole file. Model files are gigabytes: mapping lets the OS page
// weights in on demand and share them between processes instead of copying them to the heap.
#include <cstdint>
#include <string>

namespace tern {

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

private:
    void release() noexcept;

    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
#ifdef _WIN32
    void* mapping_ = nullptr;  // HANDLE of the file mapping object
#endif
};

}  // namespace tern

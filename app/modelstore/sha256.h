#pragma once
// SHA-256 for verifying downloads and imports. OpenSSL's libcrypto when the build found it: it
// uses the CPU's SHA instructions (1.4 GB/s measured, against 140 MB/s for Qt's portable code,
// which made hashing the limit of a local download). Qt's QCryptographicHash otherwise.
#include <QByteArray>
#include <memory>

namespace tern::modelstore {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void reset();
    void addData(const char* data, qint64 size);
    void addData(const QByteArray& b) { addData(b.constData(), b.size()); }
    QByteArray result();  // 32 raw bytes; call reset() before hashing again
    static const char* backend();  // "openssl" or "qt"

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tern::modelstore

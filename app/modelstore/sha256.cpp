#include "app/modelstore/sha256.h"

#ifdef TERN_HAVE_OPENSSL_CRYPTO
#include <openssl/evp.h>
#else
#include <QCryptographicHash>
#endif

#include <new>

namespace tern::modelstore {

#ifdef TERN_HAVE_OPENSSL_CRYPTO
struct Sha256::Impl {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : d_(std::make_unique<Impl>()) {
    if (!d_->ctx) throw std::bad_alloc();
    reset();
}

void Sha256::reset() { EVP_DigestInit_ex(d_->ctx, EVP_sha256(), nullptr); }

void Sha256::addData(const char* data, qint64 size) {
    if (size > 0) EVP_DigestUpdate(d_->ctx, data, static_cast<size_t>(size));
}

QByteArray Sha256::result() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(d_->ctx, out, &n);
    return QByteArray(reinterpret_cast<const char*>(out), static_cast<int>(n));
}

const char* Sha256::backend() { return "openssl"; }
#else
struct Sha256::Impl {
    QCryptographicHash h{QCryptographicHash::Sha256};
};

Sha256::Sha256() : d_(std::make_unique<Impl>()) {}
void Sha256::reset() { d_->h.reset(); }
void Sha256::addData(const char* data, qint64 size) {
    if (size > 0) d_->h.addData(QByteArrayView(data, size));
}
QByteArray Sha256::result() { return d_->h.result(); }
const char* Sha256::backend() { return "qt"; }
#endif

Sha256::~Sha256() = default;

}  // namespace tern::modelstore

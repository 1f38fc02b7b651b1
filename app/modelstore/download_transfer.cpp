#include "app/modelstore/download.h"

#include "app/modelstore/download_journal.h"
#include "app/modelstore/system_memory.h"

#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <algorithm>
#include <limits>

// The network side of Download: one attempt = (re-hash the .part if needed) -> request with
// Range/If-Range -> headers decide append / restart / fail -> bytes to disk and hash, throttled
// by the rate limit -> the end decides verify / retry / fail.
namespace tern::models {

namespace {
constexpr qint64 kChunk = 256 * 1024;     // one read/write/hash step
constexpr qint64 kRehashStep = 16 << 20;  // per event-loop turn, so the GUI stays live
constexpr int kMaxRedirects = 10;

QString httpReason(QNetworkReply* r) {
    return r->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
}
}  // namespace

qint64 Download::readBufferSize() const {
    // ~1 MB of unread data per reply at most. Under a rate limit less: a quarter second's worth,
    // so the backlog (and what a kill loses) stays small and Qt's stall timer sees the socket move.
    constexpr qint64 kReadBuffer = 1 << 20;
    return rateLimit_ > 0 ? std::clamp<qint64>(rateLimit_ / 4, 16384, kReadBuffer) : kReadBuffer;
}

void Download::beginAttempt() {
    stopReply();
    if (!QDir().mkpath(dir_)) {
        fail(QStringLiteral("Cannot create the models folder %1").arg(QDir::toNativeSeparators(dir_)), false);
        return;
    }
    if (QFileInfo::exists(finalPath())) {
        fail(QStringLiteral("%1 is already installed (%2)").arg(spec_.fileName, QDir::toNativeSeparators(finalPath())), false);
        return;
    }
    const qint64 onDisk = QFileInfo(partPath()).size();
    // A .part longer than the file, or from another URL, cannot be continued.
    DownloadJournal old;
    const bool ours = DownloadJournal::load(journalPath(), &old) && old.url == spec_.url;
    if (onDisk > 0 && (!ours || (spec_.expectedSize > 0 && onDisk > spec_.expectedSize))) {
        QFile::resize(partPath(), 0);
        etag_.clear();
        lastModified_.clear();
        hashedUpTo_ = -1;
    }
    received_ = QFileInfo(partPath()).size();
    setStatus(attempt_ == 0 ? DownloadStatus::Connecting : status_, message_);
    if (hashedUpTo_ == received_) {
        sendRequest();
        return;
    }
    // The hash of what is already on disk, read back in steps (1 GB takes seconds).
    hash_.reset();
    hashedUpTo_ = 0;
    rehashPos_ = 0;
    if (received_ == 0) {
        sendRequest();
        return;
    }
    rehashFile_.setFileName(partPath());
    if (!rehashFile_.open(QIODevice::ReadOnly)) {
        pauseForDisk(QStringLiteral("Cannot read %1: %2").arg(partPath(), rehashFile_.errorString()));
        return;
    }
    rehashStep();
}

void Download::rehashStep() {
    if (!rehashFile_.isOpen()) return;  // paused or canceled meanwhile
    qint64 step = 0;
    while (step < kRehashStep && rehashPos_ < received_) {
        const QByteArray b = rehashFile_.read(std::min<qint64>(kChunk * 4, received_ - rehashPos_));
        if (b.isEmpty()) break;
        hash_.addData(b);
        rehashPos_ += b.size();
        step += b.size();
    }
    if (rehashPos_ < received_ && !rehashFile_.atEnd()) {
        QTimer::singleShot(0, this, &Download::rehashStep);
        return;
    }
    rehashFile_.close();
    received_ = hashedUpTo_ = rehashPos_;
    QFile::resize(partPath(), received_);  // whatever could not be read back is fetched again
    sendRequest();
}

void Download::sendRequest() {
    // Complete already (a run stopped between the last byte and the rename): just verify.
    const qint64 want = spec_.expectedSize > 0 ? spec_.expectedSize : total_;
    if (want > 0 && received_ == want) {
        verifyAndInstall();
        return;
    }
    if (want > 0 && !freeSpaceOk(want - received_)) return;

    QNetworkRequest req(spec_.url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    req.setMaximumRedirectsAllowed(kMaxRedirects);
    req.setTransferTimeout(policy_.stallTimeoutMs);
    // Byte offsets must be those of the file itself: no transparent gzip.
    req.setRawHeader("Accept-Encoding", "identity");
    req.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Tern/%1").arg(QStringLiteral(TERN_VERSION)));
    if (received_ > 0) {
        req.setRawHeader("Range", "bytes=" + QByteArray::number(received_) + "-");
        // Only a strong ETag identifies the bytes exactly; otherwise the date the server gave.
        if (!etag_.isEmpty() && !etag_.startsWith(QLatin1String("W/"))) req.setRawHeader("If-Range", etag_.toUtf8());
        else if (!lastModified_.isEmpty()) req.setRawHeader("If-Range", lastModified_.toUtf8());
    }
    attemptStart_ = received_;
    bodyOk_ = headersSeen_ = replyDone_ = false;
    tokens_ = 0;
    tokensAtMs_ = clock_.elapsed();
    reply_ = nam_->get(req);
    reply_->setReadBufferSize(readBufferSize());
    connect(reply_, &QNetworkReply::metaDataChanged, this, &Download::onHeaders);
    connect(reply_, &QNetworkReply::readyRead, this, &Download::drain);
    connect(reply_, &QNetworkReply::finished, this, &Download::onReplyFinished);
}

void Download::onHeaders() {
    if (!reply_ || headersSeen_) return;
    const int code = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (code == 0 || (code >= 300 && code < 400)) return;  // redirect hop: wait for the final answer
    headersSeen_ = true;
    if (code != 200 && code != 206) return;  // the error is handled when the reply finishes
    qint64 start = 0, total = 0;
    if (code == 206) {
        // "bytes 1000-99999/100000"; the total may be "*" (unknown).
        static const QRegularExpression re(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"));
        const auto m = re.match(QString::fromLatin1(reply_->rawHeader("Content-Range")).trimmed());
        if (!m.hasMatch() || m.captured(1).toLongLong() != received_) {
            // Not the part we asked for: start over rather than splice the wrong bytes.
            QFile::resize(partPath(), 0);
            hash_.reset();
            hashedUpTo_ = received_ = 0;
            retry(QStringLiteral("The server sent another part of the file than asked for; starting over"));
            return;
        }
        start = received_;
        if (m.captured(3) != QLatin1String("*")) total = m.captured(3).toLongLong();
    } else if (received_ > 0) {
        // 200 to a Range request: the server ignores ranges or the file changed (If-Range).
        // Either way the body is the whole file: drop what we had and take it from byte 0.
        QFile::resize(partPath(), 0);
        hash_.reset();
        hashedUpTo_ = received_ = attemptStart_ = 0;
    }
    const QVariant len = reply_->header(QNetworkRequest::ContentLengthHeader);
    if (total == 0 && len.isValid()) total = start + len.toLongLong();
    if (spec_.expectedSize > 0 && total > 0 && total != spec_.expectedSize) {
        fail(QStringLiteral("The server's file is %1 bytes, but %2 bytes were expected: %3")
                 .arg(total).arg(spec_.expectedSize).arg(spec_.url.toString()),
             false);
        return;
    }
    if (total > 0) total_ = total;
    const QString etag = QString::fromLatin1(reply_->rawHeader("ETag"));
    const QString lastMod = QString::fromLatin1(reply_->rawHeader("Last-Modified"));
    if (code == 200 || !etag.isEmpty()) etag_ = etag;
    if (code == 200 || !lastMod.isEmpty()) lastModified_ = lastMod;
    if (total_ > 0 && !freeSpaceOk(total_ - received_)) return;
    part_.setFileName(partPath());
    // Unbuffered: a failed write (ENOSPC, EFBIG) shows up at the write that caused it.
    if (!part_.open(QIODevice::ReadWrite | QIODevice::Unbuffered) || !part_.seek(received_)) {
        pauseForDisk(QStringLiteral("Cannot write %1: %2").arg(partPath(), part_.errorString()));
        return;
    }
    bodyOk_ = true;
    lastTickMs_ = clock_.elapsed();
    lastTickReceived_ = received_;
    setStatus(DownloadStatus::Downloading);
}

void Download::drain() {
    if (!reply_) return;
    if (!headersSeen_) onHeaders();
    if (!reply_) return;
    if (!bodyOk_) {
        reply_->readAll();  // an error page or a wrong range: not ours to keep
        if (replyDone_) handleFinished();
        return;
    }
    qint64 allowance = std::numeric_limits<qint64>::max();
    if (rateLimit_ > 0) {
        const qint64 now = clock_.elapsed();
        // Token bucket, burst of a quarter second.
        tokens_ = std::min(tokens_ + rateLimit_ * (now - tokensAtMs_) / 1000.0, rateLimit_ / 4.0 + kChunk / 8);
        tokensAtMs_ = now;
        allowance = static_cast<qint64>(tokens_);
    }
    while (reply_ && reply_->bytesAvailable() > 0 && allowance > 0) {
        const QByteArray b = reply_->read(std::min(kChunk, allowance));
        if (b.isEmpty()) break;
        fetched_ += b.size();
        if (rateLimit_ > 0) {
            tokens_ -= b.size();
            allowance -= b.size();
        }
        qint64 w = part_.write(b);
        // A short write (disk full, file-size limit) reports no error; writing the rest does.
        if (w >= 0 && w < b.size()) {
            const qint64 more = part_.write(b.constData() + w, b.size() - w);
            if (more > 0) w += more;
        }
        if (w != b.size()) {
            QString why = part_.errorString();
            if (part_.error() == QFileDevice::NoError || why.isEmpty() || why == QLatin1String("Unknown error"))
                why = QStringLiteral("the disk is full or the file size limit was reached");
            pauseForDisk(QStringLiteral("Could not write %1: %2. Free some space (or lift the file size limit), "
                                        "then resume: the %3 already downloaded are kept.")
                             .arg(QDir::toNativeSeparators(partPath()), why, formatBytes(QFileInfo(partPath()).size())));
            return;
        }
        hash_.addData(b);
        received_ += b.size();
        hashedUpTo_ = received_;
    }
    if (!reply_) return;
    if (reply_->bytesAvailable() > 0) {
        // Throttled: come back when the bucket has refilled a chunk's worth.
        const double need = std::min<double>(kChunk, reply_->bytesAvailable()) - tokens_;
        const int ms = std::clamp(static_cast<int>(need * 1000 / std::max<qint64>(rateLimit_, 1)), 5, 250);
        if (!throttleTimer_.isActive()) throttleTimer_.start(ms);
        return;
    }
    if (replyDone_) handleFinished();
}

void Download::onReplyFinished() {
    replyDone_ = true;
    drain();  // handles the end once every byte has been taken
}

void Download::handleFinished() {
    if (!reply_) return;
    QNetworkReply* r = reply_;
    reply_ = nullptr;
    r->deleteLater();
    closePart();
    const int code = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString url = spec_.url.toString();
    const qint64 gotThisAttempt = received_ - attemptStart_;
    if (gotThisAttempt > 0) attempt_ = 0;  // progress was made: the failures so far are forgiven

    if (code == 416) {
        // "Range not satisfiable": we asked from the end of the file. Complete if the size agrees.
        if (received_ > 0 && (received_ == spec_.expectedSize || received_ == total_)) {
            verifyAndInstall();
        } else {
            QFile::resize(partPath(), 0);
            hash_.reset();
            hashedUpTo_ = received_ = 0;
            retry(QStringLiteral("The server refused the resume position; starting over"));
        }
        return;
    }
    if (code >= 400 && code < 500) {
        const QString what = code == 404 || code == 410 ? QStringLiteral("The server has no such file")
                             : code == 401 || code == 403 ? QStringLiteral("The server refused access to the file")
                                                          : QStringLiteral("The server refused the request");
        fail(QStringLiteral("%1 (HTTP %2): %3").arg(what).arg(code).arg(url), false);
        return;
    }
    if (code >= 500) {
        retry(QStringLiteral("The server had an error (HTTP %1 %2)").arg(code).arg(httpReason(r)));
        return;
    }
    if (r->error() != QNetworkReply::NoError) {
        switch (r->error()) {
        case QNetworkReply::SslHandshakeFailedError:
            // A certificate that does not check out will not get better by retrying.
            fail(QStringLiteral("Secure connection to %1 failed: %2").arg(spec_.url.host(), r->errorString()), false);
            return;
        case QNetworkReply::TooManyRedirectsError:
        case QNetworkReply::InsecureRedirectError:
        case QNetworkReply::ProtocolUnknownError:
            fail(QStringLiteral("Cannot download %1: %2").arg(url, r->errorString()), false);
            return;
        case QNetworkReply::OperationCanceledError:  // our aborts are disconnected: this is the stall timer
            retry(QStringLiteral("The connection stalled (no data for %1 s)").arg(policy_.stallTimeoutMs / 1000.0));
            return;
        default:
            retry(QStringLiteral("Network error: %1").arg(r->errorString()));
            return;
        }
    }
    if (code != 200 && code != 206) {
        fail(QStringLiteral("Unexpected answer from the server (HTTP %1): %2").arg(code).arg(url), false);
        return;
    }
    if (total_ > 0 && received_ < total_) {
        retry(QStringLiteral("The connection closed early"));
        return;
    }
    verifyAndInstall();
}

}  // namespace tern::models

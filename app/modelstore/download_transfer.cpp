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
#include <cstring>
#include <limits>

// The network side of Download: one attempt = (re-hash the .part if needed) -> request with
// Range/If-Range, from a little before the end of the .part -> headers decide append / restart /
// fail -> the repeated bytes are compared with the .part, the new ones go to disk and hash,
// throttled by the rate limit -> the end decides verify / retry / fail.
namespace tern::modelstore {

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
        fail(tr("Cannot create the models folder %1").arg(QDir::toNativeSeparators(dir_)), false);
        return;
    }
    if (QFileInfo::exists(finalPath())) {
        fail(tr("%1 is already installed (%2)").arg(spec_.fileName, QDir::toNativeSeparators(finalPath())), false);
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
    if (bestReceived_ < 0) bestReceived_ = received_;
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
        pauseForDisk(tr("Cannot read %1: %2").arg(partPath(), rehashFile_.errorString()));
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
    overlap_.clear();
    overlapChecked_ = 0;
    if (received_ > 0) {
        // From a little before the end: the server must send those bytes again, identical, which
        // shows that what follows belongs after them (a Content-Range header alone proves nothing).
        if (!takeOverlap(&overlap_)) return;
        req.setRawHeader("Range", "bytes=" + QByteArray::number(received_ - overlap_.size()) + "-");
        // Only a strong ETag identifies the bytes exactly; otherwise the date the server gave.
        if (!etag_.isEmpty() && !etag_.startsWith(QLatin1String("W/"))) req.setRawHeader("If-Range", etag_.toUtf8());
        else if (!lastModified_.isEmpty()) req.setRawHeader("If-Range", lastModified_.toUtf8());
    }
    bodyOk_ = headersSeen_ = replyDone_ = endMarked_ = false;
    tokens_ = 0;
    tokensAtMs_ = slowWindowStartMs_ = clock_.elapsed();
    slowWindowStartFetched_ = fetched_;
    reply_ = nam_->get(req);
    reply_->setReadBufferSize(readBufferSize());
    connect(reply_, &QNetworkReply::metaDataChanged, this, &Download::onHeaders);
    connect(reply_, &QNetworkReply::readyRead, this, &Download::drain);
    connect(reply_, &QNetworkReply::finished, this, &Download::onReplyFinished);
}

bool Download::takeOverlap(QByteArray* bytes) {
    const qint64 n = std::min(kResumeOverlap, received_);
    QFile f(partPath());
    if (!f.open(QIODevice::ReadOnly) || !f.seek(received_ - n) || (*bytes = f.read(n)).size() != n) {
        pauseForDisk(tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(partPath()), f.errorString()));
        return false;
    }
    return true;
}

// A 206 answer to a resume: it must be the range asked for, of a file of the size known so far.
// Sets *total (0 = the server does not say); false when the download was restarted or failed.
bool Download::checkResumedRange(qint64* total) {
    const QString contentRange = QString::fromLatin1(reply_->rawHeader("Content-Range")).trimmed();
    const qint64 asked = received_ - overlap_.size();
    // "bytes 1000-99999/100000"; the total may be "*" (unknown).
    static const QRegularExpression re(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"));
    const auto m = re.match(contentRange);
    bool firstOk = false, lastOk = false, totalOk = true;
    const qint64 first = m.captured(1).toLongLong(&firstOk);
    const qint64 last = m.captured(2).toLongLong(&lastOk);
    const qint64 t = m.captured(3) == QLatin1String("*") ? 0 : m.captured(3).toLongLong(&totalOk);
    if (!m.hasMatch() || !firstOk || !lastOk || !totalOk || first != asked || last < first || (t > 0 && last >= t)) {
        // Not the part we asked for: start over rather than splice the wrong bytes.
        restartFromZero(tr("The server's resume was inconsistent (it answered \"%1\" to a request for the bytes from %2 on); "
                           "starting over from the beginning")
                            .arg(contentRange.isEmpty() ? tr("no Content-Range") : contentRange, QString::number(asked)));
        return false;
    }
    if (t > kMaxPlausibleSize) {
        fail(tr("The server announced an impossible size for %1 (%2 bytes): this is a server error, not a lack of disk space")
                 .arg(spec_.url.toString(), m.captured(3)),
             false);
        return false;
    }
    // A size that differs from the expected one fails below; one that differs from what the
    // server itself said before means the file changed without If-Range noticing.
    if (t > 0 && total_ > 0 && t != total_ && spec_.expectedSize <= 0) {
        restartFromZero(tr("The server's resume was inconsistent (the file is now %1 bytes, it was %2); starting over from the beginning")
                            .arg(QString::number(t), QString::number(total_)));
        return false;
    }
    *total = t;
    return true;
}

void Download::onHeaders() {
    if (!reply_ || headersSeen_) return;
    const int code = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (code == 0 || (code >= 300 && code < 400)) return;  // redirect hop: wait for the final answer
    headersSeen_ = true;
    if (code != 200 && code != 206) return;  // the error is handled when the reply finishes
    qint64 start = 0, total = 0;  // where the body starts in the file; the file's size (0 = not said)
    if (code == 206) {
        if (!checkResumedRange(&total)) return;
        start = received_ - overlap_.size();
    } else if (received_ > 0) {
        // 200 to a Range request: the server ignores ranges or the file changed (If-Range).
        // Either way the body is the whole file: drop what we had and take it from byte 0.
        QFile::resize(partPath(), 0);
        hash_.reset();
        hashedUpTo_ = received_ = 0;
        overlap_.clear();
    }
    const QByteArray lengthHeader = reply_->rawHeader("Content-Length").trimmed();
    if (!lengthHeader.isEmpty()) {
        bool ok = false;
        const qint64 len = lengthHeader.toLongLong(&ok);
        if (!ok || len < 0 || len > kMaxPlausibleSize) {
            fail(tr("The server announced an impossible size for %1 (%2 bytes): this is a server error, not a lack of disk space")
                     .arg(spec_.url.toString(), QString::fromLatin1(lengthHeader.left(40))),
                 false);
            return;
        }
        if (total == 0) total = start + len;
    }
    // Without a length, only chunked encoding marks where the answer ends (see handleFinished).
    endMarked_ = reply_->rawHeader("Transfer-Encoding").toLower().contains("chunked");
    if (spec_.expectedSize > 0 && total > 0 && total != spec_.expectedSize) {
        fail(tr("The server's file is %1 bytes, but %2 bytes were expected: %3")
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
        pauseForDisk(tr("Cannot write %1: %2").arg(partPath(), part_.errorString()));
        return;
    }
    bodyOk_ = true;
    lastTickMs_ = clock_.elapsed();
    lastTickReceived_ = received_;
    setStatus(DownloadStatus::Downloading);
}

bool Download::matchOverlap(QByteArray& b) {
    const qint64 n = std::min<qint64>(b.size(), overlap_.size() - overlapChecked_);
    if (n <= 0) return true;
    if (std::memcmp(b.constData(), overlap_.constData() + overlapChecked_, static_cast<size_t>(n)) != 0) {
        restartFromZero(tr("The server's resume was inconsistent (the bytes it sent again before byte %1 differ from "
                           "those already downloaded); starting over from the beginning")
                            .arg(received_));
        return false;
    }
    overlapChecked_ += n;
    b.remove(0, static_cast<qsizetype>(n));
    return true;
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
        QByteArray b = reply_->read(std::min(kChunk, allowance));
        if (b.isEmpty()) break;
        fetched_ += b.size();
        if (rateLimit_ > 0) {
            tokens_ -= b.size();
            allowance -= b.size();
        }
        if (!matchOverlap(b)) return;  // restarted
        if (b.isEmpty()) continue;
        qint64 w = part_.write(b);
        // A short write (disk full, file-size limit) reports no error; writing the rest does.
        if (w >= 0 && w < b.size()) {
            const qint64 more = part_.write(b.constData() + w, b.size() - w);
            if (more > 0) w += more;
        }
        if (w != b.size()) {
            QString why = part_.errorString();
            if (part_.error() == QFileDevice::NoError || why.isEmpty() || why == QLatin1String("Unknown error"))
                why = tr("the disk is full or the file size limit was reached");
            pauseForDisk(tr("Could not write %1: %2. Free some space (or lift the file size limit), "
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
    if (code == 416) {
        // "Range not satisfiable": we asked from the end of the file. Complete if the size agrees.
        if (received_ > 0 && (received_ == spec_.expectedSize || received_ == total_)) {
            verifyAndInstall();
        } else {
            restartFromZero(tr("The server refused the resume position; starting over"));
        }
        return;
    }
    if (code >= 400 && code < 500) {
        const QString what = code == 404 || code == 410 ? tr("The server has no such file")
                             : code == 401 || code == 403 ? tr("The server refused access to the file")
                                                          : tr("The server refused the request");
        fail(tr("%1 (HTTP %2): %3").arg(what).arg(code).arg(url), false);
        return;
    }
    if (code >= 500) {
        retry(tr("The server had an error (HTTP %1 %2)").arg(code).arg(httpReason(r)));
        return;
    }
    if (r->error() != QNetworkReply::NoError) {
        switch (r->error()) {
        case QNetworkReply::SslHandshakeFailedError:
            // A certificate that does not check out will not get better by retrying.
            fail(tr("Secure connection to %1 failed: %2").arg(spec_.url.host(), r->errorString()), false);
            return;
        case QNetworkReply::TooManyRedirectsError:
        case QNetworkReply::InsecureRedirectError:
        case QNetworkReply::ProtocolUnknownError:
            fail(tr("Cannot download %1: %2").arg(url, r->errorString()), false);
            return;
        case QNetworkReply::OperationCanceledError:  // our aborts are disconnected: this is the stall timer
            retry(tr("The connection stalled (no data for %1 s)").arg(policy_.stallTimeoutMs / 1000.0));
            return;
        default:
            retry(tr("Network error: %1").arg(r->errorString()));
            return;
        }
    }
    if (code != 200 && code != 206) {
        fail(tr("Unexpected answer from the server (HTTP %1): %2").arg(code).arg(url), false);
        return;
    }
    // Complete only if the answer's length is known and met (and a resumed answer repeated all of
    // what it was asked to). An answer without a length ends when the connection closes, which
    // a dropped connection does too: ask again with Range, which makes the server tell the size.
    const bool overlapDone = overlapChecked_ == overlap_.size();
    if (total_ > 0 && received_ > total_) {
        restartFromZero(tr("The server sent %1 bytes of a file it said has %2; starting over from the beginning")
                            .arg(QString::number(received_), QString::number(total_)));
        return;
    }
    if (total_ > 0 ? received_ < total_ || !overlapDone : !endMarked_ || !overlapDone) {
        retry(total_ > 0 ? tr("The connection closed early")
                         : tr("The connection closed before the server said how long the file is; asking for the rest"));
        return;
    }
    verifyAndInstall();
}

}  // namespace tern::modelstore

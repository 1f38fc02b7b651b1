#pragma once
// One model download. The bytes go to <file>.part as they arrive (hashed on the way), the
// state to <file>.part.json; a resume re-hashes the .part and asks for the rest with Range (and
// If-Range, so a changed file restarts from zero instead of being spliced). A resumed answer is
// not trusted on its word: it must start where asked (a little before the end of the .part),
// announce the same total, and repeat the last bytes already on disk exactly; otherwise the
// .part is discarded and the download starts over. Only an answer whose length is known and met
// is complete. Network errors,
// stalls and 5xx answers are retried with exponential backoff; a 4xx answer fails at once; a
// write error (disk full) pauses with the .part kept. When complete the file is verified against
// its SHA-256 and renamed into place atomically, with its card (<base>.json) beside it.
#include "app/modelstore/sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <memory>

class QLockFile;
class QNetworkAccessManager;
class QNetworkReply;

namespace tern::modelstore {

struct DownloadJournal;

enum class DownloadStatus { Queued, Connecting, Downloading, Retrying, Paused, Verifying, Done, Failed, Canceled };
QString statusLabel(DownloadStatus);

struct DownloadSpec {
    QString id;        // catalog id, or the file name for a bare URL
    QUrl url;
    QString fileName;  // final name inside modelsDir
    QString sha256;    // expected, lowercase hex; empty = record on completion
    qint64 expectedSize = 0;
    QJsonObject card;  // written beside the model as <basename>.json on success
};

// How hard to try before giving up. The defaults suit real networks; tests shorten them.
struct RetryPolicy {
    // Consecutive failed attempts. One that takes the download further than it has ever been
    // resets the count; one that only re-fetches bytes it had before (a server that makes it
    // restart from zero again and again) does not.
    int maxAttempts = 8;
    int firstDelayMs = 1000;    // 1 s, 2 s, 4 s ... between attempts
    int maxDelayMs = 60000;
    int stallTimeoutMs = 30000; // no byte for this long = a stalled connection, retried
    // Fewer than slowMinBytes in slowWindowMs (a server trickling a byte now and then, which the
    // stall timeout never sees) = too slow: the attempt is dropped, retried, and counted as failed.
    // Under a rate limit the floor is lowered to a quarter of what the limit allows.
    int slowWindowMs = 60000;   // 0 = no minimum rate
    qint64 slowMinBytes = 16 * 1024;
};

class Download : public QObject {
    Q_OBJECT
public:
    // A resume asks for this much (at most) of what is already on disk again, and checks that the
    // server sends the same bytes before appending anything.
    static constexpr qint64 kResumeOverlap = 64 * 1024;
    // No model comes near this; a server announcing more is broken, not a reason to ask for disk.
    static constexpr qint64 kMaxPlausibleSize = qint64{1} << 50;  // 1 PiB

    // nam is shared and outlives this object.
    Download(const DownloadSpec& spec, const QString& modelsDir, QNetworkAccessManager* nam, QObject* parent = nullptr);
    ~Download() override;

    const DownloadSpec& spec() const { return spec_; }
    DownloadStatus status() const { return status_; }
    qint64 received() const { return received_; }  // bytes in the .part, earlier sessions included
    qint64 total() const { return total_; }        // 0 = unknown
    double rate() const { return rate_; }          // bytes/s, smoothed
    double secondsLeft() const;                    // < 0 = unknown
    QString message() const { return message_; }   // reason for Paused/Failed/Retrying ("" otherwise)
    QString finalPath() const;                     // modelsDir/fileName
    QString partPath() const;                      // modelsDir/fileName + ".part"
    QString journalPath() const;                   // partPath() + ".json"
    QString sha256() const { return sha256_; }     // computed, once Done

    // Bytes this object has received over the network, all attempts (what a resume saved shows
    // as received() - bytesFetched() > 0 for a fresh object).
    qint64 bytesFetched() const { return fetched_; }
    // Paused because the disk is full or the file could not be written (not by the user).
    bool pausedByError() const { return pausedByError_; }

    void setRateLimit(qint64 bytesPerSecond);  // 0 = unlimited
    void setRetryPolicy(const RetryPolicy& p) { policy_ = p; }
    // Takes over the state of an earlier run (from its journal): validators, sizes, message.
    void restoreFrom(const DownloadJournal& j);

    void start();   // from Queued/Paused/Failed; a no-op while running
    void pause();   // keeps .part and journal
    void resume();  // Paused/Failed -> Queued (the manager starts it) or straight to start()
    void cancel();  // deletes .part and journal

    // Set by DownloadManager: resume() then only queues, and the manager starts it in turn.
    void setManaged(bool managed) { managed_ = managed; }
    bool isActive() const;  // Connecting, Downloading, Retrying or Verifying

signals:
    void progressChanged();  // throttled (<= ~10/s)
    void statusChanged();
    void finished(const QString& path);  // Done: verified and renamed

private:
    void setStatus(DownloadStatus s, const QString& message = QString());
    qint64 readBufferSize() const;
    void beginAttempt();
    void rehashStep();
    void sendRequest();
    void onHeaders();
    void drain();
    void onReplyFinished();
    void handleFinished();
    // forgiveProgress: an attempt that got further than ever before resets the failure count.
    void retry(const QString& why, bool forgiveProgress = true);
    // The server's answer cannot be spliced onto the .part: drop it and retry from byte 0.
    void restartFromZero(const QString& why);
    bool checkResumedRange(qint64* total);
    bool takeOverlap(QByteArray* bytes);
    // Compares the head of b with the part of overlap_ not yet matched and removes it from b;
    // false (and the download restarted) on a difference.
    bool matchOverlap(QByteArray& b);
    void checkMinimumRate();
    void fail(const QString& why, bool deletePart);
    void pauseForDisk(const QString& why);
    void verifyAndInstall();
    void stopReply();
    void closePart();
    void tick();
    bool freeSpaceOk(qint64 remaining);
    bool takeLock(bool report = true);
    void saveJournal();
    void removeJournal();
    bool writeCard(const QString& finalPath);

    DownloadSpec spec_;
    QString dir_;
    QNetworkAccessManager* nam_;
    QPointer<QNetworkReply> reply_;
    DownloadStatus status_ = DownloadStatus::Queued;
    QString message_;
    bool managed_ = false;
    bool pausedByError_ = false;
    RetryPolicy policy_;
    qint64 rateLimit_ = 0;

    // Held while running, so two processes (the app and the tool) never write the same .part.
    std::unique_ptr<QLockFile> lock_;
    QFile part_;
    Sha256 hash_;
    qint64 hashedUpTo_ = -1;  // hash_ covers the .part's first bytes up to here; -1 = not in sync
    qint64 rehashPos_ = 0;
    QFile rehashFile_;
    QString sha256_;

    // What the server said (kept across runs by the journal).
    QString etag_, lastModified_;
    qint64 total_ = 0;
    qint64 received_ = 0;
    qint64 fetched_ = 0;

    // This attempt.
    int attempt_ = 0;
    bool bodyOk_ = false;       // the answer is the file (200/206 matching the request)
    bool endMarked_ = false;    // the answer marks its own end (chunked), so its length need not be given
    QByteArray overlap_;        // the .part's last bytes, which a resumed answer must repeat first
    qint64 overlapChecked_ = 0; // how many of them the answer has matched so far
    qint64 bestReceived_ = -1;  // furthest the .part got since start(); -1 = not yet known
    qint64 slowWindowStartMs_ = 0, slowWindowStartFetched_ = 0;
    bool headersSeen_ = false;
    bool replyDone_ = false;    // finished() came, but throttled bytes may still be unread

    // Progress, rate limit.
    QTimer tickTimer_, retryTimer_, throttleTimer_;
    QElapsedTimer clock_;
    qint64 lastTickMs_ = 0, lastTickReceived_ = 0, lastJournalMs_ = 0, lastEmitReceived_ = -1;
    double rate_ = 0;
    double tokens_ = 0;
    qint64 tokensAtMs_ = 0;
};

}  // namespace tern::modelstore

#pragma once
// One model download. The bytes go to <file>.part as they arrive (hashed on the way), the
// state to <file>.part.json; a resume re-hashes the .part and asks for the rest with Range (and
// If-Range, so a changed file restarts from zero instead of being spliced). Network errors,
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

namespace tern::models {

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
    int maxAttempts = 8;        // consecutive failed attempts (one that received data resets the count)
    int firstDelayMs = 1000;    // 1 s, 2 s, 4 s ... between attempts
    int maxDelayMs = 60000;
    int stallTimeoutMs = 30000; // no byte for this long = a stalled connection, retried
};

class Download : public QObject {
    Q_OBJECT
public:
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
    void retry(const QString& why);
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
    qint64 attemptStart_ = 0;   // offset the request started at
    bool bodyOk_ = false;       // the answer is the file (200/206 matching the request)
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

}  // namespace tern::models

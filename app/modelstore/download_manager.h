#pragma once
// The downloads of one models folder: one runs at a time (a second one would only share the
// same bandwidth), the others wait in order. Unfinished downloads are found again after a
// restart from their journals.
#include "app/modelstore/download.h"

#include <QList>
#include <QObject>

class QNetworkAccessManager;

namespace tern::modelstore {

class DownloadManager : public QObject {
    Q_OBJECT
public:
    explicit DownloadManager(const QString& modelsDir, QObject* parent = nullptr);
    ~DownloadManager() override;

    QString modelsDir() const { return dir_; }
    // Starts it (queued if another is running). A download of the same file already in the
    // list is returned instead of a second one (resumed if it was paused or failed).
    Download* add(const DownloadSpec& spec);
    // Re-creates downloads from the journals (<file>.part.json) found in modelsDir. Those that
    // were running when the process stopped are resumed if autoResume; paused ones stay paused.
    void restore(bool autoResume);
    QList<Download*> downloads() const { return downloads_; }
    Download* find(const QString& id) const;
    void forget(Download* d);  // drop a Done/Failed/Canceled (or paused) entry from the list
    void setRateLimit(qint64 bytesPerSecond);  // 0 = unlimited (user option; also lets tests be slow)
    void setRetryPolicy(const RetryPolicy& p);  // for every download, present and future

signals:
    void added(tern::modelstore::Download*);
    void removed(tern::modelstore::Download*);
    void installed(const QString& path, const QString& id);

private:
    Download* create(const DownloadSpec& spec);
    void schedule();

    QString dir_;
    QNetworkAccessManager* nam_;
    QList<Download*> downloads_;
    qint64 rateLimit_ = 0;
    RetryPolicy policy_;
    bool scheduling_ = false;
};

}  // namespace tern::modelstore

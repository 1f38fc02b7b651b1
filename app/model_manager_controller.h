#pragma once
// The Models page's side of the GUI: the catalog, downloads in progress, importing a GGUF file
// and removing models. The transfers themselves are done by the model store's DownloadManager
// (the same code as the tern-models tool); imports run on a thread of their own, so copying a
// 1 GB file never blocks the window.
#include "app/catalog_list_model.h"
#include "app/download_list_model.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>
#include <atomic>
#include <memory>

namespace tern::modelstore {
class DownloadManager;
class ModelLibrary;
}

namespace tern::app {

class ModelController;

class ModelManagerController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(CatalogListModel* catalog READ catalog CONSTANT)
    Q_PROPERTY(DownloadListModel* downloads READ downloads CONSTANT)
    Q_PROPERTY(QString memoryText READ memoryText CONSTANT)
    Q_PROPERTY(QString modelsFolder READ modelsFolder CONSTANT)
    Q_PROPERTY(QString catalogProblem READ catalogProblem CONSTANT)
    Q_PROPERTY(bool importing READ importing NOTIFY importingChanged)
    Q_PROPERTY(double importProgress READ importProgress NOTIFY importProgressChanged)
public:
    // library and models are owned by the caller and outlive this object. catalogPath: the
    // catalog file ("" = none: the page says so).
    ModelManagerController(modelstore::ModelLibrary* library, ModelController* models, const QString& catalogPath,
                           QObject* parent = nullptr);
    ~ModelManagerController() override;

    // Picks up the downloads an earlier run left unfinished; those that were running go on.
    void start();

    CatalogListModel* catalog() { return &catalog_; }
    DownloadListModel* downloads() { return &downloads_; }
    QString memoryText() const;
    QString modelsFolder() const;
    QString catalogProblem() const { return catalogProblem_; }
    bool importing() const { return importThread_ != nullptr; }
    double importProgress() const { return importProgress_; }
    modelstore::DownloadManager* downloadManager() const { return manager_.get(); }

    Q_INVOKABLE void download(const QString& catalogId);
    // Downloads the .gguf file at a pasted http(s) address (see modelstore::ModelUrl for which
    // addresses and names are taken) like a catalog model, without a known checksum. Returns ""
    // when the download is listed, else the reason, which is also sent as a notice.
    Q_INVOKABLE QString addFromUrl(const QString& text);
    Q_INVOKABLE void pause(int row);
    Q_INVOKABLE void resume(int row);
    Q_INVOKABLE void cancel(int row);
    Q_INVOKABLE void dismiss(int row);  // a finished, failed or canceled row leaves the list
    // Checks the file, then copies it into the models folder (copy) or records where it lies.
    Q_INVOKABLE void importModel(const QUrl& file, bool copy);
    Q_INVOKABLE void cancelImport();
    // Deletes a downloaded or copied model (a referenced one is only forgotten).
    Q_INVOKABLE void remove(const QString& path);
    Q_INVOKABLE void openModelsFolder() const;

signals:
    // kind: "error" (something needs the user) or "info" (news).
    void notice(const QString& title, const QString& detail, const QString& kind = QStringLiteral("error"));
    // A notice posted earlier with this title no longer holds (NoticeService::withdrawGlobal).
    void noticeWithdrawn(const QString& title);
    void importingChanged();
    void importProgressChanged();
    void imported(const QString& path);

private:
    void onAdded(modelstore::Download* d);
    void onInstalled(const QString& path, const QString& id);
    QString whyNotDownloadAs(const QString& fileName) const;  // "" = the name is free
    void refreshState();
    void finishImport(bool ok, const QString& path, const QString& error);
    void watchModelsFolder();

    modelstore::ModelLibrary* library_;
    ModelController* models_;
    std::unique_ptr<modelstore::DownloadManager> manager_;
    CatalogListModel catalog_;
    DownloadListModel downloads_;
    QString catalogProblem_;
    qint64 totalRam_ = 0;
    QThread* importThread_ = nullptr;
    std::atomic<bool> importCancel_{false};
    double importProgress_ = 0;
    // tern-models (or a file manager) may change the models folder while the app runs: its
    // changes are picked up after a short pause, as a burst of them is one change to the user.
    QFileSystemWatcher watcher_;
    QTimer rescanSoon_;
};

}  // namespace tern::app

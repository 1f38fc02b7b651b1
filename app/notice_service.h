#pragma once
// Errors and news for the user, each tied to what it is about: a conversation, a model, or the
// whole app. The window shows only the notices of the open conversation and the loaded model, so
// "the context is full (256 tokens)" does not follow the user into a new chat or onto a larger
// model. Informational notices fade after a while; a notice with the same title and scope as one
// already shown replaces it (two exports give one card, "×2"), so the list stays short.
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QVariantList>
#include <QVector>

namespace tern::app {

struct Notice {
    enum Kind { Error, Warning, Info };
    static constexpr qint64 AnyConversation = -1;

    quint64 id = 0;  // assigned by NoticeService::post
    QString title;
    QString detail;
    Kind kind = Error;
    qint64 conversationId = AnyConversation;  // 0: the new chat that is not saved yet
    QString model;                            // path of the model it is about; empty: any
    int count = 1;                            // how many times it was posted (merged duplicates)
    qint64 expiresAtMs = 0;                   // on NoticeService's clock; 0: stays until dismissed

    static QString kindName(Kind k);
    QVariantMap toVariantMap() const;
};

class NoticeService : public QObject {
    Q_OBJECT
public:
    explicit NoticeService(QObject* parent = nullptr);

    // Shows n (or refreshes the one with the same title and scope) and returns its id.
    quint64 post(Notice n);
    // Shorthands for the three scopes.
    quint64 postGlobal(const QString& title, const QString& detail, Notice::Kind kind = Notice::Error);
    quint64 postForConversation(qint64 conversationId, const QString& title, const QString& detail,
                                Notice::Kind kind = Notice::Error, const QString& model = {});
    void dismiss(quint64 id);
    // The app-wide notices with this title report a condition that is over (a model the user
    // could not add has been added since): they go without the user dismissing them.
    void withdrawGlobal(const QString& title);
    void dropConversation(qint64 conversationId);  // it was deleted: its notices mean nothing now

    // What the window shows: the open conversation and the loaded model.
    void setConversation(qint64 conversationId);
    void setModel(const QString& modelPath);
    qint64 conversation() const { return conversation_; }

    QVector<Notice> all() const { return notices_; }
    QVector<Notice> visible() const;  // oldest first
    QVariantList visibleAsVariants() const;

    // How long an informational notice stays (tests shorten it).
    void setInfoLifetimeMs(int ms) { infoLifetimeMs_ = ms; }
    int infoLifetimeMs() const { return infoLifetimeMs_; }

signals:
    void changed();

private:
    bool shown(const Notice& n) const;
    void expire();
    void scheduleExpiry();

    QVector<Notice> notices_;
    quint64 nextId_ = 1;
    qint64 conversation_ = 0;
    QString model_;
    int infoLifetimeMs_ = 8000;
    QElapsedTimer clock_;
    QTimer expiry_;
};

}  // namespace tern::app

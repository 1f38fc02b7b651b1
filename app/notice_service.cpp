#include "app/notice_service.h"

#include <QVariantMap>
#include <algorithm>

namespace tern::app {

namespace {
// Enough for any real session; older notices are long out of relevance.
constexpr int kMaxKept = 20;
}  // namespace

QString Notice::kindName(Kind k) {
    switch (k) {
        case Error: return QStringLiteral("error");
        case Warning: return QStringLiteral("warning");
        case Info: return QStringLiteral("info");
    }
    return QStringLiteral("error");
}

QVariantMap Notice::toVariantMap() const {
    return {{QStringLiteral("noticeId"), id},   {QStringLiteral("title"), title}, {QStringLiteral("detail"), detail},
            {QStringLiteral("kind"), kindName(kind)}, {QStringLiteral("count"), count}};
}

NoticeService::NoticeService(QObject* parent) : QObject(parent) {
    clock_.start();
    expiry_.setSingleShot(true);
    connect(&expiry_, &QTimer::timeout, this, &NoticeService::expire);
}

quint64 NoticeService::post(Notice n) {
    n.expiresAtMs = n.kind == Notice::Info ? clock_.elapsed() + infoLifetimeMs_ : 0;
    auto same = std::find_if(notices_.begin(), notices_.end(), [&](const Notice& o) {
        return o.title == n.title && o.conversationId == n.conversationId && o.model == n.model;
    });
    if (same != notices_.end()) {
        n.id = same->id;
        n.count = same->count + 1;
        notices_.erase(same);  // moves to the end: the newest
    } else {
        n.id = nextId_++;
    }
    notices_.push_back(n);
    while (notices_.size() > kMaxKept) notices_.removeFirst();
    scheduleExpiry();
    emit changed();
    return n.id;
}

quint64 NoticeService::postGlobal(const QString& title, const QString& detail, Notice::Kind kind) {
    Notice n;
    n.title = title;
    n.detail = detail;
    n.kind = kind;
    return post(n);
}

quint64 NoticeService::postForConversation(qint64 conversationId, const QString& title, const QString& detail,
                                           Notice::Kind kind, const QString& model) {
    Notice n;
    n.title = title;
    n.detail = detail;
    n.kind = kind;
    n.conversationId = conversationId;
    n.model = model;
    return post(n);
}

void NoticeService::withdrawGlobal(const QString& title) {
    const auto removed = notices_.removeIf([&](const Notice& n) {
        return n.title == title && n.conversationId == Notice::AnyConversation && n.model.isEmpty();
    });
    if (removed) emit changed();
}

void NoticeService::dismiss(quint64 id) {
    const auto removed = notices_.removeIf([id](const Notice& n) { return n.id == id; });
    if (removed) emit changed();
}

void NoticeService::dropConversation(qint64 conversationId) {
    if (notices_.removeIf([conversationId](const Notice& n) { return n.conversationId == conversationId; })) emit changed();
}

void NoticeService::setConversation(qint64 conversationId) {
    if (conversationId == conversation_) return;
    conversation_ = conversationId;
    emit changed();
}

void NoticeService::setModel(const QString& modelPath) {
    if (modelPath == model_) return;
    model_ = modelPath;
    emit changed();
}

bool NoticeService::shown(const Notice& n) const {
    return (n.conversationId == Notice::AnyConversation || n.conversationId == conversation_) &&
           (n.model.isEmpty() || n.model == model_);
}

QVector<Notice> NoticeService::visible() const {
    QVector<Notice> out;
    for (const Notice& n : notices_)
        if (shown(n)) out.push_back(n);
    return out;
}

QVariantList NoticeService::visibleAsVariants() const {
    QVariantList out;
    for (const Notice& n : visible()) out.push_back(n.toVariantMap());
    return out;
}

void NoticeService::expire() {
    const qint64 now = clock_.elapsed();
    if (notices_.removeIf([now](const Notice& n) { return n.expiresAtMs && n.expiresAtMs <= now; })) emit changed();
    scheduleExpiry();
}

void NoticeService::scheduleExpiry() {
    qint64 next = 0;
    for (const Notice& n : notices_)
        if (n.expiresAtMs && (!next || n.expiresAtMs < next)) next = n.expiresAtMs;
    if (!next) {
        expiry_.stop();
        return;
    }
    expiry_.start(int(std::max<qint64>(0, next - clock_.elapsed())));
}

}  // namespace tern::app

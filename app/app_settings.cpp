#include "app/app_settings.h"

#include <QJsonDocument>
#include <QSettings>
#include <algorithm>

namespace tern::app {

AppSettings::AppSettings(QObject* parent) : QObject(parent) {
    QSettings s;
    systemPrompt_ = s.value(QStringLiteral("defaults/systemPrompt"), QStringLiteral("You are a helpful assistant.")).toString();
    generation_ = GenerationSettings().overriddenBy(
        QJsonDocument::fromJson(s.value(QStringLiteral("defaults/generation")).toByteArray()).object());
}

void AppSettings::setSystemPrompt(const QString& prompt) {
    if (prompt == systemPrompt_) return;
    systemPrompt_ = prompt;
    QSettings().setValue(QStringLiteral("defaults/systemPrompt"), prompt);
    emit changed();
}

void AppSettings::setGeneration(const GenerationSettings& g) {
    if (g == generation_) return;
    generation_ = g;
    QSettings().setValue(QStringLiteral("defaults/generation"), QJsonDocument(g.toJson()).toJson(QJsonDocument::Compact));
    emit changed();
}

int AppSettings::threads() const { return std::clamp(QSettings().value(QStringLiteral("engine/threads"), 0).toInt(), 0, 1024); }

void AppSettings::setThreads(int threads) {
    threads = std::clamp(threads, 0, 1024);
    if (threads == this->threads()) return;
    QSettings().setValue(QStringLiteral("engine/threads"), threads);
    emit loadOptionsChanged();
}

int AppSettings::contextSize() const {
    const int tokens = std::clamp(QSettings().value(QStringLiteral("engine/contextSize"), 0).toInt(), 0, 1 << 17);
    return tokens > 0 ? std::max(tokens, 256) : 0;
}

void AppSettings::setContextSize(int tokens) {
    tokens = std::clamp(tokens, 0, 1 << 17);
    if (tokens > 0 && tokens < 256) tokens = 256;  // room for a system prompt and a reply
    if (tokens == contextSize()) return;
    QSettings().setValue(QStringLiteral("engine/contextSize"), tokens);
    emit loadOptionsChanged();
}

bool AppSettings::compactCache() const { return QSettings().value(QStringLiteral("engine/compactCache"), false).toBool(); }

void AppSettings::setCompactCache(bool on) {
    if (on == compactCache()) return;
    QSettings().setValue(QStringLiteral("engine/compactCache"), on);
    emit loadOptionsChanged();
}

QString AppSettings::lastModel() const { return QSettings().value(QStringLiteral("models/last")).toString(); }

void AppSettings::setLastModel(const QString& path) { QSettings().setValue(QStringLiteral("models/last"), path); }

qint64 AppSettings::lastConversation() const {
    return QSettings().value(QStringLiteral("session/conversation")).toLongLong();
}

void AppSettings::setLastConversation(qint64 id) { QSettings().setValue(QStringLiteral("session/conversation"), id); }

QSize AppSettings::windowSize() const { return QSettings().value(QStringLiteral("session/windowSize")).toSize(); }

void AppSettings::setWindowSize(const QSize& size) { QSettings().setValue(QStringLiteral("session/windowSize"), size); }

bool AppSettings::apiServerEnabled() const { return QSettings().value(QStringLiteral("apiServer/enabled"), false).toBool(); }

void AppSettings::setApiServerEnabled(bool on) {
    if (on == apiServerEnabled()) return;
    QSettings().setValue(QStringLiteral("apiServer/enabled"), on);
    emit apiServerChanged();
}

int AppSettings::apiServerPort() const {
    const int port = QSettings().value(QStringLiteral("apiServer/port"), 8080).toInt();
    return port >= 1 && port <= 65535 ? port : 8080;
}

void AppSettings::setApiServerPort(int port) {
    if (port < 1 || port > 65535 || port == apiServerPort()) return;
    QSettings().setValue(QStringLiteral("apiServer/port"), port);
    emit apiServerChanged();
}

// Kept in plain text like the rest of the settings: it guards a server on 127.0.0.1 against
// other programs and web pages, not against someone who can read the user's files.
QString AppSettings::apiServerKey() const { return QSettings().value(QStringLiteral("apiServer/key")).toString(); }

void AppSettings::setApiServerKey(const QString& key) {
    if (key == apiServerKey()) return;
    QSettings().setValue(QStringLiteral("apiServer/key"), key);
    emit apiServerChanged();
}

}  // namespace tern::app

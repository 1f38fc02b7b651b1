#include "app/app_settings.h"

#include <QJsonDocument>
#include <QSettings>

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

QString AppSettings::lastModel() const { return QSettings().value(QStringLiteral("models/last")).toString(); }

void AppSettings::setLastModel(const QString& path) { QSettings().setValue(QStringLiteral("models/last"), path); }

qint64 AppSettings::lastConversation() const {
    return QSettings().value(QStringLiteral("session/conversation")).toLongLong();
}

void AppSettings::setLastConversation(qint64 id) { QSettings().setValue(QStringLiteral("session/conversation"), id); }

QSize AppSettings::windowSize() const { return QSettings().value(QStringLiteral("session/windowSize")).toSize(); }

void AppSettings::setWindowSize(const QSize& size) { QSettings().setValue(QStringLiteral("session/windowSize"), size); }

}  // namespace tern::app

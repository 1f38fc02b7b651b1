#pragma once
// App-wide defaults the user can change: the system prompt and the generation settings that
// every conversation starts from, and the model to load at start; and where the user left off
// (the open conversation, the window size). Stored with QSettings.
#include "app/generation_settings.h"

#include <QObject>
#include <QSize>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class AppSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY changed)
    Q_PROPERTY(QVariantMap generation READ generationMap WRITE setGenerationMap NOTIFY changed)
    // How models are loaded: they take effect at the next model load (a loaded model keeps its
    // threads and its context). 0: all hardware threads / the model's default context.
    Q_PROPERTY(int threads READ threads WRITE setThreads NOTIFY loadOptionsChanged)
    Q_PROPERTY(int contextSize READ contextSize WRITE setContextSize NOTIFY loadOptionsChanged)
    // Half-precision conversation caches (WorkerOptions::compactCache); off: exact F32 caches.
    Q_PROPERTY(bool compactCache READ compactCache WRITE setCompactCache NOTIFY loadOptionsChanged)
public:
    explicit AppSettings(QObject* parent = nullptr);
    QString systemPrompt() const { return systemPrompt_; }
    void setSystemPrompt(const QString& prompt);
    GenerationSettings generation() const { return generation_; }
    void setGeneration(const GenerationSettings& s);
    QVariantMap generationMap() const { return generation_.toVariantMap(); }
    void setGenerationMap(const QVariantMap& map) { setGeneration(GenerationSettings::fromVariantMap(map, generation_)); }
    int threads() const;
    void setThreads(int threads);
    int contextSize() const;
    void setContextSize(int tokens);
    bool compactCache() const;
    void setCompactCache(bool on);
    QString lastModel() const;
    void setLastModel(const QString& path);
    // The conversation open when Tern last ran (0: the new chat), reopened at start.
    qint64 lastConversation() const;
    void setLastConversation(qint64 id);
    // The window's size when Tern last quit (invalid: never saved).
    QSize windowSize() const;
    void setWindowSize(const QSize& size);
    // The local API server (Settings → Local API server): off unless the user turns it on.
    bool apiServerEnabled() const;
    void setApiServerEnabled(bool on);
    int apiServerPort() const;  // 8080 unless changed
    void setApiServerPort(int port);
    QString apiServerKey() const;  // "" : no key asked for
    void setApiServerKey(const QString& key);

signals:
    void changed();
    void apiServerChanged();
    void loadOptionsChanged();

private:
    QString systemPrompt_;
    GenerationSettings generation_;
};

}  // namespace tern::app

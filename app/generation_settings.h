#pragma once
// Sampling and length settings of a reply. App-wide defaults live in QSettings; a conversation
// stores only the values the user changed for it (a JSON object), so changing a default later
// still reaches every conversation that did not override it.
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QVariantMap>

namespace tern::app {

struct GenerationSettings {
    // The settings a user edits, as properties: the settings dialog's value type (ChatSettings)
    // shows them to QML through these, so a new setting is declared here and nowhere else.
    Q_GADGET
    Q_PROPERTY(double temperature MEMBER temperature)
    Q_PROPERTY(double topP MEMBER topP)
    Q_PROPERTY(int topK MEMBER topK)
    Q_PROPERTY(double repeatPenalty MEMBER repeatPenalty)
    Q_PROPERTY(double minP MEMBER minP)
    Q_PROPERTY(int maxTokens MEMBER maxTokens)
    Q_PROPERTY(QStringList stop MEMBER stop)
    Q_PROPERTY(QString chatTemplate MEMBER chatTemplate)
public:
    double temperature = 0.7;
    double topP = 0.95;
    int topK = 40;
    double repeatPenalty = 1.1;
    double minP = 0.05;   // keeps tokens at least minP times as likely as the best; 0: off (the engine's default)
    int maxTokens = 512;  // <= 0: until the context is full
    quint64 seed = 0;     // 0: a new random seed per reply (not a property: no dialog edits it)
    QStringList stop;     // the reply ends before any of these (besides the template's own end)
    QString chatTemplate; // "" the model's own; else one of chatTemplateNames()

    // The templates the engine can be told to use (engine/chat/chat_template.h's names).
    static QStringList chatTemplateNames();

    // Values in json override *this; unknown keys and wrong types are ignored, values clamped.
    GenerationSettings overriddenBy(const QJsonObject& json) const;
    QJsonObject toJson() const;
    // The keys where *this differs from defaults: what a conversation needs to store.
    QJsonObject differencesFrom(const GenerationSettings& defaults) const;
    QVariantMap toVariantMap() const { return toJson().toVariantMap(); }
    static GenerationSettings fromVariantMap(const QVariantMap& map, const GenerationSettings& base) {
        return base.overriddenBy(QJsonObject::fromVariantMap(map));
    }
    bool operator==(const GenerationSettings& o) const { return toJson() == o.toJson(); }
};

}  // namespace tern::app

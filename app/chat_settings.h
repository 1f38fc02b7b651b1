#pragma once
// One conversation's settings as the settings dialog edits them: its system prompt, sampling, stop
// strings and chat template,
// already merged with the app-wide defaults. A typed value (a QML value type "chatSettings")
// rather than a QVariantMap, so a misspelt key is a QML error instead of a silently lost edit.
#include "app/generation_settings.h"

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct ChatSettings {
    Q_GADGET
    QML_VALUE_TYPE(chatSettings)
    Q_PROPERTY(QString systemPrompt MEMBER systemPrompt)
    Q_PROPERTY(double temperature MEMBER temperature)
    Q_PROPERTY(double topP MEMBER topP)
    Q_PROPERTY(int topK MEMBER topK)
    Q_PROPERTY(double repeatPenalty MEMBER repeatPenalty)
    Q_PROPERTY(int maxTokens MEMBER maxTokens)
    Q_PROPERTY(double minP MEMBER minP)
    Q_PROPERTY(QStringList stop MEMBER stop)
    // The stop strings as the dialog's text box holds them: one a line, "\n" a line break, "\t" a
    // tab, "\\" a backslash (a stop at a line break is common and cannot be typed otherwise).
    Q_PROPERTY(QString stopText READ stopText WRITE setStopText)
    Q_PROPERTY(QString chatTemplate MEMBER chatTemplate)  // "" the model's own, "bitnet", "llama3", "chatml", "falcon3"
    Q_PROPERTY(bool customized MEMBER customized)  // differs from the defaults (read only in effect)
public:
    QString systemPrompt;
    double temperature = GenerationSettings().temperature;
    double topP = GenerationSettings().topP;
    int topK = GenerationSettings().topK;
    double repeatPenalty = GenerationSettings().repeatPenalty;
    int maxTokens = GenerationSettings().maxTokens;
    double minP = GenerationSettings().minP;
    QStringList stop;
    QString chatTemplate;
    bool customized = false;

    QString stopText() const;
    void setStopText(const QString& text);

    static ChatSettings from(const GenerationSettings& g, const QString& systemPrompt, bool customized);
    // The reply settings on top of base (which supplies what the dialog does not edit, the seed),
    // clamped as stored settings are.
    GenerationSettings generation(const GenerationSettings& base) const;
    bool operator==(const ChatSettings& o) const;
};

}  // namespace tern::app

Q_DECLARE_METATYPE(tern::app::ChatSettings)

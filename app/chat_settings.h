#pragma once
// One conversation's settings as the settings dialog edits them: its system prompt and its reply
// settings (a GenerationSettings: sampling, length, stop strings, chat template), already merged
// with the app-wide defaults. A typed value (a QML value type "chatSettings")
// rather than a QVariantMap, so a misspelt key is a QML error instead of a silently lost edit.
#include "app/generation_settings.h"

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct ChatSettings : GenerationSettings {
    Q_GADGET
    QML_VALUE_TYPE(chatSettings)
    // The reply settings are GenerationSettings' own properties (temperature, topP, topK,
    // repeatPenalty, maxTokens, minP, stop, chatTemplate), inherited; only what the dialog adds
    // to them is declared here.
    Q_PROPERTY(QString systemPrompt MEMBER systemPrompt)
    // The stop strings as the dialog's text box holds them: one a line, "\n" a line break, "\t" a
    // tab, "\\" a backslash (a stop at a line break is common and cannot be typed otherwise).
    Q_PROPERTY(QString stopText READ stopText WRITE setStopText)
    Q_PROPERTY(bool customized MEMBER customized)  // differs from the defaults (read only in effect)
public:
    QString systemPrompt;
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

#include "app/chat_settings.h"

namespace tern::app {

ChatSettings ChatSettings::from(const GenerationSettings& g, const QString& systemPrompt, bool customized) {
    ChatSettings s;
    static_cast<GenerationSettings&>(s) = g;
    s.systemPrompt = systemPrompt;
    s.customized = customized;
    return s;
}

GenerationSettings ChatSettings::generation(const GenerationSettings& base) const {
    GenerationSettings g = *this;
    g.seed = base.seed;  // the one setting the dialog does not edit
    // Through the JSON path so the ranges are clamped exactly like stored overrides.
    return base.overriddenBy(g.toJson());
}

bool ChatSettings::operator==(const ChatSettings& o) const {
    return GenerationSettings::operator==(o) && systemPrompt == o.systemPrompt && customized == o.customized;
}

QString ChatSettings::stopText() const {
    QStringList lines;
    for (QString s : stop) {
        s.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
        s.replace(QLatin1Char('\n'), QLatin1String("\\n"));
        s.replace(QLatin1Char('\t'), QLatin1String("\\t"));
        lines << s;
    }
    return lines.join(QLatin1Char('\n'));
}

void ChatSettings::setStopText(const QString& text) {
    stop.clear();
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        QString s;
        for (int i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (c == QLatin1Char('\r')) continue;
            const QChar next = i + 1 < line.size() ? line[i + 1] : QChar();
            if (c == QLatin1Char('\\') && (next == QLatin1Char('n') || next == QLatin1Char('t') || next == QLatin1Char('\\'))) {
                s += next == QLatin1Char('n') ? QChar(u'\n') : next == QLatin1Char('t') ? QChar(u'\t') : next;
                ++i;
            } else {
                s += c;  // any other backslash is itself
            }
        }
        if (!s.isEmpty()) stop << s;
    }
}

}  // namespace tern::app

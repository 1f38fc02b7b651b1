#include "app/chat_settings.h"

namespace tern::app {

ChatSettings ChatSettings::from(const GenerationSettings& g, const QString& systemPrompt, bool customized) {
    ChatSettings s;
    s.systemPrompt = systemPrompt;
    s.temperature = g.temperature;
    s.topP = g.topP;
    s.topK = g.topK;
    s.repeatPenalty = g.repeatPenalty;
    s.maxTokens = g.maxTokens;
    s.minP = g.minP;
    s.stop = g.stop;
    s.chatTemplate = g.chatTemplate;
    s.customized = customized;
    return s;
}

GenerationSettings ChatSettings::generation(const GenerationSettings& base) const {
    GenerationSettings g = base;
    g.temperature = temperature;
    g.topP = topP;
    g.topK = topK;
    g.repeatPenalty = repeatPenalty;
    g.maxTokens = maxTokens;
    g.minP = minP;
    g.stop = stop;
    g.chatTemplate = chatTemplate;
    // Through the JSON path so the ranges are clamped exactly like stored overrides.
    return base.overriddenBy(g.toJson());
}

bool ChatSettings::operator==(const ChatSettings& o) const {
    return systemPrompt == o.systemPrompt && temperature == o.temperature && topP == o.topP && topK == o.topK &&
           repeatPenalty == o.repeatPenalty && maxTokens == o.maxTokens && minP == o.minP && stop == o.stop &&
           chatTemplate == o.chatTemplate && customized == o.customized;
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

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
    // Through the JSON path so the ranges are clamped exactly like stored overrides.
    return base.overriddenBy(g.toJson());
}

bool ChatSettings::operator==(const ChatSettings& o) const {
    return systemPrompt == o.systemPrompt && temperature == o.temperature && topP == o.topP && topK == o.topK &&
           repeatPenalty == o.repeatPenalty && maxTokens == o.maxTokens && customized == o.customized;
}

}  // namespace tern::app

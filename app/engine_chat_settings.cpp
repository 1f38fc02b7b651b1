#include "app/engine_chat_settings.h"

namespace tern::app {

tern::ChatSettings toEngineChatSettings(const GenerationSettings& s) {
    tern::ChatSettings c;
    c.max_tokens = s.maxTokens;
    c.sampling.temperature = (float)s.temperature;
    c.sampling.top_p = (float)s.topP;
    c.sampling.top_k = s.topK;
    c.sampling.repeat_penalty = (float)s.repeatPenalty;
    c.sampling.min_p = (float)s.minP;
    c.sampling.seed = s.seed;
    for (const QString& stop : s.stop) c.stop.push_back(stop.toStdString());  // UTF-8, as the engine's text
    if (!s.chatTemplate.isEmpty()) c.format = tern::chat_format_from_name(s.chatTemplate.toStdString());
    return c;
}

}  // namespace tern::app

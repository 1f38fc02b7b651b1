#include "app/engine_chat_settings.h"

namespace tern::app {

tern::ChatSettings toEngineChatSettings(const GenerationSettings& s) {
    tern::ChatSettings c;
    c.max_tokens = s.maxTokens;
    c.sampling.temperature = (float)s.temperature;
    c.sampling.top_p = (float)s.topP;
    c.sampling.top_k = s.topK;
    c.sampling.repeat_penalty = (float)s.repeatPenalty;
    c.sampling.seed = s.seed;
    return c;
}

}  // namespace tern::app

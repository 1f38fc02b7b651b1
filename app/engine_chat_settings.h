#pragma once
// The app's reply settings (GenerationSettings, Qt types, stored per conversation) as the
// engine's ChatSettings. One conversion, used by the inference worker and tern-app-bench, so
// the benchmark's in-process side runs exactly what the app runs.
#include "app/generation_settings.h"
#include "engine/chat/chat_engine.h"

namespace tern::app {

tern::ChatSettings toEngineChatSettings(const GenerationSettings& settings);

}  // namespace tern::app

// Generation settings: per-conversation overrides on top of app-wide defaults.
#include <catch2/catch.hpp>

#include "app/generation_settings.h"

using namespace tern::app;

TEST_CASE("conversation settings store only what differs from the defaults", "[settings]") {
    GenerationSettings defaults;
    GenerationSettings mine = defaults.overriddenBy(QJsonObject{{"temperature", 0.1}, {"topK", 5}});
    CHECK(mine.temperature == Approx(0.1));
    CHECK(mine.topK == 5);
    CHECK(mine.topP == Approx(defaults.topP));
    const QJsonObject diff = mine.differencesFrom(defaults);
    CHECK(diff.size() == 2);
    CHECK(diff.contains("temperature"));
    // A later change of a default reaches the conversation where it did not override it.
    GenerationSettings newDefaults = defaults;
    newDefaults.maxTokens = 99;
    CHECK(newDefaults.overriddenBy(diff).maxTokens == 99);
    CHECK(newDefaults.overriddenBy(diff).topK == 5);
}

TEST_CASE("bad values from a hand-edited database are clamped or ignored", "[settings]") {
    const GenerationSettings s = GenerationSettings().overriddenBy(
        QJsonObject{{"temperature", -3}, {"topP", 7}, {"repeatPenalty", 0}, {"topK", "many"}, {"maxTokens", -5}});
    CHECK(s.temperature == 0);
    CHECK(s.topP == 1);
    CHECK(s.repeatPenalty == Approx(0.5));
    CHECK(s.topK == GenerationSettings().topK);
    CHECK(s.maxTokens == 0);
}

// Generation settings: per-conversation overrides on top of app-wide defaults, the dialog's
// typed value, and the one conversion to the engine's ChatSettings.
#include <catch2/catch.hpp>

#include "app/chat_settings.h"
#include "app/engine_chat_settings.h"
#include "app/generation_settings.h"

#include <QJsonArray>
#include <QMetaProperty>

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

TEST_CASE("min-p, stop strings and the chat template are stored, checked and reach the engine", "[settings]") {
    const GenerationSettings defaults;
    CHECK(defaults.minP == Approx(tern::SamplerParams().min_p));  // unchanged behaviour for existing chats
    GenerationSettings mine = defaults.overriddenBy(
        QJsonObject{{"minP", 0.2}, {"stop", QJsonArray{"\n\n", "User:", "", 7}}, {"template", "ChatML"}});
    CHECK(mine.minP == Approx(0.2));
    CHECK(mine.stop == QStringList{"\n\n", "User:"});  // empty strings and non-strings are dropped
    CHECK(mine.chatTemplate == "chatml");
    const QJsonObject diff = mine.differencesFrom(defaults);
    CHECK(diff.keys() == QStringList{"minP", "stop", "template"});
    CHECK(defaults.overriddenBy(diff) == mine);  // what a conversation stores gives them back

    const GenerationSettings bad = defaults.overriddenBy(QJsonObject{{"minP", 4}, {"template", "gpt9"}, {"stop", "x"}});
    CHECK(bad.minP == 1);
    CHECK(bad.chatTemplate.isEmpty());  // unknown template: the model's own
    CHECK(bad.stop.isEmpty());

    mine.seed = 7;
    const tern::ChatSettings c = toEngineChatSettings(mine);
    CHECK(c.sampling.min_p == Approx(0.2f));
    CHECK(c.sampling.seed == 7u);
    CHECK(c.stop == std::vector<std::string>{"\n\n", "User:"});
    REQUIRE(c.format.has_value());
    CHECK(*c.format == tern::ChatFormat::ChatML);
    CHECK_FALSE(toEngineChatSettings(defaults).format.has_value());
    CHECK(toEngineChatSettings(defaults).stop.empty());
    for (const QString& name : GenerationSettings::chatTemplateNames()) {
        INFO(name.toStdString());
        CHECK(toEngineChatSettings(defaults.overriddenBy(QJsonObject{{"template", name}})).format.has_value());
    }
    GenerationSettings unicode;
    unicode.stop = {QStringLiteral("—fin")};
    CHECK(toEngineChatSettings(unicode).stop == std::vector<std::string>{"\xE2\x80\x94" "fin"});  // UTF-8
}

TEST_CASE("the dialog's stop-strings text: one a line, \\n a line break", "[settings]") {
    ChatSettings s;
    s.setStopText(QStringLiteral("User:\n\n\\n\\n\r\nC:\\\\path\\x\ntab\\there"));
    CHECK(s.stop == QStringList{"User:", "\n\n", "C:\\path\\x", "tab\there"});
    CHECK(s.stopText() == QStringLiteral("User:\n\\n\\n\nC:\\\\path\\\\x\ntab\\there"));
    ChatSettings back;
    back.setStopText(s.stopText());
    CHECK(back.stop == s.stop);
    // Through the dialog's value type into the stored settings and back.
    s.minP = 0.3;
    s.chatTemplate = QStringLiteral("falcon3");
    const GenerationSettings g = s.generation(GenerationSettings());
    CHECK(g.stop == s.stop);
    CHECK(g.minP == Approx(0.3));
    CHECK(g.chatTemplate == "falcon3");
    const ChatSettings again = ChatSettings::from(g, {}, true);
    CHECK(again.stop == s.stop);
    CHECK(again.chatTemplate == "falcon3");
}

// ChatSettings is a GenerationSettings: every reply setting GenerationSettings declares as a
// property is a property of the dialog's value type and reaches the reply settings from there.
TEST_CASE("every reply setting the dialog can set reaches the reply settings", "[settings]") {
    const QMetaObject& chat = ChatSettings::staticMetaObject;
    for (const char* name : {"systemPrompt", "stopText", "customized", "temperature", "topP", "topK", "repeatPenalty",
                             "maxTokens", "minP", "stop", "chatTemplate"})
        CHECK(chat.indexOfProperty(name) >= 0);
    const GenerationSettings defaults;
    const QMetaObject& generation = GenerationSettings::staticMetaObject;
    REQUIRE(generation.propertyCount() >= 8);
    for (int i = generation.propertyOffset(); i < generation.propertyCount(); ++i) {
        const QMetaProperty p = generation.property(i);
        INFO(p.name());
        // A value that differs from the default and survives clamping, per type.
        QVariant changed;
        if (p.metaType().id() == QMetaType::Double) changed = p.readOnGadget(&defaults).toDouble() / 2;
        else if (p.metaType().id() == QMetaType::Int) changed = p.readOnGadget(&defaults).toInt() / 2;
        else if (p.metaType().id() == QMetaType::QStringList) changed = QStringList{QStringLiteral("END")};
        else if (p.metaType().id() == QMetaType::QString) changed = GenerationSettings::chatTemplateNames().first();
        REQUIRE(changed.isValid());
        ChatSettings s = ChatSettings::from(defaults, {}, false);
        const QMetaProperty viaChat = chat.property(chat.indexOfProperty(p.name()));
        REQUIRE(viaChat.writeOnGadget(&s, changed));
        const GenerationSettings g = s.generation(defaults);
        CHECK(p.readOnGadget(&g) == changed);
        CHECK(g.differencesFrom(defaults).size() == 1);  // that setting, and nothing else
    }
}

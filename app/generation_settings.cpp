#include "app/generation_settings.h"

#include <QJsonArray>
#include <algorithm>

namespace tern::app {

GenerationSettings GenerationSettings::overriddenBy(const QJsonObject& j) const {
    GenerationSettings s = *this;
    // Clamped to ranges the sampler accepts, so a hand-edited database cannot make it throw.
    if (j.value(QLatin1String("temperature")).isDouble()) s.temperature = std::clamp(j.value(QLatin1String("temperature")).toDouble(), 0.0, 5.0);
    if (j.value(QLatin1String("topP")).isDouble()) s.topP = std::clamp(j.value(QLatin1String("topP")).toDouble(), 0.0, 1.0);
    if (j.value(QLatin1String("topK")).isDouble()) s.topK = std::clamp(j.value(QLatin1String("topK")).toInt(), 0, 100000);
    if (j.value(QLatin1String("repeatPenalty")).isDouble()) s.repeatPenalty = std::clamp(j.value(QLatin1String("repeatPenalty")).toDouble(), 0.5, 3.0);
    if (j.value(QLatin1String("maxTokens")).isDouble()) s.maxTokens = std::clamp(j.value(QLatin1String("maxTokens")).toInt(), 0, 1 << 20);
    if (j.value(QLatin1String("minP")).isDouble()) s.minP = std::clamp(j.value(QLatin1String("minP")).toDouble(), 0.0, 1.0);
    if (j.value(QLatin1String("stop")).isArray()) {
        // At most 16 non-empty strings of at most 200 characters: each is checked after every token.
        s.stop.clear();
        for (const QJsonValue& v : j.value(QLatin1String("stop")).toArray())
            if (v.isString() && !v.toString().isEmpty() && s.stop.size() < 16) s.stop << v.toString().left(200);
    }
    if (j.value(QLatin1String("template")).isString()) {
        const QString t = j.value(QLatin1String("template")).toString().toLower();
        if (t.isEmpty() || chatTemplateNames().contains(t)) s.chatTemplate = t;  // an unknown name: keep what we had
    }
    if (j.value(QLatin1String("seed")).isDouble()) s.seed = (quint64)std::max<qint64>(0, j.value(QLatin1String("seed")).toInteger());
    return s;
}

QJsonObject GenerationSettings::toJson() const {
    return QJsonObject{{QStringLiteral("temperature"), temperature}, {QStringLiteral("topP"), topP},
                       {QStringLiteral("topK"), topK},               {QStringLiteral("repeatPenalty"), repeatPenalty},
                       {QStringLiteral("maxTokens"), maxTokens},     {QStringLiteral("seed"), (qint64)seed},
                       {QStringLiteral("minP"), minP},               {QStringLiteral("stop"), QJsonArray::fromStringList(stop)},
                       {QStringLiteral("template"), chatTemplate}};
}

QStringList GenerationSettings::chatTemplateNames() {
    return {QStringLiteral("bitnet"), QStringLiteral("llama3"), QStringLiteral("chatml"), QStringLiteral("falcon3")};
}

QJsonObject GenerationSettings::differencesFrom(const GenerationSettings& defaults) const {
    const QJsonObject mine = toJson(), theirs = defaults.toJson();
    QJsonObject out;
    for (auto it = mine.begin(); it != mine.end(); ++it)
        if (theirs.value(it.key()) != it.value()) out.insert(it.key(), it.value());
    return out;
}

}  // namespace tern::app

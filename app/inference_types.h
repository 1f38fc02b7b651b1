#pragma once
// Plain values that cross between the GUI thread and the inference worker in queued signals.
// They hold Qt types only, so the GUI side never includes an engine header.
#include "app/generation_settings.h"

#include <QMetaType>
#include <QString>
#include <QVector>

namespace tern::app {

struct ChatTurn {
    QString role;  // "user" or "assistant"
    QString content;
};

struct GenerationRequest {
    quint64 id = 0;
    qint64 conversationId = 0;  // whose reply this is (the engine finds KV caches by token prefix)
    QString systemPrompt;
    QVector<ChatTurn> turns;  // the visible branch; the last one is the user's new message
    GenerationSettings settings;
};

struct GenerationStats {
    quint64 id = 0;
    qint64 conversationId = 0;
    QString text;  // the whole reply
    enum Reason { EndOfText, MaxTokens, StopString, Cancelled, ContextFull } reason = EndOfText;
    int promptTokens = 0;
    int reusedTokens = 0;  // prompt tokens found in the KV cache: not processed again
    int generatedTokens = 0;
    int droppedMessages = 0;  // oldest turns left out so the prompt fits
    double tokensPerSecond = 0;
    double prefillSeconds = 0;
    int contextUsed = 0;
    int contextSize = 0;
};

struct ModelInfo {
    QString path;
    QString name;
    QString architecture;
    QString chatFormat;
    int contextSize = 0;
    bool compactCache = false;  // half-precision KV caches (WorkerOptions::compactCache)
    qint64 weightBytes = 0;
    double loadSeconds = 0;
};

// Why a request or a load failed; the controller turns each into advice for the user.
enum class FailureKind { NoModel, ContextFull, OutOfMemory, Engine };

}  // namespace tern::app

Q_DECLARE_METATYPE(tern::app::GenerationRequest)
Q_DECLARE_METATYPE(tern::app::GenerationStats)
Q_DECLARE_METATYPE(tern::app::ModelInfo)

#include "app/inference_worker.h"

#include "engine/chat_prompt.h"
#include "engine/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "engine/tokenizer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <new>

namespace tern::app {
namespace {

GenerationStats::Reason toReason(StopReason r) {
    switch (r) {
        case StopReason::EndOfGeneration: return GenerationStats::EndOfText;
        case StopReason::MaxTokens: return GenerationStats::MaxTokens;
        case StopReason::StopString: return GenerationStats::StopString;
        case StopReason::Cancelled: return GenerationStats::Cancelled;
        case StopReason::ContextFull: return GenerationStats::ContextFull;
    }
    return GenerationStats::EndOfText;
}

// KV bytes one cached token costs (keys and values of every layer, float32).
qint64 kvBytesPerToken(const Model& m) {
    return 2LL * m.config().n_layer * m.config().kv_dim() * (qint64)sizeof(float);
}

}  // namespace

InferenceWorker::InferenceWorker(Options options, QObject* parent) : QObject(parent), options_(options) {
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<ModelInfo>();
}

InferenceWorker::~InferenceWorker() {
    sessions_.clear();  // sessions refer to the model: destroy them first
    model_.reset();
}

void InferenceWorker::requestStop(quint64 id) {
    std::lock_guard<std::mutex> lock(stopMutex_);
    if (id) stopped_.insert(id);
    if (active_ && (id == 0 || id == activeId_)) active_->cancel();
}

bool InferenceWorker::stopWanted(quint64 id) {
    std::lock_guard<std::mutex> lock(stopMutex_);
    return stopped_.contains(id);
}

void InferenceWorker::unloadModel() {
    const bool had = model_ != nullptr;
    sessions_.clear();
    model_.reset();
    if (had) emit modelUnloaded();
}

void InferenceWorker::loadModel(const QString& path) {
    // Free the old model before reading the new one: two large models may not fit together.
    unloadModel();
    emit loadProgress(0.0);
    try {
        LoadOptions lo;
        lo.n_threads = options_.threads;
        int lastPercent = -1;
        lo.progress = [&](float f) {
            const int percent = int(f * 100);
            if (percent != lastPercent) {  // at most 101 signals, whatever the engine reports
                lastPercent = percent;
                emit loadProgress(f);
            }
        };
        model_ = Model::load(QFileInfo(path).absoluteFilePath().toStdString(), lo);
    } catch (const std::bad_alloc&) {
        model_.reset();
        emit modelLoadFailed(path, QStringLiteral("not enough memory to load this model"));
        return;
    } catch (const std::exception& e) {
        model_.reset();
        emit modelLoadFailed(path, QString::fromStdString(e.what()));
        return;
    }
    ModelInfo info;
    info.path = path;
    info.name = QString::fromStdString(model_->config().name);
    if (info.name.isEmpty()) info.name = QFileInfo(path).completeBaseName();
    info.architecture = QString::fromStdString(model_->config().arch);
    info.chatFormat = QString::fromLatin1(chat_format_name(model_->chat_format()));
    info.contextSize = options_.contextSize > 0 ? options_.contextSize : std::min(model_->config().n_ctx_train, 4096);
    info.weightBytes = (qint64)model_->weight_bytes_total();
    info.loadSeconds = model_->load_seconds();
    emit loadProgress(1.0);
    emit modelLoaded(info);
}

Session& InferenceWorker::sessionFor(qint64 conversationId) {
    Cached& c = sessions_[conversationId];
    if (!c.session) {
        SessionOptions so;
        so.n_ctx = options_.contextSize;
        c.session = std::make_unique<Session>(*model_, so);
    }
    c.lastUse = ++useCounter_;
    return *c.session;
}

void InferenceWorker::evictSessions(qint64 keep) {
    // The KV cache's pages are only touched as tokens fill it, so the memory a session holds is
    // its token count times the per-token size. Drop least recently used ones over the budget.
    const qint64 perToken = kvBytesPerToken(*model_);
    for (;;) {
        qint64 total = 0;
        qint64 oldest = 0;
        quint64 oldestUse = ~0ull;
        for (const auto& [id, cached] : sessions_) {
            if (id == keep) continue;
            total += (qint64)cached.session->tokens().size() * perToken;
            if (cached.lastUse < oldestUse) { oldestUse = cached.lastUse; oldest = id; }
        }
        if (total <= options_.kvBudgetBytes || oldestUse == ~0ull) return;
        sessions_.erase(oldest);
    }
}

void InferenceWorker::forgetConversation(qint64 conversationId) { sessions_.erase(conversationId); }

void InferenceWorker::generate(const GenerationRequest& request) {
    {
        std::lock_guard<std::mutex> lock(stopMutex_);
        // Ids grow, so stops for earlier requests are no longer needed.
        for (auto it = stopped_.begin(); it != stopped_.end();) it = *it < request.id ? stopped_.erase(it) : std::next(it);
    }
    GenerationStats stats;
    stats.id = request.id;
    stats.conversationId = request.conversationId;
    if (stopWanted(request.id)) {  // stopped while still queued
        stats.reason = GenerationStats::Cancelled;
        emit generationFinished(stats);
        return;
    }
    if (!model_) {
        emit generationFailed(request.id, int(FailureKind::NoModel), QStringLiteral("no model is loaded"));
        return;
    }
    try {
        Session& session = sessionFor(request.conversationId);
        evictSessions(request.conversationId);

        std::vector<ChatMessage> messages;
        if (!request.systemPrompt.trimmed().isEmpty()) messages.push_back({"system", request.systemPrompt.toStdString()});
        for (const ChatTurn& t : request.turns) messages.push_back({t.role.toStdString(), t.content.toStdString()});

        const GenerationSettings& s = request.settings;
        const int32_t nCtx = session.n_ctx();
        const int32_t reserve = std::min<int32_t>(s.maxTokens > 0 ? s.maxTokens : nCtx / 4, nCtx / 2);
        ChatPrompt prompt = build_chat_prompt(model_->tokenizer(), model_->chat_format(), messages, nCtx, reserve, true);
        stats.droppedMessages = prompt.dropped_messages;

        GenerateParams params;
        params.max_tokens = s.maxTokens;
        params.sampling.temperature = (float)s.temperature;
        params.sampling.top_p = (float)s.topP;
        params.sampling.top_k = s.topK;
        params.sampling.repeat_penalty = (float)s.repeatPenalty;
        params.sampling.seed = s.seed;
        params.stop_strings = chat_stop_strings(model_->chat_format());

        // Text is handed over in batches: a signal per token would flood the GUI's event queue
        // at thousands of tokens per second for no visible gain.
        QString pending;
        QElapsedTimer sinceEmit;
        bool firstPiece = true;
        auto flush = [&] {
            if (pending.isEmpty()) return;
            emit textGenerated(request.id, pending);
            pending.clear();
            sinceEmit.restart();
        };
        auto onPiece = [&](std::string_view piece) {
            pending += QString::fromUtf8(piece.data(), (qsizetype)piece.size());
            if (firstPiece || sinceEmit.elapsed() >= options_.emitIntervalMs) flush();
            firstPiece = false;
            // A stop that arrived before generate() reset the session's flag is seen here.
            if (stopWanted(request.id)) session.cancel();
            if (options_.tokenDelayMsForTesting > 0) QThread::msleep(options_.tokenDelayMsForTesting);
        };
        {
            std::lock_guard<std::mutex> lock(stopMutex_);
            active_ = &session;
            activeId_ = request.id;
        }
        sinceEmit.start();
        emit generationStarted(request.id, (int)prompt.tokens.size());
        GenerateResult r;
        try {
            r = session.generate(prompt.tokens, params, onPiece);
        } catch (...) {
            std::lock_guard<std::mutex> lock(stopMutex_);
            active_ = nullptr;
            activeId_ = 0;
            throw;
        }
        {
            std::lock_guard<std::mutex> lock(stopMutex_);
            active_ = nullptr;
            activeId_ = 0;
            stopped_.remove(request.id);
        }
        flush();
        stats.text = QString::fromStdString(r.text);
        stats.reason = toReason(r.reason);
        stats.promptTokens = r.n_prompt;
        stats.reusedTokens = r.n_prompt_reused;
        stats.generatedTokens = (int)r.tokens.size();
        stats.prefillSeconds = r.prefill_seconds;
        stats.tokensPerSecond = r.decode_seconds > 0 ? r.n_decoded / r.decode_seconds : 0;
        stats.contextUsed = (int)session.tokens().size();
        stats.contextSize = session.n_ctx();
        emit generationFinished(stats);
    } catch (const ContextFullError& e) {
        emit generationFailed(request.id, int(FailureKind::ContextFull), QString::fromStdString(e.what()));
    } catch (const std::bad_alloc&) {
        sessions_.clear();  // give the memory back; caches are rebuilt on the next request
        emit generationFailed(request.id, int(FailureKind::OutOfMemory), QStringLiteral("out of memory"));
    } catch (const std::exception& e) {
        emit generationFailed(request.id, int(FailureKind::Engine), QString::fromStdString(e.what()));
    }
}

}  // namespace tern::app

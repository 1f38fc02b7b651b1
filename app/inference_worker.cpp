#include "app/inference_worker.h"

#include "app/engine_chat_settings.h"

#include "engine/chat/chat_engine.h"
#include "engine/error.h"
#include "engine/model/model.h"

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

}  // namespace

InferenceWorker::InferenceWorker(Options options, QObject* parent) : QObject(parent), options_(options) {
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<ModelInfo>();
}

InferenceWorker::~InferenceWorker() {
    engine_.reset();  // its caches refer to the model: destroy them first
    model_.reset();
}

void InferenceWorker::requestStop(quint64 id) {
    std::lock_guard<std::mutex> lock(stopMutex_);
    if (id == 0) {
        id = activeId_;
        if (activeTask_) activeTask_->cancel();
    }
    if (id) cancels_[id].cancel();  // a request still in the queue finds its token cancelled
}

void InferenceWorker::postEngineTask(std::function<void(ChatEngine*)> task, CancelToken cancel) {
    // A queued call goes into this thread's event queue behind the generate() calls already
    // there: first come, first served, between chat turns and API jobs alike.
    QMetaObject::invokeMethod(
        this,
        [this, task = std::move(task), cancel] {
            {
                std::lock_guard<std::mutex> lock(stopMutex_);
                activeTask_ = cancel;
            }
            task(engine_.get());
            std::lock_guard<std::mutex> lock(stopMutex_);
            activeTask_.reset();
        },
        Qt::QueuedConnection);
}

CancelToken InferenceWorker::cancelTokenFor(quint64 id) {
    std::lock_guard<std::mutex> lock(stopMutex_);
    // Ids grow, so tokens of earlier requests are no longer needed.
    cancels_.erase(cancels_.begin(), cancels_.lower_bound(id));
    activeId_ = id;
    return cancels_[id];
}

void InferenceWorker::unloadModel() {
    const bool had = model_ != nullptr;
    engine_.reset();
    model_.reset();
    if (had) emit modelUnloaded();
}

void InferenceWorker::setLoadOptions(int threads, int contextSize, bool compactCache) {
    options_.threads = std::max(0, threads);
    options_.contextSize = std::max(0, contextSize);
    options_.compactCache = compactCache;
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
        ChatEngineOptions eo;
        eo.n_ctx = options_.contextSize;
        eo.cache_budget_bytes = (uint64_t)std::max<qint64>(options_.kvBudgetBytes, 0);
        eo.kv_type = options_.compactCache ? KvType::F16 : KvType::F32;
        engine_ = std::make_unique<ChatEngine>(*model_, eo);
    } catch (const std::bad_alloc&) {
        engine_.reset();
        model_.reset();
        emit modelLoadFailed(path, tr("not enough memory to load this model"));
        return;
    } catch (const std::exception& e) {
        engine_.reset();
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
    info.contextSize = engine_->context_size();
    info.compactCache = engine_->kv_type() == KvType::F16;
    info.weightBytes = (qint64)model_->weight_bytes_total();
    info.loadSeconds = model_->load_seconds();
    emit loadProgress(1.0);
    emit modelLoaded(info);
}

void InferenceWorker::generate(const GenerationRequest& request) {
    const CancelToken cancel = cancelTokenFor(request.id);
    GenerationStats stats;
    stats.id = request.id;
    stats.conversationId = request.conversationId;
    auto finishActive = [&] {
        std::lock_guard<std::mutex> lock(stopMutex_);
        activeId_ = 0;
        cancels_.erase(request.id);
    };
    if (cancel.cancelled()) {  // stopped while still queued
        finishActive();
        stats.reason = GenerationStats::Cancelled;
        emit generationFinished(stats);
        return;
    }
    if (!engine_) {
        finishActive();
        emit generationFailed(request.id, int(FailureKind::NoModel), tr("no model is loaded"));
        return;
    }
    std::vector<ChatMessage> messages;
    if (!request.systemPrompt.trimmed().isEmpty()) messages.push_back({"system", request.systemPrompt.toStdString()});
    for (const ChatTurn& t : request.turns) messages.push_back({t.role.toStdString(), t.content.toStdString()});

    // Text is handed over in batches: a signal per token would flood the GUI's event queue at
    // thousands of tokens per second for no visible gain.
    QString pending;
    QElapsedTimer sinceEmit;
    bool firstPiece = true;
    auto flush = [&] {
        if (pending.isEmpty()) return;
        emit textGenerated(request.id, pending);
        pending.clear();
        sinceEmit.restart();
    };
    ChatEvents events;
    events.on_text = [&](std::string_view piece) {
        pending += QString::fromUtf8(piece.data(), (qsizetype)piece.size());
        if (firstPiece || sinceEmit.elapsed() >= options_.emitIntervalMs) flush();
        firstPiece = false;
        if (options_.tokenDelayMsForTesting > 0) QThread::msleep(options_.tokenDelayMsForTesting);
    };
    sinceEmit.start();
    try {
        const ChatResult r = engine_->chat(messages, toEngineChatSettings(request.settings), cancel, events);
        finishActive();
        flush();
        stats.text = QString::fromStdString(r.text);
        stats.reason = toReason(r.stop);
        stats.promptTokens = r.usage.prompt_tokens;
        stats.reusedTokens = r.usage.reused_tokens;
        stats.generatedTokens = r.usage.generated_tokens;
        stats.droppedMessages = r.usage.dropped_messages;
        stats.prefillSeconds = r.usage.prefill_seconds;
        stats.tokensPerSecond = r.usage.decode_tokens_per_second();
        stats.contextUsed = r.usage.context_used;
        stats.contextSize = r.usage.context_size;
        emit generationFinished(stats);
    } catch (const ContextFullError& e) {
        finishActive();
        emit generationFailed(request.id, int(FailureKind::ContextFull), QString::fromStdString(e.what()));
    } catch (const std::bad_alloc&) {
        finishActive();
        engine_->clear_cache();  // give the memory back; caches are rebuilt on the next request
        emit generationFailed(request.id, int(FailureKind::OutOfMemory), tr("out of memory"));
    } catch (const std::exception& e) {
        finishActive();
        emit generationFailed(request.id, int(FailureKind::Engine), QString::fromStdString(e.what()));
    }
}

}  // namespace tern::app

#pragma once
// A chat controller wired as in the app (real store, worker thread, model controller) on the
// tiny synthetic model, without a window.
#include "app/app_settings.h"
#include "app/chat_controller.h"
#include "app/conversation_exporter.h"
#include "app/conversation_store.h"
#include "app/model_controller.h"
#include "app/modelstore/model_library.h"
#include "app/notice_service.h"
#include "app/worker_thread.h"
#include "app_test_support.h"

#include <QFileInfo>
#include <memory>

namespace tern_app_test {

struct ChatRig {
    explicit ChatRig(const QString& dbPath, int tokenDelayMs = 0, int maxTokens = 32)
        : library(QFileInfo(dbPath).absolutePath() + QStringLiteral("/models")) {
        store.open(dbPath);
        tern::app::WorkerOptions o;
        o.tokenDelayMsForTesting = tokenDelayMs;
        thread = std::make_unique<tern::app::WorkerThread>(o);
        tern::app::GenerationSettings g;
        g.temperature = 0;
        g.maxTokens = maxTokens;
        settings.setGeneration(g);
        models = std::make_unique<tern::app::ModelController>(thread->worker(), &settings, &library);
        chat = std::make_unique<tern::app::ChatController>(&store, thread->worker(), models.get(), &settings, &notices);
        exporter = std::make_unique<tern::app::ConversationExporter>(&store, &settings, &notices);
    }
    ~ChatRig() {
        exporter.reset();
        chat.reset();
        models.reset();
        thread.reset();
    }
    bool loadModel() {
        models->start({}, {}, tinyModelPath());
        return waitFor([&] { return models->loaded(); });
    }
    bool waitIdle(int ms = 20000) { return waitFor([&] { return !chat->generating(); }, ms); }

    tern::app::ConversationStore store;
    tern::app::AppSettings settings;
    tern::app::NoticeService notices;
    tern::modelstore::ModelLibrary library;
    std::unique_ptr<tern::app::WorkerThread> thread;
    std::unique_ptr<tern::app::ModelController> models;
    std::unique_ptr<tern::app::ChatController> chat;
    std::unique_ptr<tern::app::ConversationExporter> exporter;
};

}  // namespace tern_app_test

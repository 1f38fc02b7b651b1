#pragma once
// Owns the thread the InferenceWorker lives on. Destruction stops any generation, lets the
// worker free the model on its own thread, and joins it (only at quit: a generation ends within
// one token once stopped).
#include "app/inference_worker.h"

#include <QThread>

namespace tern::app {

class WorkerThread {
public:
    explicit WorkerThread(InferenceWorker::Options options = {});
    ~WorkerThread();
    InferenceWorker* worker() const { return worker_; }

private:
    QThread thread_;
    InferenceWorker* worker_;
};

}  // namespace tern::app

#include "app/worker_thread.h"

namespace tern::app {

WorkerThread::WorkerThread(InferenceWorker::Options options) : worker_(new InferenceWorker(options)) {
    thread_.setObjectName(QStringLiteral("inference"));
    worker_->moveToThread(&thread_);
    // deleteLater runs on the worker's thread, so the model is freed where it was used.
    QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
}

WorkerThread::~WorkerThread() {
    worker_->requestStop();
    thread_.quit();
    thread_.wait();
}

}  // namespace tern::app

// tern-cli: generate text, chat in the terminal, inspect and evaluate models.
#include "engine/chat/chat_engine.h"
#include "engine/model/default_model.h"
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/npy.h"
#include "engine/chat/perplexity.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tools/tool_args.h"

#include <fmt/core.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#ifdef _WIN32
#include <io.h>  // _isatty, _fileno: MSVC has no unistd.h
#define TERN_STDIN_IS_TTY() (_isatty(_fileno(stdin)) != 0)
#else
#include <unistd.h>
#define TERN_STDIN_IS_TTY() (isatty(STDIN_FILENO) != 0)
#endif

using namespace tern;

namespace {

const char* kUsage = R"(usage: tern-cli [-m MODEL] [options]

Generates text with a ternary (BitNet b1.58) or float GGUF model.

  -m MODEL            model file (default: the built-in model)
  -p TEXT             prompt (text completion; with --chat: the first message)
  -n N                tokens to generate (default 128; with --chat 512); 0 = no limit
                      (until the end of the text or a full context)
  -t THREADS          threads (default: all cores)
  -c CTX              context size in tokens (default: the model's, at most 4096)
  --temp T            temperature, 0 = greedy (default 0.8)
  --top-k K           keep the K most likely tokens, 0 = off (default 40)
  --top-p P           nucleus sampling, 1 = off (default 0.95)
  --min-p P           drop tokens below P x the best one's probability (default 0.05)
  --repeat-penalty R  penalise recently seen tokens, 1 = off (default 1.1)
  --frequency-penalty F  subtract F x a token's count among recently seen tokens from its
                      logit, -2 to 2, 0 = off (default 0; OpenAI's frequency_penalty)
  --presence-penalty P  subtract P from the logit of each recently seen token, -2 to 2,
                      0 = off (default 0; OpenAI's presence_penalty)
  --seed S            random seed, 0 = random (default 0)
  --chat              interactive chat using the model's chat template
  --system TEXT       system prompt for --chat
  --template NAME     chat template: bitnet, llama3, chatml, falcon3 (default: from the model)
  --info              print metadata and the tensor table
  --tokenize TEXT     print the token ids of TEXT (no BOS); works on vocabulary-only files
  --perplexity FILE   print mean NLL and perplexity of the model over a text file
  --dump-logits OUT   with -p: write the logits of every prompt position to OUT (.npy, float32)
  --kv TYPE           KV cache type: f32 (default, Tern's reference logits) or f16 (half the
                      memory and attention reads; keys and values rounded to half precision)
  --mmap              compute from the memory-mapped file instead of a copy in memory
  --output-q8         requantise the output matrix to 8 bits at load (faster, slightly less exact)
  --version, --help
)";

SamplerParams sampling_from(const tools::Args& a) {
    SamplerParams s;
    s.temperature = (float)a.get_float("--temp", s.temperature, 0, 100);
    s.top_k = (int)a.get_int("--top-k", s.top_k, 0, 1 << 30);
    s.top_p = (float)a.get_float("--top-p", s.top_p, 0, 1);
    s.min_p = (float)a.get_float("--min-p", s.min_p, 0, 1);
    s.repeat_penalty = (float)a.get_float("--repeat-penalty", s.repeat_penalty, 0.01, 100);
    s.frequency_penalty = (float)a.get_float("--frequency-penalty", s.frequency_penalty, -2, 2);
    s.presence_penalty = (float)a.get_float("--presence-penalty", s.presence_penalty, -2, 2);
    s.seed = (uint64_t)a.get_int("--seed", 0, 0, INT64_MAX);
    return s;
}

void print_stats(const ChatResult& r) {
    const ChatUsage& u = r.usage;
    fmt::print(stderr, "\n[prompt {} tokens ({} reused), {:.1f} tok/s; generated {} tokens, {:.1f} tok/s; stop: {}]\n",
               u.prompt_tokens, u.reused_tokens, u.prefill_tokens_per_second(), u.generated_tokens,
               u.decode_tokens_per_second(), stop_reason_name(r.stop));
}

void print_piece(std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
}

// Ctrl-C while a reply is being written stops the reply (the conversation goes on, as Esc does in
// the app); at the prompt it quits. The handler only touches lock-free atomics.
std::atomic<bool> g_replying{false};
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT handler needs a lock-free flag");

extern "C" void on_sigint(int) {
    if (!g_replying.load()) std::_Exit(130);
    g_interrupted.store(true);
    std::signal(SIGINT, on_sigint);  // Windows resets the handler after each signal
}

// Streams a reply to stdout; Ctrl-C cancels it.
ChatEvents interruptible_output(const CancelToken& cancel) {
    ChatEvents events;
    events.on_text = [cancel](std::string_view piece) {
        print_piece(piece);
        if (g_interrupted.load()) cancel.cancel();
    };
    return events;
}

const char* kChatHelp = R"(Commands:
  /reset   start a new conversation (keeps the system prompt)
  /help    this list
  /exit    quit (also /quit, Ctrl-D, or Ctrl-C at the prompt)
Ctrl-C while a reply is written stops the reply.
)";

int run_info(const std::string& path) {
    GgufFile f = GgufFile::open(path);
    fmt::print("file: {}\nGGUF version {}, alignment {}, {} bytes\n\n{} metadata keys:\n", path, f.version(),
               f.alignment(), f.file_size(), f.metadata().size());
    for (const auto& kv : f.metadata())
        fmt::print("  {:<48} {:<8} {}\n", kv.first, gguf_value_type_name(kv.second.type()), kv.second.to_display());
    fmt::print("\n{} tensors:\n", f.tensors().size());
    uint64_t total = 0;
    for (const GgufTensorInfo& t : f.tensors()) {
        std::string shape;
        for (size_t i = 0; i < t.ne.size(); ++i) shape += (i ? " x " : "") + std::to_string(t.ne[i]);
        fmt::print("  {:<36} {:<6} {:<20} {:>14}\n", t.name, ggml_type_name(t.type), shape, t.nbytes);
        total += t.nbytes;
    }
    fmt::print("\ntensor data: {} bytes ({:.1f} MiB)\n", total, total / 1048576.0);
    return 0;
}

int run_tokenize(const std::string& path, const std::string& text) {
    GgufFile f = GgufFile::open(path);
    std::unique_ptr<Tokenizer> tok = Tokenizer::from_gguf(f);
    std::vector<int32_t> ids = tok->encode(text, false, false);
    for (size_t i = 0; i < ids.size(); ++i) fmt::print("{}{}", i ? " " : "", ids[i]);
    fmt::print("\n");
    return 0;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run_perplexity(Session& session, const std::string& file) {
    const Tokenizer& tok = session.model().tokenizer();
    std::vector<int32_t> ids = tok.encode(read_text_file(file), tok.add_bos(), false);
    PerplexityResult r = compute_perplexity(session, ids, session.n_ctx(), [](int64_t done, int64_t total) {
        fmt::print(stderr, "\r[{}/{} tokens]", done, total);
    });
    fmt::print(stderr, "\n");
    fmt::print("tokens scored: {}\nmean NLL: {:.6f}\nperplexity: {:.4f}\n", r.n_scored, r.mean_nll, r.perplexity);
    return 0;
}

int run_dump_logits(Session& session, const std::string& prompt, const std::string& out) {
    const Tokenizer& tok = session.model().tokenizer();
    std::vector<int32_t> ids = tok.encode(prompt, tok.add_bos(), false);
    if (ids.empty()) throw Error("the prompt is empty");
    std::vector<float> logits = session.logits_all(ids);
    write_npy_f32(out, logits.data(), {ids.size(), (size_t)session.model().config().n_vocab});
    for (size_t i = 0; i < ids.size(); ++i) fmt::print("{}{}", i ? " " : "", ids[i]);
    fmt::print("\n");
    return 0;
}

int run_completion(ChatEngine& engine, const std::string& prompt, const ChatSettings& settings) {
    ChatEvents events;
    events.on_text = print_piece;
    const ChatResult r = engine.complete(prompt, settings, {}, events);
    std::printf("\n");
    print_stats(r);
    return 0;
}

int run_chat(ChatEngine& engine, const std::string& system, std::string first, const ChatSettings& settings) {
    std::vector<ChatMessage> messages;
    if (!system.empty()) messages.push_back({"system", system});
    const size_t first_droppable = messages.size();
    const bool tty = TERN_STDIN_IS_TTY();
    const Model& model = engine.model();
    fmt::print(stderr, "Chatting with {} ({} template). Type /help for commands, /exit or Ctrl-D to quit.\n",
               model.config().name.empty() ? model.path() : model.config().name,
               chat_format_name(engine.format(settings)));
    std::signal(SIGINT, on_sigint);
    for (;;) {
        std::string line;
        if (!first.empty()) {
            line.swap(first);
        } else {
            if (tty) fmt::print(stderr, "\n> ");
            if (!std::getline(std::cin, line)) break;
        }
        if (line == "/exit" || line == "/quit") break;
        if (line == "/help") {
            std::fputs(kChatHelp, stderr);
            continue;
        }
        if (line == "/reset") {
            messages.resize(first_droppable);
            fmt::print(stderr, "[new conversation]\n");
            continue;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        messages.push_back({"user", line});
        CancelToken cancel;
        g_interrupted.store(false);
        g_replying.store(true);
        ChatResult r;
        try {
            r = engine.chat(messages, settings, cancel, interruptible_output(cancel));
        } catch (...) {
            g_replying.store(false);
            throw;
        }
        g_replying.store(false);
        if (r.usage.dropped_messages > 0) {
            // The engine left the oldest exchanges out to fit the context: forget them here too.
            messages.erase(messages.begin() + (std::ptrdiff_t)first_droppable,
                           messages.begin() + (std::ptrdiff_t)(first_droppable + r.usage.dropped_messages));
            fmt::print(stderr, "[dropped the {} oldest messages to fit the context]\n", r.usage.dropped_messages);
        }
        std::printf("\n");
        if (r.stop == StopReason::Cancelled) fmt::print(stderr, "[stopped]\n");
        if (tty) print_stats(r);
        messages.push_back({"assistant", r.text});
    }
    return 0;
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv,
                  {"-m", "-p", "-n", "-t", "-c", "--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty",
                   "--frequency-penalty", "--presence-penalty", "--seed", "--system", "--template", "--tokenize", "--perplexity", "--dump-logits", "--kv"},
                  {"--chat", "--info", "--mmap", "--output-q8", "--help", "-h", "--version"});
    if (a.has("--help") || a.has("-h")) { std::fputs(kUsage, stdout); return 0; }
    if (a.has("--version")) { fmt::print("tern-cli {}\n", TERN_VERSION); return 0; }
    if (!a.positional().empty()) throw Error("unexpected argument '" + a.positional()[0] + "' (see --help)");

    std::string model_path = a.get_or("-m", "");
    if (model_path.empty()) model_path = default_model_path(argv[0]);
    if (model_path.empty()) throw Error("no model given and no built-in model installed; use -m MODEL.gguf");

    if (a.has("--info")) return run_info(model_path);
    if (auto text = a.get("--tokenize")) return run_tokenize(model_path, *text);

    LoadOptions lo;
    lo.n_threads = (int)a.get_int("-t", 0, 1, 1024);
    lo.use_mmap = a.has("--mmap");
    lo.output_q8 = a.has("--output-q8");
    std::unique_ptr<Model> model = Model::load(model_path, lo);
    fmt::print(stderr, "[loaded {} ({}, {} layers, {:.0f} MiB of weights) in {:.2f} s, {} threads]\n", model_path,
               model->config().arch, model->config().n_layer, model->weight_bytes_total() / 1048576.0,
               model->load_seconds(), model->n_threads());

    const int32_t n_ctx = (int32_t)a.get_int("-c", 0, 8, 1 << 20);
    const KvType kv_type = tools::kv_type_option(a);
    if (a.get("--perplexity") || a.get("--dump-logits")) {
        SessionOptions so;
        so.n_ctx = n_ctx;
        so.kv_type = kv_type;
        Session session(*model, so);
        if (auto file = a.get("--perplexity")) return run_perplexity(session, *file);
        if (!a.get("-p")) throw Error("--dump-logits needs a prompt (-p TEXT)");
        return run_dump_logits(session, *a.get("-p"), *a.get("--dump-logits"));
    }

    ChatSettings settings;
    settings.sampling = sampling_from(a);
    settings.max_tokens = (int)a.get_int("-n", a.has("--chat") ? 512 : 128, -1, 1 << 24);
    if (auto name = a.get("--template")) {
        settings.format = chat_format_from_name(*name);
        if (!settings.format) throw Error("unknown chat template '" + *name + "' (use bitnet, llama3, chatml or falcon3)");
    }
    ChatEngineOptions eo;
    eo.n_ctx = n_ctx;
    eo.kv_type = kv_type;
    ChatEngine engine(*model, eo);
    if (a.has("--chat")) return run_chat(engine, a.get_or("--system", ""), a.get_or("-p", ""), settings);
    return run_completion(engine, a.get_or("-p", ""), settings);
}

}  // namespace

int main(int argc, char** argv) { return tern::tools::run_tool("tern-cli", run, argc, argv); }

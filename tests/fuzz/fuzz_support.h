#pragma once
// What several fuzz targets share: a scratch file per process (the engine's readers take paths,
// not buffers) and the built-in model's tokenizer (a real trained BPE vocabulary that ships in
// the repository, so no target depends on ../shared/data).
#include "engine/tokenizer/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace tern_fuzz {

// "$TMPDIR/tern-fuzz-<pid>-<name>" (TMPDIR defaults to /tmp); removed when the process exits.
// One per name and process, so parallel fuzzing jobs (-jobs=N) never share a file.
const std::string& scratch_path(const std::string& name);

// Writes size bytes to path, replacing it; aborts if that fails (a fuzzer that silently tests
// a stale file would report nothing useful).
void write_file(const std::string& path, const uint8_t* data, size_t size);

// The tokenizer of resources/models/tern-default.gguf, loaded once.
const tern::Tokenizer& default_tokenizer();

}  // namespace tern_fuzz

#pragma once
// How much physical memory the computer can give us right now, so that a model or KV cache that
// cannot fit is refused with a clear message instead of being allocated (and, with Linux's
// overcommit, killed later when the pages are touched).
//
// The app has its own Qt-based reader of *total* memory (app/modelstore/system_memory.cpp) for
// its "fits / won't fit" hints; the engine does not depend on app/ (or Qt), hence this small
// duplicate of the platform calls.
#include <cstdint>
#include <optional>

namespace tern {

// Bytes of physical memory available for new allocations without swapping: MemAvailable on
// Linux (sysconf's total when /proc is unreadable), ullAvailPhys on Windows, free +
// inactive + purgeable pages on macOS. nullopt when the system does not say.
std::optional<uint64_t> available_physical_memory();

}  // namespace tern

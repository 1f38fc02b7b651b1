#include "engine/model/arch.h"

namespace tern {

// 1bitLLM bitnet_b1_58-large / -3B (llama.cpp's LLM_ARCH_BITNET): sub-norms, SiLU gate (unless
// the file says bitnet.hidden_activation = relu2), NEOX RoPE, optional per-weight ".scale"
// tensors, output tied to the embedding.
ArchSpec arch_bitnet() {
    ArchSpec a;
    a.name = "bitnet";
    a.rope = RopeStyle::Neox;
    a.activation = FfnActivation::Silu;
    a.sub_norms = true;
    a.optional_scales = true;
    a.may_have_output = false;
    return a;
}

}  // namespace tern

#include "engine/model/arch.h"

namespace tern {

// Plain LLaMA (float weights) and LLaMA-shaped ternary models such as Falcon3 1.58-bit: no
// sub-norms, SiLU gate, adjacent-pair RoPE (the converters permute q/k for it), and a separate
// output matrix unless the file ties it to the embedding.
ArchSpec arch_llama() {
    ArchSpec a;
    a.name = "llama";
    a.rope = RopeStyle::Adjacent;
    a.activation = FfnActivation::Silu;
    a.sub_norms = false;
    a.optional_scales = false;
    a.may_have_output = true;
    return a;
}

}  // namespace tern

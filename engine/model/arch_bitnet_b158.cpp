#include "engine/model/arch.h"

namespace tern {

// Microsoft BitNet b1.58 2B4T (bitnet.cpp's build_bitnet_158): LLaMA skeleton plus sub-norms,
// squared-ReLU gated FFN, NEOX RoPE, output tied to the embedding. "bitnet-25" is the name the
// first upload of the official GGUF used for the same layout.
ArchSpec arch_bitnet_b158() {
    ArchSpec a;
    a.name = "bitnet-b1.58";
    a.aliases = {"bitnet-25"};
    a.rope = RopeStyle::Neox;
    a.activation = FfnActivation::Relu2;
    a.sub_norms = true;
    a.optional_scales = false;
    a.may_have_output = false;
    return a;
}

}  // namespace tern

#include "engine/model/arch.h"

namespace tern {

static const std::vector<ArchSpec>& registry() {
    static const std::vector<ArchSpec> archs = {arch_bitnet_b158(), arch_bitnet(), arch_llama()};
    return archs;
}

const ArchSpec* find_arch(std::string_view name) {
    for (const ArchSpec& a : registry()) {
        if (a.name == name) return &a;
        for (const std::string& alias : a.aliases)
            if (alias == name) return &a;
    }
    return nullptr;
}

bool tensor_kind_is_matrix(TensorKind kind) {
    switch (kind) {
        case TensorKind::OutputNorm:
        case TensorKind::AttnNorm:
        case TensorKind::FfnNorm:
        case TensorKind::AttnSubNorm:
        case TensorKind::FfnSubNorm: return false;
        default: return true;
    }
}

std::vector<PlannedTensor> tensor_plan(const ArchSpec& spec, const ModelConfig& c) {
    std::vector<PlannedTensor> plan;
    auto add = [&](TensorKind kind, int layer, std::string name, std::vector<int64_t> shape) -> PlannedTensor& {
        PlannedTensor t;
        t.kind = kind;
        t.layer = layer;
        t.name = std::move(name);
        t.shape = std::move(shape);
        plan.push_back(std::move(t));
        return plan.back();
    };
    add(TensorKind::TokenEmbd, -1, "token_embd.weight", {c.n_embd, c.n_vocab});
    if (spec.may_have_output)
        add(TensorKind::Output, -1, "output.weight", {c.n_embd, c.n_vocab}).required = false;
    add(TensorKind::OutputNorm, -1, "output_norm.weight", {c.n_embd});

    for (int il = 0; il < c.n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        add(TensorKind::AttnNorm, il, b + "attn_norm.weight", {c.n_embd});
        add(TensorKind::FfnNorm, il, b + "ffn_norm.weight", {c.n_embd});
        if (spec.sub_norms) {
            add(TensorKind::AttnSubNorm, il, b + "attn_sub_norm.weight", {c.q_dim()});
            add(TensorKind::FfnSubNorm, il, b + "ffn_sub_norm.weight", {c.n_ff});
        }
        const struct { TensorKind kind; const char* name; int64_t in, out; } mats[] = {
            {TensorKind::AttnQ, "attn_q", c.n_embd, c.q_dim()},     {TensorKind::AttnK, "attn_k", c.n_embd, c.kv_dim()},
            {TensorKind::AttnV, "attn_v", c.n_embd, c.kv_dim()},    {TensorKind::AttnOutput, "attn_output", c.q_dim(), c.n_embd},
            {TensorKind::FfnGate, "ffn_gate", c.n_embd, c.n_ff},    {TensorKind::FfnUp, "ffn_up", c.n_embd, c.n_ff},
            {TensorKind::FfnDown, "ffn_down", c.n_ff, c.n_embd},
        };
        for (const auto& mat : mats) {
            PlannedTensor& t = add(mat.kind, il, b + mat.name + ".weight", {mat.in, mat.out});
            if (spec.optional_scales) t.scale_name = b + mat.name + ".scale";
        }
    }
    return plan;
}

std::string known_arch_names() {
    std::string out;
    for (const ArchSpec& a : registry()) {
        if (!out.empty()) out += ", ";
        out += a.name;
        for (const std::string& alias : a.aliases) out += ", " + alias;
    }
    return out;
}

}  // namespace tern

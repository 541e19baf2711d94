// Prints llama.cpp's last-position logits for a GGUF file and a list of token ids, as one JSON
// array on stdout: the peer that proves a GGUF file written by RadLM means to llama.cpp what it
// means to transformers. Built and run by tools/reference/rope_gguf_fixtures.py against the
// llama.cpp that benchmarks/build_llama_cpp.sh builds (static libraries, CPU only):
//
//   llama_cpp_logits MODEL.gguf 5,9,17,3
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "llama.h"

static void quiet(enum ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

int main(int argc, char ** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.gguf ID,ID,...\n", argv[0]);
        return 2;
    }
    std::vector<llama_token> ids;
    for (char * part = strtok(argv[2], ","); part; part = strtok(nullptr, ",")) ids.push_back((llama_token) atoi(part));
    if (ids.empty()) {
        fprintf(stderr, "no token ids\n");
        return 2;
    }
    llama_log_set(quiet, nullptr);
    llama_backend_init();
    llama_model_params model_params = llama_model_default_params();
    llama_model * model = llama_model_load_from_file(argv[1], model_params);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    llama_context_params context_params = llama_context_default_params();
    context_params.n_ctx = (uint32_t) ids.size() + 16;
    context_params.n_batch = (uint32_t) ids.size();
    context_params.n_ubatch = (uint32_t) ids.size();
    context_params.n_threads = 1;
    context_params.n_threads_batch = 1;
    // F32 keys and values and plain attention: the defaults (F16 cache, flash attention with F16
    // products) move these logits by ~1e-2.
    context_params.type_k = GGML_TYPE_F32;
    context_params.type_v = GGML_TYPE_F32;
    context_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    llama_context * context = llama_init_from_model(model, context_params);
    if (!context) {
        fprintf(stderr, "cannot create a context\n");
        return 1;
    }
    if (llama_decode(context, llama_batch_get_one(ids.data(), (int32_t) ids.size())) != 0) {
        fprintf(stderr, "llama_decode failed\n");
        return 1;
    }
    const float * logits = llama_get_logits_ith(context, -1);
    const int32_t vocabulary = llama_vocab_n_tokens(llama_model_get_vocab(model));
    printf("[");
    for (int32_t i = 0; i < vocabulary; i++) printf(i ? ",%.9g" : "%.9g", logits[i]);
    printf("]\n");
    llama_free(context);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}

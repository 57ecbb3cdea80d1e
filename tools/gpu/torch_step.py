#!/usr/bin/env python3
"""Plain PyTorch training steps of the pythia-1b shape, as the GPU check program times XRight's: the baseline.

GPTNeoXForCausalLM from transformers, built from a pythia-1b config with random weights, in bfloat16 (weights and
AdamW state), attention through scaled_dot_product_attention, no gradient checkpointing. Per step: forward, loss,
backward, torch.nn.utils.clip_grad_norm_(1.0), torch.optim.AdamW (lr 1e-5, betas (0.9, 0.95), eps 1e-8, no weight
decay), zero_grad, and one read of the loss to the host. SFT: token-mean cross-entropy of the response tokens (the
prompt, a quarter of each row, is masked), through the model's own labels path. DPO: chosen and rejected rows in one
batch, summed response log-probs in float32, −log σ(β·Δ) with β = 0.1 against reference log-probs computed once by
the initial model. Full fine-tuning and LoRA r = α = 32 on query_key_value (PEFT). Rows all have the given length.

Timing as XRight's: wall time per step with the device synchronised at its end, warm-up steps left out, median of
the rest. FLOPs by the same formulas: 6·N·tokens for full fine-tuning (N = parameters without the input
embedding), 4·N·tokens + 6·N_lora·tokens for LoRA. Writes one JSON file.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback

PYTHIA_1B = {
    "architectures": ["GPTNeoXForCausalLM"],
    "model_type": "gpt_neox",
    "vocab_size": 50304,
    "hidden_size": 2048,
    "num_hidden_layers": 16,
    "num_attention_heads": 8,
    "intermediate_size": 8192,
    "hidden_act": "gelu",
    "rotary_pct": 0.25,
    "rotary_emb_base": 10000,
    "max_position_embeddings": 2048,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-05,
    "use_parallel_residual": True,
    "tie_word_embeddings": False,
    "attention_dropout": 0.0,
    "hidden_dropout": 0.0,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "use_cache": False,
}

QUICK = dict(PYTHIA_1B, vocab_size=512, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256, max_position_embeddings=256)


def build_model(shape, lora, device):
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    config = GPTNeoXConfig.from_dict(shape)
    torch.manual_seed(1)
    with torch.device(device):
        model = GPTNeoXForCausalLM(config)
    model = model.to(torch.bfloat16)
    if lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=32, lora_alpha=32, lora_dropout=0.0, target_modules=["query_key_value"], task_type="CAUSAL_LM"))
    model.train()
    return model, config


def rows(count, length, vocab, seed, device):
    import torch

    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (count, length), generator=generator)
    ids[:, -1] = 2  # EOS ends each response, as in XRight's synthetic rows
    return ids.to(device)


def response_logps(model, ids, prompt):
    """Summed log-probs of the response tokens (positions prompt..T-1), float32, per row."""
    import torch.nn.functional as F

    logits = model(input_ids=ids).logits[:, prompt - 1:-1].float()
    targets = ids[:, prompt:]
    return -F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none").view(targets.shape).sum(-1)


def run_case(args, shape, objective, lora, device):
    import torch
    import torch.nn.functional as F

    torch.cuda.empty_cache()
    model, config = build_model(shape, lora, device)
    batch = args.dpo_batch if objective == "DPO" else args.sft_batch
    length = args.seq
    prompt = max(1, length // 4)
    vocab = config.vocab_size
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)

    # Two distinct batches, taken in turn, as XRight's loader goes round its rows.
    if objective == "SFT":
        batches = [rows(batch, length, vocab, seed, device) for seed in (7, 8)]
        labels = []
        for ids in batches:
            label = ids.clone()
            label[:, :prompt] = -100
            labels.append(label)
    else:
        batches = []
        for seed in (7, 8):
            chosen, rejected = rows(batch, length, vocab, seed, device), rows(batch, length, vocab, seed + 100, device)
            rejected[:, :prompt] = chosen[:, :prompt]  # one prompt, two responses
            batches.append(torch.cat([chosen, rejected]))
        references = []
        with torch.no_grad():
            for ids in batches:
                logps = response_logps(model, ids, prompt)
                references.append((logps[:batch].detach(), logps[batch:].detach()))

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    allocated_before = torch.cuda.memory_allocated()
    times, loss_value = [], float("nan")
    for step in range(args.warmup + args.steps):
        begin = time.perf_counter()
        k = step % 2
        if objective == "SFT":
            loss = model(input_ids=batches[k], labels=labels[k]).loss
        else:
            logps = response_logps(model, batches[k], prompt)
            ref_chosen, ref_rejected = references[k]
            margin = (logps[:batch] - ref_chosen) - (logps[batch:] - ref_rejected)
            loss = -F.logsigmoid(0.1 * margin).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = loss.item()  # the step's host read
        torch.cuda.synchronize()
        times.append(time.perf_counter() - begin)

    timed = times[args.warmup:]
    median = statistics.median(timed)
    sequences = 2 * batch if objective == "DPO" else batch
    tokens = sequences * length
    parameters = sum(p.numel() for p in model.parameters())
    trainable_count = sum(p.numel() for p in trainable)
    embedding = config.vocab_size * config.hidden_size
    if lora:
        flops = 4.0 * (parameters - trainable_count - embedding) * tokens + 6.0 * trainable_count * tokens
    else:
        flops = 6.0 * (parameters - embedding) * tokens
    attention = 6.0 * config.num_hidden_layers * config.hidden_size * length * length * sequences
    peak = args.peak_tflops * 1e12
    result = {
        "label": f"{objective} {'LoRA r=32 on query_key_value' if lora else 'full fine-tuning'}",
        "objective": objective,
        "variant": "lora" if lora else "full",
        "batch": batch,
        "batch_unit": "pairs (chosen and rejected: 2 sequences each)" if objective == "DPO" else "rows",
        "sequence_length": length,
        "tokens_per_step": tokens,
        "parameters": parameters,
        "trainable_parameters": trainable_count,
        "warmup_steps": args.warmup,
        "warmup_step_seconds": times[:args.warmup],
        "step_seconds": timed,
        "median_step_seconds": median,
        "tokens_per_second": tokens / median,
        "model_flops_per_step": flops,
        "attention_flops_per_step": attention,
        "achieved_tflops": flops / median / 1e12,
        "mfu": flops / median / peak,
        "mfu_with_attention": (flops + attention) / median / peak,
        "memory": {
            "peak_allocated_bytes": torch.cuda.max_memory_allocated(),
            "peak_reserved_bytes": torch.cuda.max_memory_reserved(),
            "allocated_before_steps_bytes": allocated_before,
        },
        "final_loss": loss_value,
        "optimizer_implementation": "torch.optim.AdamW defaults (foreach on CUDA)",
        "attn_implementation": getattr(model.config, "_attn_implementation", None),
    }
    del model, optimizer, trainable, batches
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--sft-batch", type=int, default=12)
    parser.add_argument("--dpo-batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=512)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--peak-tflops", type=float, default=790.0)
    parser.add_argument("--quick", action="store_true", help="a tiny shape (batch 2/1, 32 tokens, 1 + 3 steps)")
    args = parser.parse_args()
    if args.quick:
        args.sft_batch, args.dpo_batch, args.seq, args.warmup, args.steps = 2, 1, 32, 1, 3
    shape = QUICK if args.quick else PYTHIA_1B

    started = time.time()
    report = {
        "schema": "xright-torch-step/1",
        "settings": vars(args),
        "shape": shape,
        "gradient_checkpointing": "off (XRight has none)",
        "full_flops_formula": "6·N·tokens, N = all parameters except the input embedding, tokens = every token of the batch",
        "lora_flops_formula": "4·N·tokens + 6·N_lora·tokens",
        "attention_flops_formula": "6·layers·hidden·T² per sequence, added for mfu_with_attention",
        "cases": [],
        "errors": [],
    }

    def write():
        report["seconds"] = round(time.time() - started, 2)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=2)

    try:
        import torch
        import transformers

        report["versions"] = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__}
        try:
            import peft

            report["versions"]["peft"] = peft.__version__
        except Exception as error:
            report["versions"]["peft"] = f"not importable: {error}"
        report["device_name"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        write()
        for lora in (False, True):
            for objective in ("SFT", "DPO"):
                try:
                    case = run_case(args, shape, objective, lora, args.device)
                    report["cases"].append(case)
                    print(f"{case['label']}: {case['median_step_seconds']:.4f} s/step, {case['tokens_per_second']:.0f} tokens/s, MFU {case['mfu']:.1%}", flush=True)
                except Exception as error:  # record and go on with the next case
                    report["errors"].append({"case": f"{objective} {'lora' if lora else 'full'}", "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()})
                    print(f"{objective} {'lora' if lora else 'full'}: FAILED {error}", flush=True)
                write()
    except Exception as error:
        report["errors"].append({"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()})
    report["passed"] = not report["errors"] and len(report["cases"]) == 4
    write()
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())

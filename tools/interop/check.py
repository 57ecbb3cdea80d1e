#!/usr/bin/env python3
"""Interoperability of XRight with transformers and PEFT, both ways (targets transformers 5.x, peft, torch 2.11).

XRight -> Hugging Face: reads the suite that the GPU check program's `interop` section wrote (manifest.json; per
model fp32, bf16 and sharded folders, a PEFT LoRA adapter on the fp32 folder and the merged folder, each with
XRight's outputs in <folder>.outputs.json). Each model folder is loaded with AutoModelForCausalLM.from_pretrained
and its loading report (missing, unexpected and mismatched keys must all be empty); each adapter with
PeftModel.from_pretrained on its base, where every tensor of adapter_model.safetensors must arrive unchanged. The
logits for XRight's ids (no mask; a mask; a left-padded batch, with positions counted over real tokens as XRight
and generate do) are compared over the real positions: float32 within 1e-4, bfloat16 within 3e-2; greedy
`generate` of 20 tokens (no stop token) for XRight's two prompts must give XRight's tokens.

Hugging Face -> XRight: tiny random models of the same families are made from transformers' configuration
classes, saved with save_pretrained (safetensors; single file, bfloat16 and sharded), a PEFT LoRA adapter and its
merge; transformers' outputs for the same ids and prompts are written in XRight's layout, and everything is packed
into goldens.tar.gz, to be unpacked into tests/XRight.Core.Tests/Interop/goldens/transformers (the core tests
then compare XRight with them).

Writes <out>/interop.json (the summary) and <out>/goldens.tar.gz; exits 0 when every check passed, 1 otherwise.
"""
import argparse
import copy
import inspect
import json
import os
import platform
import sys
import tarfile
import time
import traceback

SCHEMA = "xright-interop/1"
FLOAT32_TOLERANCE = 1e-4
BFLOAT16_TOLERANCE = 3e-2
NEW_TOKENS = 20
SHARD_SIZE = "48KB"
LORA_B_STD = 0.1


def versions():
    found = {"python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "safetensors", "numpy"):
        try:
            found[name] = getattr(__import__(name), "__version__", "?")
        except Exception as error:  # reported, not fatal here
            found[name] = f"not importable: {error}"
    return found


def torch_dtype(name):
    import torch
    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[name]


# ---------------------------------------------------------------- outputs

def positions(mask):
    """Positions over real tokens only (as XRight, and as generate builds them): 0 for padding."""
    return (mask.cumsum(-1) - 1).clamp(min=0)


def compute_outputs(model, cases, prompts, device, dtype_name, producer):
    import torch
    from transformers import GenerationConfig

    out_cases = []
    with torch.no_grad():
        for case in cases:
            ids = torch.tensor(case["ids"], dtype=torch.long, device=device)
            kwargs = {}
            if case.get("mask") is not None:
                mask = torch.tensor(case["mask"], dtype=torch.long, device=device)
                kwargs = {"attention_mask": mask, "position_ids": positions(mask)}
            logits = model(input_ids=ids, **kwargs).logits.float().cpu()
            out_cases.append({"name": case["name"], "ids": case["ids"], "mask": case.get("mask"), "logits": logits.tolist()})
        generations = []
        # No stop token (XRight's side runs with none either): the model's own generation config is replaced, so
        # that generate cannot fill an eos_token_id back in from it.
        saved_config = model.generation_config
        model.generation_config = GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=NEW_TOKENS,
                                                   eos_token_id=None, pad_token_id=0)
        try:
            for prompt in prompts:
                ids = torch.tensor([prompt], dtype=torch.long, device=device)
                result = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=NEW_TOKENS, do_sample=False)
                # The same continuation by plain argmax over full forward passes (no cache), as a cross-check of generate.
                loop = ids
                for _ in range(NEW_TOKENS):
                    next_id = model(input_ids=loop).logits[:, -1].argmax(-1, keepdim=True)
                    loop = torch.cat([loop, next_id], dim=1)
                generations.append({"prompt": prompt, "tokens": result[0, len(prompt):].tolist(),
                                    "argmax_loop": loop[0, len(prompt):].tolist()})
        finally:
            model.generation_config = saved_config
    return {"schema": SCHEMA, "producer": producer, "dtype": dtype_name, "cases": out_cases, "generations": generations}


def compare(expected, actual, tolerance):
    max_abs, problems = 0.0, []
    import torch
    for e in expected["cases"]:
        a = next((c for c in actual["cases"] if c["name"] == e["name"]), None)
        if a is None:
            problems.append(f"case {e['name']} missing")
            continue
        el, al = torch.tensor(e["logits"]), torch.tensor(a["logits"])
        if el.shape != al.shape:
            problems.append(f"case {e['name']}: shape {tuple(el.shape)} vs {tuple(al.shape)}")
            continue
        diff = (el - al).abs()
        if e.get("mask") is not None:
            diff = diff * torch.tensor(e["mask"], dtype=diff.dtype)[..., None]
        max_abs = max(max_abs, float(diff.max()))
    for i, g in enumerate(expected["generations"]):
        got = actual["generations"][i]["tokens"] if i < len(actual["generations"]) else []
        if g["tokens"] != got:
            problems.append(f"greedy tokens of prompt {i}: XRight {g['tokens']}, transformers {got}")
        loop = actual["generations"][i].get("argmax_loop") if i < len(actual["generations"]) else None
        if loop is not None and loop != got:
            problems.append(f"prompt {i}: generate gave {got} but the argmax loop {loop} (a near tie, or generate stopped early)")
    if not max_abs <= tolerance:
        problems.append(f"logits differ by {max_abs:.3g} > {tolerance:.3g}")
    return {"max_abs": max_abs, "tolerance": tolerance, "problems": problems, "passed": not problems}


# ---------------------------------------------------------------- XRight -> Hugging Face

def load_model(folder, dtype_name, device):
    from transformers import AutoModelForCausalLM
    model, info = AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype(dtype_name), output_loading_info=True)
    report = {k: sorted(str(x) for x in (info.get(k) or [])) for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")}
    report["strict_ok"] = not any(report[k] for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"))
    report["class"] = type(model).__name__
    return model.to(device).eval(), report


def adapter_report(model, folder):
    import torch
    from safetensors.torch import load_file
    saved = load_file(os.path.join(folder, "adapter_model.safetensors"))
    state = model.state_dict()
    missing, different, matched = [], [], set()
    for key, tensor in saved.items():
        target = key.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight")
        if target not in state:
            missing.append(key)
        elif not torch.equal(state[target].detach().cpu().to(tensor.dtype), tensor):
            different.append(key)
        else:
            matched.add(target)
    lora = sorted(k for k in state if ".lora_A." in k or ".lora_B." in k)
    not_from_file = sorted(set(lora) - matched)
    return {"file_tensors": len(saved), "file_keys_not_in_model": missing, "file_keys_with_other_values": different,
            "model_lora_keys_not_in_file": not_from_file, "strict_ok": not missing and not different and not not_from_file}


def xright_to_hf(suite, device):
    from peft import PeftModel
    manifest = json.load(open(os.path.join(suite, "manifest.json")))
    results = []
    for entry in manifest["entries"]:
        start = time.time()
        result = {"folder": entry["folder"], "model": entry["model"], "variant": entry["variant"], "kind": entry["kind"], "dtype": entry["dtype"]}
        try:
            expected = json.load(open(os.path.join(suite, entry["outputs"])))
            if entry["kind"] == "adapter":
                model, result["base_loading"] = load_model(os.path.join(suite, entry["base"]), entry["dtype"], device)
                model = PeftModel.from_pretrained(model, os.path.join(suite, entry["folder"])).to(device).eval()
                result["adapter_loading"] = adapter_report(model, os.path.join(suite, entry["folder"]))
                strict = result["base_loading"]["strict_ok"] and result["adapter_loading"]["strict_ok"]
            else:
                model, result["loading"] = load_model(os.path.join(suite, entry["folder"]), entry["dtype"], device)
                strict = result["loading"]["strict_ok"]
            actual = compute_outputs(model, expected["cases"], [g["prompt"] for g in expected["generations"]], device, entry["dtype"], "transformers")
            tolerance = FLOAT32_TOLERANCE if entry["dtype"] == "float32" else BFLOAT16_TOLERANCE
            result["comparison"] = compare(expected, actual, tolerance)
            result["passed"] = strict and result["comparison"]["passed"]
        except Exception as error:
            result["error"] = f"{type(error).__name__}: {error}"
            result["traceback"] = traceback.format_exc()
            result["passed"] = False
        result["seconds"] = round(time.time() - start, 2)
        print(f"xright->hf {entry['folder']}: {'ok' if result['passed'] else 'FAILED'}"
              f" {result.get('comparison', {}).get('max_abs', '')} {result.get('error', '')}", flush=True)
        results.append(result)
    return results


# ---------------------------------------------------------------- Hugging Face -> XRight

LLAMA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LLAMA_COMMON = dict(vocab_size=128, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                    max_position_embeddings=64, rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2)
NEOX_COMMON = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                   max_position_embeddings=64, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
OPT_COMMON = dict(vocab_size=128, hidden_size=32, ffn_dim=64, num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=64,
                  dropout=0.0, bos_token_id=2, eos_token_id=2, pad_token_id=1)

# The families of the XRight suite (tests/XRight.GpuCheck/Interop/InteropSuite.cs), same names and shapes.
MODELS = [
    ("gpt_neox-parallel", "gpt_neox", dict(NEOX_COMMON, use_parallel_residual=True), {"partial_rotary_factor": 0.25, "rope_theta": 10000.0},
     ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"]),
    ("gpt_neox-sequential", "gpt_neox", dict(NEOX_COMMON, use_parallel_residual=False), {"partial_rotary_factor": 0.5, "rope_theta": 10000.0},
     ["query_key_value", "dense_h_to_4h"]),
    ("llama-gqa", "llama", dict(LLAMA_COMMON, num_key_value_heads=2, tie_word_embeddings=False), {"rope_theta": 10000.0}, LLAMA_TARGETS),
    ("llama-tied", "llama", dict(LLAMA_COMMON, num_key_value_heads=1, tie_word_embeddings=True), {"rope_theta": 10000.0}, ["q_proj", "v_proj"]),
    ("llama3-rope-head_dim", "llama", dict(LLAMA_COMMON, num_key_value_heads=2, head_dim=16, tie_word_embeddings=False),
     {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
      "original_max_position_embeddings": 16}, LLAMA_TARGETS),
    ("qwen2", "qwen2", dict(LLAMA_COMMON, num_key_value_heads=2, tie_word_embeddings=False, use_sliding_window=False), {"rope_theta": 10000.0}, LLAMA_TARGETS),
    ("mistral", "mistral", dict(LLAMA_COMMON, num_key_value_heads=2, tie_word_embeddings=False, sliding_window=4096), {"rope_theta": 10000.0}, LLAMA_TARGETS),
    ("opt-pre_ln", "opt", dict(OPT_COMMON, word_embed_proj_dim=32, do_layer_norm_before=True), None,
     ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"]),
    ("opt-post_ln-proj", "opt", dict(OPT_COMMON, word_embed_proj_dim=16, do_layer_norm_before=False), None, ["q_proj", "v_proj", "fc1"]),
]


def make_config(model_type, keys, rope):
    """The configuration through transformers' own class; rotary keys as rope_parameters (5.x) or the older keys."""
    from transformers import AutoConfig
    keys = dict(keys)
    if rope is not None:
        config_class = type(AutoConfig.for_model(model_type))
        if "rope_parameters" in inspect.signature(config_class.__init__).parameters:
            parameters = {"rope_type": "default"}
            parameters.update(rope)
            keys["rope_parameters"] = parameters
        else:  # transformers 4.x
            rope = dict(rope)
            keys["rope_theta"] = rope.pop("rope_theta")
            if model_type == "gpt_neox":
                keys["rotary_pct"] = rope.pop("partial_rotary_factor")
                keys["rotary_emb_base"] = keys.pop("rope_theta")
            if rope:
                keys["rope_scaling"] = rope
    return AutoConfig.for_model(model_type, **keys)


def perturb(model, seed):
    """Random weights everywhere, norms and biases included (from_config leaves them at 1 and 0)."""
    import torch
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(torch.randn(p.shape, generator=generator) * 0.02)


def hf_to_xright(suite, goldens, device):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    os.makedirs(goldens, exist_ok=True)
    entries, results = [], []
    for name, model_type, keys, rope, targets in MODELS:
        start = time.time()
        result = {"model": name}
        try:
            # XRight's ids and prompts for this family, so that both sides compute the same thing.
            reference = json.load(open(os.path.join(suite, name, "fp32.outputs.json")))
            cases, prompts = reference["cases"], [g["prompt"] for g in reference["generations"]]
            torch.manual_seed(7)
            config = make_config(model_type, keys, rope)
            model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
            perturb(model, seed=11)
            model.eval()
            base_dir = os.path.join(goldens, name)

            def emit(variant, m, dtype_name, kind="model", base=None):
                folder = f"{name}/{variant}"
                outputs = compute_outputs(m.to(device).eval(), cases, prompts, device, dtype_name, "transformers")
                outputs.update(model=name, variant=variant)
                path = folder + ".outputs.json"
                with open(os.path.join(goldens, path), "w") as f:
                    json.dump(outputs, f)
                entry = {"model": name, "variant": variant, "kind": kind, "folder": folder, "dtype": dtype_name,
                         "model_type": model_type, "outputs": path}
                if base:
                    entry["base"] = base
                entries.append(entry)
                m.cpu()

            model.save_pretrained(os.path.join(base_dir, "fp32"), safe_serialization=True)
            emit("fp32", model, "float32")
            model.save_pretrained(os.path.join(base_dir, "sharded"), safe_serialization=True, max_shard_size=SHARD_SIZE)
            emit("sharded", model, "float32")
            bf16 = copy.deepcopy(model).to(torch.bfloat16)
            bf16.save_pretrained(os.path.join(base_dir, "bf16"), safe_serialization=True)
            emit("bf16", bf16, "bfloat16")
            del bf16

            peft_model = get_peft_model(copy.deepcopy(model), LoraConfig(r=4, lora_alpha=8, target_modules=targets, lora_dropout=0.0))
            generator = torch.Generator().manual_seed(31)
            with torch.no_grad():
                for pname, p in peft_model.named_parameters():
                    if ".lora_B." in pname:
                        p.copy_(torch.randn(p.shape, generator=generator) * LORA_B_STD)
            peft_model.save_pretrained(os.path.join(base_dir, "lora"))
            emit("lora", peft_model, "float32", kind="adapter", base=f"{name}/fp32")
            merged = peft_model.merge_and_unload()
            merged.save_pretrained(os.path.join(base_dir, "merged"), safe_serialization=True)
            emit("merged", merged, "float32")
            result["passed"] = True
        except Exception as error:
            result.update(passed=False, error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
        result["seconds"] = round(time.time() - start, 2)
        print(f"hf->xright {name}: {'ok' if result['passed'] else 'FAILED ' + result.get('error', '')}", flush=True)
        results.append(result)
    with open(os.path.join(goldens, "manifest.json"), "w") as f:
        json.dump({"schema": SCHEMA, "producer": "transformers", "versions": versions(), "entries": entries}, f, indent=1)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", required=True, help="the folder the GPU check program's interop section wrote")
    parser.add_argument("--out", required=True, help="folder for interop.json and goldens.tar.gz")
    parser.add_argument("--work", default=None, help="scratch folder for the transformers-saved folders (default <out>/work)")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when available)")
    args = parser.parse_args()

    import torch
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 means float32 on both sides
    torch.backends.cudnn.allow_tf32 = False
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    os.makedirs(args.out, exist_ok=True)
    work = args.work or os.path.join(args.out, "work")
    goldens = os.path.join(work, "transformers")
    summary = {"schema": "xright-interop-check/1", "versions": versions(), "device": device,
               "tolerances": {"float32": FLOAT32_TOLERANCE, "bfloat16": BFLOAT16_TOLERANCE}, "new_tokens": NEW_TOKENS}
    start = time.time()
    summary["xright_to_hf"] = xright_to_hf(args.suite, device)
    summary["hf_to_xright"] = hf_to_xright(args.suite, goldens, device)
    tarball = os.path.join(args.out, "goldens.tar.gz")
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(goldens, arcname="transformers")
    summary["goldens"] = {"tarball": os.path.basename(tarball), "bytes": os.path.getsize(tarball),
                          "unpack": "tar xzf goldens.tar.gz -C tests/XRight.Core.Tests/Interop/goldens"}
    both = summary["xright_to_hf"] + summary["hf_to_xright"]
    summary["passed"] = bool(both) and all(r["passed"] for r in both)
    summary["failed"] = [r.get("folder", r.get("model")) for r in both if not r["passed"]]
    summary["seconds"] = round(time.time() - start, 1)
    with open(os.path.join(args.out, "interop.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"interop: {'all passed' if summary['passed'] else 'FAILED: ' + ', '.join(summary['failed'])}; {tarball} {summary['goldens']['bytes']} bytes")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())

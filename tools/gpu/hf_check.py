#!/usr/bin/env python3
"""Loads the Hugging Face folders and PEFT adapters that XRight saved (listed in the manifest the GPU check program
writes) with transformers and PEFT, and compares their logits with XRight's.

For a model folder: AutoModelForCausalLM.from_pretrained with the loading report (missing, unexpected and mismatched
keys, which must all be empty), float32, evaluation mode, logits for XRight's token ids. For an adapter: its base
folder the same way, then PeftModel.from_pretrained; every tensor of adapter_model.safetensors must arrive in the
model unchanged, and every LoRA parameter of the model must come from the file. For a re-saved checkpoint the
original folder is loaded too, and its logits compared with XRight's as well.

Writes one JSON file; exits 0 when every entry passed, 1 otherwise.
"""
import argparse
import json
import os
import platform
import sys
import time
import traceback


def versions():
    found = {"python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "safetensors", "numpy"):
        try:
            module = __import__(name)
            found[name] = getattr(module, "__version__", "?")
        except Exception as error:  # a missing package is reported, not fatal here
            found[name] = f"not importable: {error}"
    return found


def load_model(folder, device):
    import torch
    from transformers import AutoModelForCausalLM

    model, info = AutoModelForCausalLM.from_pretrained(folder, output_loading_info=True)
    model = model.to(device=device, dtype=torch.float32).eval()
    report = {key: sorted(str(k) for k in info.get(key, []) or []) for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")}
    report["strict_ok"] = not any(report[key] for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"))
    report["class"] = type(model).__name__
    report["attn_implementation"] = getattr(model.config, "_attn_implementation", None)
    return model, report


def adapter_report(model, folder):
    """Every tensor of the adapter file must be in the model with the same value, and every LoRA parameter must come from it."""
    import torch
    from safetensors.torch import load_file

    saved = load_file(os.path.join(folder, "adapter_model.safetensors"))
    state = model.state_dict()
    adapter = getattr(model, "active_adapter", "default")
    if isinstance(adapter, (list, tuple)):
        adapter = adapter[0]
    missing, different, matched = [], [], []
    for key, tensor in saved.items():
        # PEFT inserts the adapter's name: ...lora_A.weight -> ...lora_A.<name>.weight
        target = key.replace(".lora_A.weight", f".lora_A.{adapter}.weight").replace(".lora_B.weight", f".lora_B.{adapter}.weight")
        if target not in state:
            missing.append(key)
        elif not torch.equal(state[target].detach().cpu().to(tensor.dtype), tensor):
            different.append(key)
        else:
            matched.append(target)
    lora_in_model = sorted(k for k in state if ".lora_A." in k or ".lora_B." in k)
    not_from_file = sorted(set(lora_in_model) - set(matched))
    return {
        "file_tensors": len(saved),
        "model_lora_tensors": len(lora_in_model),
        "file_keys_not_in_model": missing,
        "file_keys_with_other_values": different,
        "model_lora_keys_not_in_file": not_from_file,
        "strict_ok": not missing and not different and not not_from_file,
    }


def logits_of(model, ids, device):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor(ids, dtype=torch.long, device=device)).logits.float().cpu()


def compare(actual, reference, tolerance):
    diff = (actual - reference).abs()
    return {
        "max_abs_diff": float(diff.max()),
        "mean_abs_diff": float(diff.mean()),
        "tolerance": tolerance,
        "passed": bool(diff.max() <= tolerance),
    }


def check_entry(entry, root, device, tolerance):
    import torch

    result = {"name": entry["name"], "kind": entry["kind"], "folder": entry["folder"]}
    with open(os.path.join(root, entry["logits"])) as handle:
        saved = json.load(handle)
    reference = torch.tensor(saved["logits"], dtype=torch.float32)
    ids = saved["ids"]
    result["shape"] = list(reference.shape)
    if entry["kind"] == "model":
        model, report = load_model(os.path.join(root, entry["folder"]), device)
        result["loading"] = report
    elif entry["kind"] == "adapter":
        from peft import PeftModel

        base, report = load_model(os.path.join(root, entry["base"]), device)
        result["base_loading"] = report
        model = PeftModel.from_pretrained(base, os.path.join(root, entry["folder"])).to(device).eval()
        result["adapter"] = adapter_report(model, os.path.join(root, entry["folder"]))
        result["loading"] = {"strict_ok": report["strict_ok"] and result["adapter"]["strict_ok"]}
    else:
        raise ValueError(f"unknown kind {entry['kind']!r}")
    actual = logits_of(model, ids, device)
    if list(actual.shape) != list(reference.shape):
        result["logits"] = {"passed": False, "error": f"shape {list(actual.shape)} differs from XRight's {list(reference.shape)}"}
    else:
        result["logits"] = compare(actual, reference, tolerance)
    passed = result["loading"]["strict_ok"] and result["logits"]["passed"]
    if entry.get("original"):
        original, report = load_model(entry["original"], device)
        result["original_loading"] = report
        result["original_logits"] = compare(logits_of(original, ids, device), reference, tolerance)
        passed = passed and result["original_logits"]["passed"]
    result["passed"] = passed
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True, help="manifest.json written by the GPU check program")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument("--device", default="cpu", help="where transformers runs (default cpu: float32 as XRight's logits)")
    parser.add_argument("--tolerance", type=float, default=None, help="max abs logit difference (default: the manifest's, 1e-4)")
    args = parser.parse_args()

    started = time.time()
    report = {"schema": "xright-hf-check/1", "manifest": os.path.abspath(args.manifest), "device": args.device, "versions": versions(), "entries": [], "errors": []}

    def write():
        report["seconds"] = round(time.time() - started, 2)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=2)

    try:
        with open(args.manifest) as handle:
            manifest = json.load(handle)
        import torch

        torch.manual_seed(0)
        tolerance = args.tolerance if args.tolerance is not None else float(manifest.get("tolerance", 1e-4))
        report["tolerance"] = tolerance
        root = os.path.dirname(os.path.abspath(args.manifest))
        for entry in manifest["entries"]:
            try:
                result = check_entry(entry, root, args.device, tolerance)
            except Exception as error:  # record and go on with the next entry
                result = {"name": entry.get("name"), "kind": entry.get("kind"), "passed": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
            report["entries"].append(result)
            print(f"{result['name']}: {'ok' if result['passed'] else 'FAILED'} {result.get('logits', result.get('error', ''))}", flush=True)
            write()
    except Exception as error:
        report["errors"].append({"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()})
    report["passed"] = bool(report["entries"]) and not report["errors"] and all(e["passed"] for e in report["entries"])
    write()
    print(f"hf_check: {'all passed' if report['passed'] else 'FAILED'}; {args.out}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Which parameters AdamW's weight decay applies to: Hugging Face Trainer's rule, computed by transformers itself.

HF ``Trainer.get_decay_parameter_names`` (and so TRL) puts biases and the weights of the layer types in
``transformers.pytorch_utils.ALL_LAYERNORM_LAYERS`` (``nn.LayerNorm``; ``LlamaRMSNorm`` once modeling_llama is
imported; not ``Qwen2RMSNorm`` in 4.46) into a group without decay. The rule is taken from transformers' own
function on the HF model built on the meta device (no weights are allocated), not re-implemented here.
"""

from pathlib import Path

import torch

from .errors import ExportError

RULES = ("hf", "all")


def decay_parameters(model_dir: Path, param_names: list, rule: str) -> list:
    """Names among ``param_names`` that weight decay applies to under ``rule`` ("hf" or "all"), in their order."""
    if rule not in RULES:
        raise ExportError(f"--decay-rule: expected one of {list(RULES)}, found {rule!r}")
    if rule == "all":
        return list(param_names)
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(str(model_dir))
    with torch.device("meta"):
        hf = AutoModelForCausalLM.from_config(config)
    hf_decay = set(transformers.Trainer.get_decay_parameter_names(None, hf))
    missing = [n for n in param_names if n not in dict(hf.named_parameters(remove_duplicate=False))]
    if missing:
        raise ExportError(f"{model_dir}: parameters {missing[:5]} are not parameters of the Hugging Face model, so "
                          f"HF's weight-decay rule cannot name their group (use --decay-rule all)")
    return [n for n in param_names if n in hf_decay]


def adapter_decay_parameters(adapter_names: list, rule: str) -> list:
    """The decayed LoRA adapters: all of them under both rules. HF Trainer builds its groups from the parameters that
    require gradients (the adapters; the frozen base is in no group), and every adapter is the ``weight`` of an
    ``nn.Linear`` (PEFT's ``lora_A`` / ``lora_B``, no bias), which ``get_decay_parameter_names`` decays
    (checked against transformers on a PEFT model by tools/tests/test_lora_export.py)."""
    if rule not in RULES:
        raise ExportError(f"--decay-rule: expected one of {list(RULES)}, found {rule!r}")
    return list(adapter_names)

"""LoRA (Hu et al. 2021) adapters on the exported model, laid out as PEFT's ``LoraModel`` lays them out.

Each target module (an ``nn.Linear`` or GPT-2's ``Conv1D``) keeps its frozen base weight under its Hugging Face name
and gains two trainable matrices, ``<module>.lora_A.weight`` (r, in) and ``<module>.lora_B.weight`` (out, r); its
output becomes ``base(x) + lora_B(lora_A(dropout(x))) * alpha / r``, PEFT's ``lora.Linear.forward``. GPT-2's
Conv1D stores its weight as (in, out), so merging folds ``(B @ A)^T`` into it (PEFT's ``fan_in_fan_out``); the
forward is the same either way. A is initialised like PEFT's default (``kaiming_uniform_(a=sqrt(5))``, from a seeded
generator) and B to zeros, so an untrained adapter leaves the base model's outputs unchanged.

The adapter parameter names are PEFT's saved keys without the ``base_model.model.`` prefix, e.g.
``transformer.h.0.attn.c_attn.lora_A.weight``.
"""

import math
from dataclasses import dataclass

import torch
from torch import nn

from .errors import ExportError

ALL_LINEAR = "all-linear"
# PEFT 0.13.2's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the supported model types (checked against
# PEFT itself by tools/tests/test_lora_export.py).
DEFAULT_TARGETS = {"gpt2": ("c_attn",), "llama": ("q_proj", "v_proj"), "qwen2": ("q_proj", "v_proj")}
# Leaf names of every linear layer below the LM head: what PEFT's ``all-linear`` resolves to (also checked there).
LINEAR_LAYERS = {"gpt2": ("c_attn", "c_proj", "c_fc"),
                 "llama": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")}


@dataclass(frozen=True)
class LoraSpec:
    """The exporter's LoRA options (``--lora-r``, ``--lora-alpha``, ``--lora-dropout``, ``--lora-targets``).

    ``targets`` holds the names as given (module leaf names, dotted suffixes, or ``all-linear``); empty means PEFT's
    default for the architecture. ``seed`` seeds the initialisation of the A matrices.
    """

    r: int
    alpha: float
    dropout: float = 0.0
    targets: tuple = ()
    seed: int = 0

    def __post_init__(self):
        if not isinstance(self.r, int) or self.r < 1:
            raise ExportError(f"--lora-r: expected an integer >= 1, found {self.r!r}")
        if not math.isfinite(self.alpha) or self.alpha <= 0:
            raise ExportError(f"--lora-alpha: expected a finite number > 0, found {self.alpha!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ExportError(f"--lora-dropout: expected a probability in [0, 1), found {self.dropout!r}")
        if ALL_LINEAR in self.targets and len(self.targets) > 1:
            raise ExportError(f"--lora-targets: expected '{ALL_LINEAR}' alone or module names, found {list(self.targets)}")

    @property
    def scaling(self) -> float:
        return self.alpha / self.r


def _linear_kind(module: nn.Module) -> str:
    """``linear`` for nn.Linear, ``conv1d`` for GPT-2's Conv1D (weight (in, out)), else ''."""
    if isinstance(module, nn.Linear):
        return "linear"
    if type(module).__name__ == "Conv1D" and hasattr(module, "weight") and module.weight.dim() == 2:
        return "conv1d"
    return ""


def resolve_targets(lm: nn.Module, model_type: str, targets: tuple) -> list:
    """The dotted names of the modules that get adapters, in model order, matched as PEFT matches ``target_modules``
    (a module matches a name when it equals it or ends with ``.`` + name). Fails naming the valid leaf names when a
    name matches nothing or a matched module is not a linear layer."""
    linear = [(n, m) for n, m in lm.named_modules() if _linear_kind(m)]
    leaves = sorted({n.rsplit(".", 1)[-1] for n, _ in linear})
    if targets == (ALL_LINEAR,):
        names = LINEAR_LAYERS["llama" if model_type == "qwen2" else model_type]
    else:
        names = tuple(targets) or DEFAULT_TARGETS[model_type]
    chosen = []
    for name in names:
        if not name or name.startswith(".") or name.endswith("."):
            raise ExportError(f"--lora-targets: expected module names, found {name!r}")
        hits = [n for n, m in lm.named_modules() if n == name or n.endswith("." + name)]
        if not hits:
            raise ExportError(f"--lora-targets: {name!r} matches no module of this {model_type} model; valid names: "
                              f"{leaves} or '{ALL_LINEAR}'")
        bad = [n for n in hits if not _linear_kind(lm.get_submodule(n))]
        if bad:
            raise ExportError(f"--lora-targets: {name!r} matches {bad[:3]}, which are not linear layers; valid names: "
                              f"{leaves} or '{ALL_LINEAR}'")
        head = [n for n in hits if n.rsplit(".", 1)[-1] == "lm_head"]
        if head:  # the graphs apply the head as a weight (tied or not), so a module hook there would never run
            raise ExportError(f"--lora-targets: {name!r} matches the LM head {head}, which dpo4j does not adapt "
                              f"(PEFT's all-linear leaves it out too); valid names: {[x for x in leaves if x != 'lm_head']} "
                              f"or '{ALL_LINEAR}'")
        chosen.extend(hits)
    order = [n for n, _ in linear]
    return sorted(set(chosen), key=order.index)


def target_module_names(modules: list) -> list:
    """PEFT's ``target_modules`` for adapter_config.json: the sorted leaf names of the adapted modules."""
    return sorted({m.rsplit(".", 1)[-1] for m in modules})


def _lora_forward_hook(module: nn.Module, args: tuple, out: torch.Tensor) -> torch.Tensor:
    x = args[0]  # (..., in)
    return out + module.lora_B(module.lora_A(module.lora_dropout(x))) * module.lora_scaling  # (..., out)


def apply(lm: nn.Module, model_type: str, spec: LoraSpec) -> list:
    """Adds adapters to the target modules of ``lm`` (in place) and returns one description per adapted module:
    ``module``, ``base`` (the frozen weight's name), ``lora_A`` / ``lora_B`` (parameter names), ``in_features``,
    ``out_features``, ``fan_in_fan_out``. Base parameters keep their names; only the adapters require gradients."""
    modules = resolve_targets(lm, model_type, spec.targets)
    gen = torch.Generator().manual_seed(spec.seed)
    adapters = []
    for p in lm.parameters():
        p.requires_grad_(False)
    for name in modules:
        m = lm.get_submodule(name)
        fan_in_fan_out = _linear_kind(m) == "conv1d"
        n_in, n_out = (m.weight.shape if fan_in_fan_out else m.weight.shape[::-1])
        m.lora_dropout = nn.Dropout(spec.dropout) if spec.dropout > 0 else nn.Identity()
        m.lora_A = nn.Linear(n_in, spec.r, bias=False, device="cpu")  # weight (r, in)
        m.lora_B = nn.Linear(spec.r, n_out, bias=False, device="cpu")  # weight (out, r)
        with torch.no_grad():
            a = torch.empty(spec.r, n_in)  # (r, in)
            nn.init.kaiming_uniform_(a, a=math.sqrt(5), generator=gen)
            m.lora_A.weight.copy_(a)
            m.lora_B.weight.zero_()
        m.lora_scaling = spec.scaling
        m.register_forward_hook(_lora_forward_hook)
        adapters.append({"module": name, "base": name + ".weight", "lora_A": name + ".lora_A.weight",
                         "lora_B": name + ".lora_B.weight", "in_features": int(n_in), "out_features": int(n_out),
                         "fan_in_fan_out": fan_in_fan_out})
    return adapters


def adapter_names(adapters: list) -> list:
    """The trainable tensors, in model order: every adapter's A then B."""
    return [n for a in adapters for n in (a["lora_A"], a["lora_B"])]

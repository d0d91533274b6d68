"""dpo4j exporter: clean PyTorch GPT-2 / Llama-family models, the DPO-family loss graph of
tools/CONTRACT.md, and the ONNX Runtime training artifacts built from them."""

from .errors import ExportError

__all__ = ["ExportError"]

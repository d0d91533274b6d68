"""Token-embedding lookup whose gradient is deterministic on ORT's CPU.

``nn.Embedding`` exports as ``Gather``; ORT's CPU ``GatherGrad`` adds gradient rows from several threads under one
mutex, in scheduling order, so two multi-threaded runs differ in the last bits of the embedding gradient. The same
lookup written as ``torch.gather`` along axis 0 exports as ``GatherElements``, whose CPU gradient
(``GatherElementsGrad``) accumulates in index order on one thread: bit-reproducible with any thread count.
"""

import torch


def lookup(weight: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Rows ``weight[ids]``: weight (V, C), ids (N, T) -> (N, T, C)."""
    c = weight.shape[1]
    idx = ids.reshape(-1, 1).expand(-1, c)  # (N*T, C)
    rows = torch.gather(weight, 0, idx)  # (N*T, C)
    return rows.reshape(ids.shape[0], ids.shape[1], c)  # (N, T, C)

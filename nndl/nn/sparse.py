"""``Embedding``: a lookup table of learned vectors, as ``torch.nn.Embedding``."""

from __future__ import annotations

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Module, Parameter, empty


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of ``embedding_dim`` numbers, indexed by
    integers, as ``torch.nn.Embedding``::

        y[..., :] = weight[x[...], :]

    The gradient of a row is the sum of the gradients of its uses (none for
    ``padding_idx``, whose row starts at 0).

    Args:
        num_embeddings (int): the size of the table (e.g. the vocabulary).
        embedding_dim (int): the length of each vector.
        padding_idx (int, optional): a row that stays 0 and gets no gradient. Default:
            ``None``
        _weight (Tensor, optional): the initial table. Default: ``None`` (N(0, 1) values)

        Not supported: ``max_norm``, ``scale_grad_by_freq`` and ``sparse``.

    Shape:
        - Input: (*), integer indices in [0, num_embeddings)
        - Output: (*, embedding_dim)
        - weight: (num_embeddings, embedding_dim)

    Examples::

        >>> emb = nn.Embedding(10, 3)
        >>> emb(nndl.tensor([[1, 2, 4], [4, 3, 9]])).shape
        (2, 3, 3)
        >>> nn.Embedding(5, 2, padding_idx=0)(nndl.tensor([0])).tolist()
        [[0.0, 0.0]]
    """

    summary_name = "Embedding"

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device: str | None = None, dtype=None):
        super().__init__()
        _explain.check_positive("Embedding", num_embeddings=num_embeddings,
                                embedding_dim=embedding_dim)
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise _explain.LayerShapeError("Embedding: max_norm, scale_grad_by_freq and sparse "
                                           "are not supported")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise _explain.LayerShapeError(
                    f"Embedding: padding_idx {padding_idx} is outside the table of "
                    f"{num_embeddings}", hint=f"use 0 <= padding_idx < {num_embeddings}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), dtype, device),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            w = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if w.shape != (num_embeddings, embedding_dim):
                raise _explain.LayerShapeError(
                    f"Embedding: _weight has shape {w.shape}, expected "
                    f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(np.array(w), requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """A table holding ``embeddings`` (a 2-D tensor), frozen unless ``freeze=False``."""
        w = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if w.ndim != 2:
            raise _explain.LayerShapeError("Embedding.from_pretrained expects a 2-D table, "
                                           f"got shape {w.shape}")
        return cls(w.shape[0], w.shape[1], padding_idx=padding_idx, _weight=w, _freeze=freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None and self.weight.data.flags.writeable:
            self.weight.data[self.padding_idx] = 0

    def forward(self, x) -> Tensor:
        return F.embedding(x, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        extra = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"

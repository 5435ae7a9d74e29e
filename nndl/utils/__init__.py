"""``nndl.utils``, as ``torch.utils``: ``data`` (Dataset, TensorDataset, DataLoader)."""

from nndl.utils import data

__all__ = ["data"]

"""Data sets and mini-batches, as ``torch.utils.data``: ``Dataset``, ``TensorDataset``,
``Subset``, ``ConcatDataset``, ``random_split``, the samplers and ``DataLoader`` (batching,
shuffling with nndl's generator, ``drop_last``, ``collate_fn``; no worker processes).

A ``DataLoader`` over a ``TensorDataset`` with the default collation takes each batch with
one fancy index per tensor instead of stacking samples one by one: the same batches,
without a Python loop over the samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from nndl.engine.random import default_rng
from nndl.engine.tensor import Tensor
from nndl.errors import DataError


class Dataset:
    """A map-style data set: ``len(ds)`` samples, ``ds[i]`` the i-th (subclass it)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A data set read as a stream (``__iter__``); DataLoader batches it in order."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")


class TensorDataset(Dataset):
    """Samples are the i-th rows of each tensor: ``ds[i] = (x[i], y[i], ...)``.

    Examples::

        >>> import nndl
        >>> ds = TensorDataset(nndl.arange(6.).reshape(3, 2), nndl.tensor([0, 1, 0]))
        >>> len(ds), ds[1]
        (3, (tensor([2., 3.]), tensor(1)))
    """

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise DataError("TensorDataset needs at least one tensor")
        n = tensors[0].shape[0] if tensors[0].ndim else None
        if any(t.ndim == 0 or t.shape[0] != n for t in tensors):
            raise DataError(f"TensorDataset: the tensors' first dims differ: "
                            f"{[t.shape for t in tensors]}",
                            hint="every tensor needs one row per sample")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Data sets one after the other."""

    def __init__(self, datasets: Sequence[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise DataError("ConcatDataset needs at least one data set")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index: int):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} is out of range for {len(self)} samples")
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = 0 if k == 0 else int(self.cumulative_sizes[k - 1])
        return self.datasets[k][index - start]


def _rng(generator) -> np.random.Generator:
    """The generator given, else nndl's (the one nndl.manual_seed seeds)."""
    if isinstance(generator, np.random.Generator):
        return generator
    return default_rng()


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator=None) -> list[Subset]:
    """Random disjoint subsets of the given lengths (or fractions that add up to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0) and (
            sum(lengths) <= 1):
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(x) for x in lengths]
    if sum(sizes) != n:
        raise DataError(f"random_split: lengths {list(lengths)} add up to {sum(sizes)}, the "
                        f"data set has {n} samples")
    perm = _rng(generator).permutation(n).tolist()
    out, start = [], 0
    for s in sizes:
        out.append(Subset(dataset, perm[start:start + s]))
        start += s
    return out


class Sampler:
    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source: Sequence[Any] | Dataset):
        self.n = len(data_source)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


class RandomSampler(Sampler):
    """A new random order at each pass (from nndl's generator, see nndl.manual_seed)."""

    def __init__(self, data_source: Sequence[Any] | Dataset, replacement: bool = False,
                 num_samples: int | None = None, generator=None):
        self.n = len(data_source)  # type: ignore[arg-type]
        self.replacement, self.generator = replacement, generator
        self.num_samples = self.n if num_samples is None else num_samples

    def __iter__(self) -> Iterator[int]:
        rng = _rng(self.generator)
        if self.replacement:
            return iter(rng.integers(0, self.n, self.num_samples).tolist())
        return iter(rng.permutation(self.n).tolist()[:self.num_samples])

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    def __init__(self, indices: Sequence[int], generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self) -> Iterator[int]:
        return iter([self.indices[i] for i in _rng(self.generator).permutation(len(self.indices))])

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups a sampler's indices into lists of ``batch_size`` (the last one shorter, or
    dropped with ``drop_last``)."""

    def __init__(self, sampler: Sampler | Sequence[int], batch_size: int, drop_last: bool):
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise DataError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list[int]]:  # type: ignore[override]
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def default_collate(batch: list[Any]) -> Any:
    """Samples → a batch, as PyTorch: tensors and arrays stacked along a new first dim,
    Python floats → float64, ints → int64, tuples/lists/dicts collated field by field."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor._wrap(np.stack([t._arr for t in batch]))
    if isinstance(elem, np.ndarray | np.generic):
        return Tensor._wrap(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return Tensor._wrap(np.asarray(batch, dtype=bool))
    if isinstance(elem, int):
        return Tensor._wrap(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, dict):
        return {k: default_collate([d[k] for d in batch]) for k in elem}
    if isinstance(elem, tuple | list):
        if any(len(b) != len(elem) for b in batch):
            raise DataError("default_collate: the samples of a batch have different lengths")
        fields = [default_collate(list(f)) for f in zip(*batch, strict=True)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise DataError(f"default_collate cannot batch samples of type {type(elem).__name__}",
                    hint="give DataLoader a collate_fn")


class DataLoader:
    """Mini-batches of a data set, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a Dataset (or anything with ``__len__`` and ``__getitem__``).
        batch_size (int, optional): samples per batch; ``None`` yields single samples.
            Default: 1
        shuffle (bool, optional): a new random order at every pass (nndl's generator).
            Default: ``False``
        sampler, batch_sampler: the order, as in PyTorch (exclusive with shuffle).
        collate_fn (callable, optional): a list of samples → a batch. Default:
            :func:`default_collate`
        drop_last (bool, optional): drop a last, incomplete batch. Default: ``False``
        num_workers, pin_memory, ...: accepted for PyTorch compatibility; nndl loads in
            the calling thread.

    Examples::

        >>> import nndl
        >>> ds = TensorDataset(nndl.arange(10.).reshape(5, 2), nndl.arange(5))
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=2)]
        [[0, 1], [2, 3], [4]]
        >>> len(DataLoader(ds, batch_size=2, drop_last=True))
        2
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 generator=None, *, prefetch_factor=None, persistent_workers: bool = False,
                 pin_memory_device: str = ""):
        self.dataset = dataset
        self.batch_size, self.drop_last = batch_size, drop_last
        self.num_workers = num_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise DataError("batch_sampler is exclusive with batch_size, shuffle, sampler and "
                            "drop_last")
        if sampler is not None and shuffle:
            raise DataError("sampler is exclusive with shuffle")
        if self._iterable and (shuffle or sampler is not None):
            raise DataError("an IterableDataset cannot be shuffled or sampled by the loader")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else (
                SequentialSampler(dataset))
        self.sampler = sampler
        if batch_sampler is None and batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_sampler = batch_sampler
        self._default_collate = collate_fn is None
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._iter_stream()
            return
        if self.batch_sampler is None:  # batch_size=None: one sample at a time
            for i in self.sampler:
                yield self.dataset[i]
            return
        fast = self._default_collate and type(self.dataset) is TensorDataset
        for indices in self.batch_sampler:
            if fast:  # one fancy index per tensor (the same batch default_collate builds)
                idx = np.asarray(indices, dtype=np.intp)
                yield tuple(Tensor._wrap(t._arr[idx]) for t in self.dataset.tensors)
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            yield from self.dataset
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            raise DataError("the length of a loader over an IterableDataset is not known")
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)

"""Samplers whose indices carry the seed of their sample's augmentation.

A training run that is killed and resumed must draw the same random crops, flips and scales as
one that was not. Saving random states cannot do that: data loader workers die with the run and
their states are never in a checkpoint. Instead each index a sampler yields carries a seed that
is a pure function of (run seed, rank, epoch, position in the epoch) — or of the number of
indices drawn so far for infinite samplers — and the dataset's fetch seeds ``random``,
``numpy`` and ``torch`` with it before the sample's pipeline runs. A sample's augmentation
then depends neither on the worker that loads it nor on the number of workers, and a resumed
run (whose loop skips the batches it has trained) draws what the uninterrupted one drew.
"""
from typing import Any, Iterator, List, Sequence

from mmengine.dataset import DefaultSampler, InfiniteSampler

from mmhybrid.registry import DATA_SAMPLERS
from mmhybrid.utils.randomness import DATA_STREAM, derive_seed, seeded_randomness


class SampleLoadError(RuntimeError):
    """A training sample whose files could not be read; the message names the file."""


class SeededIndex(int):
    """A dataset index with the seed of its sample's augmentation (``seed``)."""

    def __new__(cls, index: int, seed: int) -> 'SeededIndex':
        obj = super().__new__(cls, index)
        obj.seed = seed
        return obj

    def __reduce__(self) -> tuple:  # travels to data loader workers with its seed
        return SeededIndex, (int(self), self.seed)


class SeededFetch:
    """A dataset's batched fetch (torch's ``__getitems__`` protocol) that loads each
    :class:`SeededIndex` under its seed; plain indices load as before. A sample that fails to
    load is a :class:`SampleLoadError` that names its file and says what to do."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def _load(self, index: int) -> Any:
        try:
            return self.dataset[index]
        except Exception as e:
            try:
                info = self.dataset.get_data_info(index)
                where = info.get('img_path') or info.get('img') or info
            except Exception:
                where = 'its files'
            raise SampleLoadError(
                f'{type(self.dataset).__name__} sample {index} ({where}) could not be loaded '
                f'({type(e).__name__}: {e}). If the file is truncated or damaged, replace it '
                '(or re-download the dataset) or remove it from the annotations.') from e

    def __call__(self, indices: Sequence[int]) -> List[Any]:
        samples = []
        for index in indices:
            seed = getattr(index, 'seed', None)
            if seed is None:
                samples.append(self._load(index))
                continue
            with seeded_randomness(seed):
                samples.append(self._load(int(index)))
        return samples


def install_seeded_fetch(dataset: Any) -> None:
    """Make the data loader fetch ``dataset``'s samples through :class:`SeededFetch`.

    torch's fetcher calls ``dataset.__getitems__(batch)`` when the dataset has it; it is set on
    this instance only, so the dataset's class and its other uses are unchanged.
    """
    if not isinstance(vars(dataset).get('__getitems__'), SeededFetch):
        dataset.__getitems__ = SeededFetch(dataset)


@DATA_SAMPLERS.register_module()
class SeededDefaultSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` (epoch-based loops) whose indices carry the seed of their
    sample's augmentation, derived from (seed, rank, epoch, position in the epoch).

    Args: as ``mmengine.dataset.DefaultSampler``.
    """

    def __init__(self, dataset: Any, *args, **kwargs) -> None:
        super().__init__(dataset, *args, **kwargs)
        install_seeded_fetch(dataset)

    def __iter__(self) -> Iterator[SeededIndex]:
        for position, index in enumerate(super().__iter__()):
            yield SeededIndex(
                index, derive_seed(self.seed, DATA_STREAM, self.rank, self.epoch, position))


@DATA_SAMPLERS.register_module()
class SeededInfiniteSampler(InfiniteSampler):
    """mmengine's ``InfiniteSampler`` (iteration-based loops) whose indices carry the seed of
    their sample's augmentation, derived from (seed, rank, number of indices drawn before).

    Args: as ``mmengine.dataset.InfiniteSampler``.
    """

    def __init__(self, dataset: Any, *args, **kwargs) -> None:
        super().__init__(dataset, *args, **kwargs)
        self._drawn = 0
        install_seeded_fetch(dataset)

    def __iter__(self) -> Iterator[SeededIndex]:
        for index in super().__iter__():
            seed = derive_seed(self.seed, DATA_STREAM, self.rank, self._drawn)
            self._drawn += 1
            yield SeededIndex(index, seed)

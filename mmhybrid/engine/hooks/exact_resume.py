"""Make a resumed training run bit-identical to an uninterrupted one."""
from typing import Optional

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmhybrid.registry import HOOKS
from mmhybrid.utils.randomness import MODEL_STREAM, derive_seed, seed_everything


@HOOKS.register_module()
class ExactResumeHook(Hook):
    """Seed ``random``, ``numpy`` and ``torch`` before every training iteration from
    (run seed, rank, iteration), so the model's randomness (drop path, dropout, RoI sampling,
    batch augmentations) does not depend on what ran before: weight init, validation, data
    loader start-up, or a crash and ``--resume``.

    The data side is done by ``mmhybrid.SeededDefaultSampler`` / ``SeededInfiniteSampler``,
    which seed each sample's augmentation; with both, a run resumed from a checkpoint reaches
    bit-identical weights, optimizer state and losses (README, "Reliability").
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loader = runner.train_loop.dataloader
        sampler = getattr(loader.batch_sampler, 'sampler', loader.sampler)
        if not type(sampler).__name__.startswith('Seeded'):
            print_log(
                f'ExactResumeHook: the train sampler is {type(sampler).__name__}; with '
                'mmhybrid.SeededDefaultSampler or mmhybrid.SeededInfiniteSampler data '
                'augmentation is also restored exactly on resume', logger='current', level=30)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        seed_everything(derive_seed(runner.seed, MODEL_STREAM, get_rank(), runner.iter))

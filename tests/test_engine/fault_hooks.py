"""Hooks that SIGKILL a training run at a chosen point (imported by test configs through
``custom_imports``), and one that writes each rank's weights at the end."""
import os
import os.path as osp
import signal

import torch
from mmengine.fileio import LocalBackend
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class KillAfterIterHook(Hook):
    """Kill the run once training iteration ``iteration`` (1-based) is done."""

    priority = 'LOWEST'

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 == self.iteration:
            _kill()


@HOOKS.register_module()
class KillDuringSaveHook(Hook):
    """Kill the run while it writes the checkpoint of ``iteration``: half of the file's bytes
    are on disk (every local checkpoint write goes through ``LocalBackend.put``)."""

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if checkpoint['meta']['iter'] != self.iteration:
            return

        def put_half(backend, obj: bytes, filepath) -> None:
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
                f.flush()
            _kill()

        LocalBackend.put = put_half


@HOOKS.register_module()
class SaveRankWeightsHook(Hook):
    """Write every rank's model weights to ``work_dir/weights_rank{rank}.pth`` at the end."""

    def after_run(self, runner) -> None:
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        rank = int(os.environ.get('RANK', 0))
        torch.save(model.state_dict(), osp.join(runner.work_dir, f'weights_rank{rank}.pth'))

"""Checkpoints that a crash cannot leave half-written, and loaded checkpoints that must fit."""
import os
import os.path as osp
from typing import List, Union

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.runner import find_latest_checkpoint

from mmhybrid.registry import HOOKS
from mmhybrid.utils.checkpoint import check_state_dict_fits


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend whose writes are atomic: each file is written to a hidden
    temporary name beside its target, flushed to disk and renamed into place, so a reader (or
    ``--resume`` after a kill) sees the old file or the new one, never a part."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        filepath = os.fspath(filepath)
        partial = osp.join(osp.dirname(filepath), f'.{osp.basename(filepath)}.partial')
        super().put(obj, partial)
        with open(partial, 'rb') as f:
            os.fsync(f.fileno())
        os.replace(partial, filepath)

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend('mmhybrid_atomic_local', AtomicLocalBackend)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` that survives being killed at any moment.

    - Each checkpoint is written atomically (:class:`AtomicLocalBackend`) where the output
      folder is local.
    - ``last_checkpoint`` moves to a new checkpoint only once that is complete, and is itself
      replaced atomically; checkpoints beyond ``max_keep_ckpts`` are deleted only after that
      (mmengine deletes them before saving, so a kill during the save could leave none).
    - A checkpoint loaded with ``load_from`` or ``--resume`` must fit the model: one that
      matches under half of the model's tensors (another family or arch) is an error that
      names the file; tensors of another shape (e.g. a head for another class count) are
      skipped with mmengine's warning, as fine-tuning needs.

    Args: as ``mmengine.hooks.CheckpointHook``.
    """

    def __init__(self, *args, out_dir=None, backend_args=None, **kwargs) -> None:
        if backend_args is None and (out_dir is None or '://' not in str(out_dir)):
            backend_args = dict(backend='mmhybrid_atomic_local')
        super().__init__(*args, out_dir=out_dir, backend_args=backend_args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step: int, meta: dict) -> None:
        outdated: List[int] = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                            and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir, filename, self.file_client_args, save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta, by_epoch=self.by_epoch,
            backend_args=self.backend_args, **self.args)
        if not is_main_process():
            return
        AtomicLocalBackend().put_text(self.last_ckpt, osp.join(runner.work_dir, 'last_checkpoint'))
        for old in outdated:
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):  # deepspeed writes folders
                self.file_backend.rmtree(path)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        path = runner.cfg.get('load_from') or find_latest_checkpoint(runner.work_dir)
        check_state_dict_fits(checkpoint.get('state_dict', checkpoint), model.state_dict(),
                              f'{path} (load_from / --resume)', type(model).__name__)

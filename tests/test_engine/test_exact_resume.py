"""Training killed with SIGKILL (during a checkpoint save, or between checkpoints) and resumed
with --resume ends bit-identical to an uninterrupted run: weights, optimizer state and logged
losses; the uninterrupted run loads data in the main process, the killed and resumed ones
in two workers. Also: the resumed run keeps torch's weights_only loading, a truncated
checkpoint is one clear error, and two-process CPU training (tools/dist_train.sh, gloo) ends
with the same weights on both ranks and resumes exactly too."""
import glob
import os
import os.path as osp
import pickle
import shutil
import sys

import pytest
import torch
from mmengine.config import Config

from mmhybrid.analysis.logs import load_scalars, series
from mmhybrid.utils import trusted_checkpoint_loading
from tests.conftest import REPO, run_python, write_toy_config

TRAIN = osp.join(REPO, 'tools', 'train.py')
# Checkpoints every 2 iterations (or every epoch), only the newest kept: mmengine's own hook
# deletes the previous one before writing the next, so a kill during that write (here: of the
# last checkpoint, iter_4) left nothing to resume from.
COMMON = dict(randomness=dict(seed=0, deterministic=True), val_cfg=None, val_dataloader=None,
              val_evaluator=None, default_hooks=dict(checkpoint=dict(max_keep_ckpts=1,
                                                                     save_best=None)))
CASES = {
    'iteration-based': dict(
        leaf='semfpn_transxnet_t_ade20k_80k.py', dataset='ade20k', final='iter_4.pth',
        options=dict(train_cfg=dict(max_iters=4, val_interval=100),
                     default_hooks=dict(checkpoint=dict(interval=2))),
        kill=dict(type='KillDuringSaveHook', iteration=4), resumed='resumed epoch: 0, iter: 2'),
    'epoch-based': dict(
        leaf='cls_fcaformer_l0_in1k.py', dataset='imagenet', final='epoch_3.pth',
        options=dict(train_cfg=dict(max_epochs=3, val_interval=100)),
        kill=dict(type='KillAfterIterHook', iteration=5), resumed='resumed epoch: 2, iter: 4'),
}


def _config(tmp_path, case: dict, name: str, workers: int, hook: dict = None) -> str:
    cfg = Config.fromfile(write_toy_config(str(tmp_path), case['leaf'], case['dataset']))
    cfg.merge_from_dict(COMMON)
    cfg.merge_from_dict(case['options'])
    if case['dataset'] == 'ade20k':  # a quarter of the toy crop: the point is the randomness
        cfg.model.data_preprocessor.size = (64, 64)
        for step in cfg.train_dataloader.dataset.pipeline:
            if step.type == 'RandomCrop':
                step.crop_size = (64, 64)
    cfg.train_dataloader.num_workers = workers
    cfg.train_dataloader.persistent_workers = workers > 0
    if hook:  # a hook of tests/test_engine/fault_hooks.py
        cfg.custom_imports = dict(imports=['mmhybrid', 'tests.test_engine.fault_hooks'],
                                  allow_failed_imports=False)
        cfg.custom_hooks = [*cfg.get('custom_hooks', []), hook]
    path = str(tmp_path / f'{name}.py')
    cfg.dump(path)
    return path


def _losses(work_dir: str) -> dict:
    losses = {}
    for log in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        train, _ = load_scalars(log)
        losses.update(zip(*series(train, 'loss')))
    return losses


def _tensors(node, prefix=''):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _tensors(value, f'{prefix}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _tensors(value, f'{prefix}.{i}')
    elif isinstance(node, torch.Tensor):
        yield prefix, node


def _differing(a: str, b: str) -> list:
    with trusted_checkpoint_loading():
        ca, cb = (torch.load(p, map_location='cpu', weights_only=True) for p in (a, b))
    ta = dict(_tensors({k: ca[k] for k in ('state_dict', 'optimizer', 'ema_state_dict')
                        if k in ca}))
    tb = dict(_tensors({k: cb[k] for k in ('state_dict', 'optimizer', 'ema_state_dict')
                        if k in cb}))
    assert ta.keys() == tb.keys() and len(ta) > 100
    return [k for k in ta if not torch.equal(ta[k], tb[k])]


@pytest.mark.parametrize('name', sorted(CASES))
def test_killed_and_resumed_run_equals_uninterrupted_run(toy_workspace, tmp_path, name):
    case = CASES[name]
    ref_dir, run_dir = str(tmp_path / 'uninterrupted'), str(tmp_path / 'killed')
    run_python([TRAIN, _config(tmp_path, case, 'plain', 0), '--work-dir', ref_dir],
               cwd=toy_workspace)
    killed = run_python([TRAIN, _config(tmp_path, case, 'kill', 2, case['kill']),
                         '--work-dir', run_dir], cwd=toy_workspace, check=False)
    assert killed.returncode == -9, killed.stdout[-3000:]
    assert not osp.exists(osp.join(run_dir, case['final']))
    out = run_python([TRAIN, _config(tmp_path, case, 'resume', 2), '--work-dir', run_dir,
                      '--resume'], cwd=toy_workspace,
                     env={'TORCH_FORCE_WEIGHTS_ONLY_LOAD': '1'}).stdout
    assert case['resumed'] in out
    assert _differing(osp.join(ref_dir, case['final']), osp.join(run_dir, case['final'])) == []
    ref, resumed = _losses(ref_dir), _losses(run_dir)
    assert ref and all(resumed[step] == loss for step, loss in ref.items()), (ref, resumed)
    if name == 'iteration-based':
        # mmengine's checkpoints need trusted globals under weights_only loading ...
        with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer|Unsupported global'):
            torch.load(osp.join(ref_dir, case['final']), weights_only=True)
        # ... and a truncated one is one clear error that names it.
        broken = str(tmp_path / 'broken.pth')
        with open(osp.join(ref_dir, case['final']), 'rb') as src, open(broken, 'wb') as dst:
            dst.write(src.read(4096))
        proc = run_python([TRAIN, _config(tmp_path, case, 'resume', 0), '--work-dir',
                           str(tmp_path / 'broken'), '--resume', broken], cwd=toy_workspace,
                          check=False)
        assert proc.returncode == 1
        assert f'error: {broken} is not a readable checkpoint' in proc.stdout
        assert 'Traceback' not in proc.stdout
    shutil.rmtree(tmp_path)


def test_two_process_cpu_run_is_in_sync_and_resumes_exactly(toy_workspace, tmp_path):
    case = dict(CASES['iteration-based'], options=dict(
        train_cfg=dict(max_iters=4, val_interval=100),
        default_hooks=dict(checkpoint=dict(interval=2, max_keep_ckpts=-1))))
    config = _config(tmp_path, case, 'ddp', 0, dict(type='SaveRankWeightsHook'))
    env = {'PATH': osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
           'PORT': '29517', 'OMP_NUM_THREADS': '1'}

    def dist_train(work_dir: str, *args: str) -> str:
        return run_python(['-c', 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))',
                           'bash', osp.join(REPO, 'tools', 'dist_train.sh'), config, '2',
                           '--work-dir', work_dir, *args], cwd=toy_workspace, env=env).stdout

    first, second = str(tmp_path / 'first'), str(tmp_path / 'resumed')
    out = dist_train(first)
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out, 'mmengine reports the world size as GPU number'
    assert "dist_cfg: {'backend': 'gloo'}" in out
    with trusted_checkpoint_loading():
        ranks = [torch.load(osp.join(first, f'weights_rank{r}.pth'), weights_only=True)
                 for r in (0, 1)]
    assert all(torch.equal(v, ranks[1][k]) for k, v in ranks[0].items())
    os.makedirs(second)
    shutil.copy(osp.join(first, 'iter_2.pth'), second)
    out = dist_train(second, '--resume', osp.join(second, 'iter_2.pth'))
    assert 'resumed epoch: 0, iter: 2' in out
    assert _differing(osp.join(first, 'iter_4.pth'), osp.join(second, 'iter_4.pth')) == []
    first_losses, resumed = _losses(first), _losses(second)
    assert all(resumed[step] == first_losses[step] for step in (3, 4))

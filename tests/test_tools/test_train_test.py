"""tools/train.py and tools/test.py on the toy datasets, as subprocesses, as a user runs them."""
import glob
import json
import math
import os
import os.path as osp
import pickle
import re
import sys

import pytest
import torch

from mmhybrid.utils import trusted_checkpoint_loading

from tests.conftest import REPO, run_python, write_toy_config

TRAIN = osp.join(REPO, 'tools', 'train.py')
TEST = osp.join(REPO, 'tools', 'test.py')


def _train_losses(work_dir: str):
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    assert logs, f'no training log in {work_dir}'
    with open(logs[-1]) as f:
        records = [json.loads(line) for line in f]
    return [r['loss'] for r in records if 'loss' in r]


def _metric(output: str, name: str) -> float:
    match = re.findall(rf'{re.escape(name)}: (-?[\d.]+)', output)
    assert match, f'{name} not in the output:\n{output[-3000:]}'
    return float(match[-1])


# After 2 iterations RetinaNet's scores sit at its 0.01 prior, under the 0.05 test threshold.
@pytest.mark.parametrize('leaf,dataset,ckpt,metrics,options', [
    ('maskrcnn_transxnet_t_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP', 'coco/segm_mAP'], []),
    ('retinanet_transxnet_t_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP'],
     ['--cfg-options', 'model.test_cfg.score_thr=0.0']),
    ('semfpn_transxnet_t_ade20k_80k.py', 'ade20k', 'iter_2.pth', ['mIoU'], []),
])
def test_train_then_test(toy_workspace, tmp_path, leaf, dataset, ckpt, metrics, options):
    config = write_toy_config(str(tmp_path), leaf, dataset)
    work_dir = str(tmp_path / 'work')
    run_python([TRAIN, config, '--work-dir', work_dir], cwd=toy_workspace)
    losses = _train_losses(work_dir)
    assert len(losses) == 2 and all(math.isfinite(v) and v > 0 for v in losses)
    out = run_python([TEST, config, osp.join(work_dir, ckpt), '--work-dir', work_dir, *options],
                     cwd=toy_workspace).stdout
    for name in metrics:
        assert 0.0 <= _metric(out, name) <= 100.0


def test_resume_keeps_weights_only_loading(toy_workspace, tmp_path):
    """--resume restores a checkpoint mmengine wrote (HistoryBuffer, numpy meta) while
    torch.load keeps weights_only=True."""
    config = write_toy_config(str(tmp_path), 'semfpn_transxnet_t_ade20k_80k.py', 'ade20k')
    work_dir = str(tmp_path / 'work')
    run_python([TRAIN, config, '--work-dir', work_dir], cwd=toy_workspace)
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer|Unsupported global'):
        torch.load(osp.join(work_dir, 'iter_2.pth'), weights_only=True)
    with trusted_checkpoint_loading():
        assert torch.load(osp.join(work_dir, 'iter_2.pth'), weights_only=True)['meta']
    out = run_python([TRAIN, config, '--work-dir', work_dir, '--resume',
                      '--cfg-options', 'train_cfg.max_iters=4', 'train_cfg.val_interval=4'],
                     cwd=toy_workspace,
                     env={'TORCH_FORCE_WEIGHTS_ONLY_LOAD': '1'}).stdout
    assert 'resumed epoch: 0, iter: 2' in out
    assert osp.exists(osp.join(work_dir, 'iter_4.pth'))
    assert len(_train_losses(work_dir)) == 2, 'the resumed run trained iterations 3 and 4'


def test_two_process_cpu_run(toy_workspace, tmp_path):
    config = write_toy_config(str(tmp_path), 'semfpn_transxnet_t_ade20k_80k.py', 'ade20k')
    work_dir = str(tmp_path / 'work')
    env = {'PATH': osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
           'PORT': '29517', 'OMP_NUM_THREADS': '1'}
    proc = run_python(['-c', 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))',
                       'bash', osp.join(REPO, 'tools', 'dist_train.sh'), config, '2',
                       '--work-dir', work_dir], cwd=toy_workspace, env=env)
    assert 'Distributed training: True' in proc.stdout
    assert 'GPU number: 2' in proc.stdout, 'mmengine reports the world size as GPU number'
    assert "dist_cfg: {'backend': 'gloo'}" in proc.stdout
    assert osp.exists(osp.join(work_dir, 'iter_2.pth'))
    assert len(_train_losses(work_dir)) == 2


def test_missing_data_root_fails_clearly(tmp_path):
    proc = run_python([TRAIN, osp.join(REPO, 'configs', 'maskrcnn_transxnet_t_1x.py')],
                      cwd=str(tmp_path), check=False)
    assert proc.returncode != 0
    assert "train data not found: CocoDataset expects 'data/coco/'" in proc.stdout
    assert 'make_toy_data.py' in proc.stdout

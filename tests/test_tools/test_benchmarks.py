"""The comparison benchmarks' machinery (their numbers are not asserted: no speed in tests)."""
import os.path as osp
import sys

import pytest
import torch

from tests.conftest import REPO, STAGED, run_python

sys.path.insert(0, osp.join(REPO, 'benchmarks'))
import vs_official  # noqa: E402

# An "official" file as the real ones are written: timm, einops, mmcv 1.x, a relative builder.
OFFICIAL = '''\
import torch.nn as nn
from einops import rearrange
from mmcv.runner import load_checkpoint
from timm.models.layers import DropPath, to_2tuple, trunc_normal_
from timm.models.registry import register_model
from ..builder import BACKBONES


@BACKBONES.register_module()
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return rearrange(self.conv(x), 'b c h w -> b (h w) c')


@register_model
def net(pretrained=False):
    return Net()
'''


def test_official_file_loads_unchanged_with_shims(tmp_path):
    path = tmp_path / 'official.py'
    path.write_text(OFFICIAL)
    module = vs_official.load_official(str(path), 'toy')
    model = module.net()
    x = torch.randn(2, 3, 5, 6)
    expected = model.conv(x).flatten(2).transpose(1, 2)
    torch.testing.assert_close(model(x), expected)
    # The shims are gone afterwards (mmcv 2 has no mmcv.runner).
    assert 'mmcv.runner' not in sys.modules


def test_equal_outputs_are_checked_and_rounds_interleaved():
    torch.manual_seed(0)
    theirs = vs_official.randomise(STAGED['MixFormer']())
    ours = STAGED['MixFormer']()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 3, 64, 64)
    assert vs_official.check_equal(theirs, ours, tuple, x, 1e-4) < 1e-6
    results = vs_official.compare(theirs, ours, x, ['infer', 'train'], rounds=2, warmup=0,
                                  amp=False)
    assert all(len(r[side]) == 2 for r in results.values() for side in ('official', 'ours'))
    first = vs_official.first_inference(theirs, ours, x, amp=False)
    assert set(first) == {'official', 'ours'} and not ours.training and min(first.values()) > 0
    with pytest.raises(SystemExit, match='not the same model'):
        vs_official.check_equal(vs_official.randomise(STAGED['MixFormer'](), seed=1), ours,
                                tuple, x, 1e-4)


def test_vs_peers_prints_the_per_gflop_table():
    out = run_python([osp.join(REPO, 'benchmarks', 'vs_peers.py'), '--configs',
                      'configs/cls_mixformer_b0_in1k.py', '--peers',
                      'mmpretrain::convnext/convnext-tiny_32xb128_in1k.py', '--rounds', '1',
                      '--warmup', '0', '--mode', 'infer', '--batch-size', '1'],
                     cwd=REPO).stdout
    assert 'img/s/GFLOP' in out
    assert out.count('cls_mixformer_b0_in1k') == 1, out  # one row in the one (infer) table
    assert 'convnext-tiny_32xb128_in1k' in out and 'below the best peer per GFLOP' in out

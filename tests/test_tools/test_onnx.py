"""tools/deployment/pytorch2onnx.py: one variant of every family exports to ONNX and
onnxruntime reproduces PyTorch within 1e-4, at 224 and at an odd dense size (97x131);
dynamic batch and size where the family allows it (checked at a second batch and size)."""
import os.path as osp
import re

import pytest

from tests.conftest import REPO, run_python

pytest.importorskip('onnxruntime')
TOOL = osp.join(REPO, 'tools', 'deployment', 'pytorch2onnx.py')


@pytest.mark.parametrize('config,shape,dynamic', [
    ('cls_transxnet_t_in1k.py', (224, 224), False),
    ('maskrcnn_transxnet_t_1x.py', (97, 131), False),
    ('maskrcnn_fcaformer_l1_3x.py', (97, 131), True),
    ('cls_fcaformer_l0_in1k.py', (224, 224), False),
    ('maskrcnn_mixformer_b1_3x.py', (97, 131), True),
    ('maskrcnn_hybridformer_s_1x.py', (97, 131), True),
    ('maskrcnn_hlg_t_1x.py', (224, 224), False),
    ('maskrcnn_hlg_t_1x.py', (97, 131), False),
])
def test_export_matches_onnxruntime(tmp_path, config, shape, dynamic):
    out = str(tmp_path / 'model.onnx')
    stdout = run_python([TOOL, osp.join(REPO, 'configs', config), '--shape', *map(str, shape),
                         '--out', out, *(['--dynamic'] if dynamic else [])],
                        cwd=str(tmp_path)).stdout
    assert osp.getsize(out) > 1e6
    sizes = re.search(r'onnxruntime vs PyTorch at (.*): max abs difference ([\d.e+-]+)', stdout)
    assert sizes, stdout
    assert float(sizes.group(2)) <= 1e-4
    assert f'(1, 3, {shape[0]}, {shape[1]})' in sizes.group(1)
    if dynamic:
        assert '(2, 3, 224, 224)' in sizes.group(1)


def test_static_only_families_say_so(tmp_path):
    proc = run_python([TOOL, osp.join(REPO, 'configs', 'maskrcnn_transxnet_t_1x.py'), '--shape',
                       '64', '64', '--dynamic', '--out', str(tmp_path / 'x.onnx')],
                      cwd=str(tmp_path), check=False)
    assert proc.returncode == 1
    assert 'does not export with dynamic shapes' in proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize('hw', [(4, 5), (13, 29), (97, 131)])
def test_exportable_adaptive_pooling_has_torchs_bins(hw):
    import torch
    import torch.nn.functional as F

    from mmhybrid.models.layers.pool import _bins
    x = torch.rand(2, 3, *hw)
    pooled = _bins(hw[0], 7, x) @ x @ _bins(hw[1], 7, x).t()
    torch.testing.assert_close(pooled, F.adaptive_avg_pool2d(x, 7), rtol=0, atol=1e-6)

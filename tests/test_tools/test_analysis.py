"""The analysis tools: FLOP conventions against hand counts, and each tool run once."""
import glob
import json
import os.path as osp
import re

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from mmhybrid.analysis import count_flops, count_flops_module_hooks
from mmhybrid.analysis.visualize import effective_receptive_field, grad_cam
from tests.conftest import REPO, run_python

TOOLS = osp.join(REPO, 'tools')


class _Known(nn.Module):
    """A conv, a linear and one attention call with hand-countable multiply-adds."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        y = self.conv(x)  # 16*16 positions * 8 out * 3 in * 9 = 55,296 (+ 2,048 bias adds)
        t = self.fc(y.flatten(2).transpose(1, 2))  # 256 tokens * 8 * 4 = 8,192
        q = t.view(1, 256, 2, 2).transpose(1, 2)  # 2 heads, head dim 2
        # 2 heads * 256 * 256 * (2 + 2) = 524,288
        return F.scaled_dot_product_attention(q, q, q)


def test_flops_of_a_known_module_equal_the_hand_count():
    model, x = _Known().eval(), (torch.rand(1, 3, 16, 16), )
    assert count_flops(model, x) == 55_296 + 8_192 + 524_288
    assert count_flops(model, x, with_attention=False) == 55_296 + 8_192
    # mmcv 1.x hooks: modules only, conv bias adds counted, the attention not.
    assert count_flops_module_hooks(model, x) == 55_296 + 2_048 + 8_192


def test_transxnet_readme_convention():
    """TransXNet's README FLOPs are mmcv 1.x's hook counts: T 1.762 G (spec section 7)."""
    from mmengine.config import Config

    from mmhybrid.analysis.model_info import complexity
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cls_transxnet_t_in1k.py'))
    result = complexity(cfg, conventions=('paper', ))
    assert result['paper_convention'] == 'mmcv-hooks'
    assert round(result['paper'] / 1e9, 3) == 1.762
    assert result['params'] == 12_834_808


def test_get_flops_prints_every_convention(tmp_path):
    out = run_python([osp.join(TOOLS, 'analysis', 'get_flops.py'),
                      osp.join(REPO, 'configs', 'cls_mixformer_b0_in1k.py')],
                     cwd=str(tmp_path)).stdout
    values = dict(re.findall(r'FLOPs (\S+(?: \(\S+\))?)\s*: ([\d.]+) G', out))
    assert values == {'mmengine': '0.395', 'fvcore': '0.411', 'mmcv-hooks': '0.392',
                      'paper (mixformer-readme)': '0.438'}
    assert 'paper reports (params / FLOPs): 5M / 0.4G' in out


def test_benchmark_infer_and_train_with_compare(tmp_path):
    out_file = str(tmp_path / 'bench.json')
    out = run_python([osp.join(REPO, 'benchmarks', 'benchmark.py'),
                      osp.join(REPO, 'configs', 'cls_mixformer_b0_in1k.py'), '--compare',
                      osp.join(REPO, 'configs', 'retinanet_transxnet_t_1x.py'),
                      '--batch-size', '2', '--shape', '64', '64', '--warmup', '1',
                      '--repeats', '2', '--out', out_file], cwd=str(tmp_path)).stdout
    with open(out_file) as f:
        results = json.load(f)
    assert [r['task'] for r in results] == ['cls', 'det']
    for result in results:
        for mode in ('infer', 'train'):
            r = result[mode]
            assert 0 < r['min_s'] <= r['median_s'] <= r['max_s']
            assert r['images_per_s'] == pytest.approx(2 / r['median_s'])
            assert r['peak_mem_mb'] > 0
    assert re.search(r'train: cls_mixformer_b0_in1k.py runs at [\d.]+x the throughput', out)


@pytest.mark.parametrize('depth,side', [(1, 3), (2, 5)])
def test_erf_of_a_conv_stack_is_its_kernel_footprint(depth, side):
    torch.manual_seed(0)
    convs = nn.Sequential(*[nn.Conv2d(3, 3, 3, padding=1) for _ in range(depth)])

    class Backbone(nn.Module):

        def forward(self, x):
            return (convs(x), )

    erf = effective_receptive_field(Backbone(), [torch.randn(1, 3, 15, 15) for _ in range(2)])
    rows, cols = np.nonzero(erf > 1e-12)
    half = side // 2
    assert (rows.min(), rows.max()) == (7 - half, 7 + half)
    assert (cols.min(), cols.max()) == (7 - half, 7 + half)


def test_grad_cam_finds_the_class_evidence():
    """A 'classifier' whose class-1 logit is the activation at one corner: the CAM peaks
    there."""
    image = torch.zeros(1, 3, 32, 32)

    def forward(x):
        activations = (x.mean(1, keepdim=True) + 1).repeat(1, 2, 1, 1)[:, :, ::4, ::4]
        mask = torch.zeros(1, 2, 8, 8)
        mask[0, 1, :2, :2] = 1
        logits = torch.stack([activations[0, 0].mean(), (activations * mask).sum()])[None]
        return activations, logits

    cam, target = grad_cam(forward, image)
    assert target == 1 and cam.shape == (32, 32)
    assert np.unravel_index(cam.argmax(), cam.shape)[0] < 16


def test_erf_and_grad_cam_tools(tmp_path):
    image = str(tmp_path / 'image.png')
    Image.fromarray((np.random.RandomState(0).rand(40, 48, 3) * 255).astype(np.uint8)).save(image)
    out = run_python([osp.join(TOOLS, 'analysis', 'erf.py'),
                      osp.join(REPO, 'configs', 'maskrcnn_hybridformer_s_1x.py'), '--images',
                      str(tmp_path), '--shape', '64', '64', '--out', 'erf.png'],
                     cwd=str(tmp_path)).stdout
    assert 'contribution within the central 50% square' in out
    assert Image.open(tmp_path / 'erf.png').size[0] > 100
    assert np.load(tmp_path / 'erf.npy').shape == (64, 64)
    run_python([osp.join(TOOLS, 'analysis', 'grad_cam.py'),
                osp.join(REPO, 'configs', 'cls_hybridformer_s_in1k.py'), image, '--shape', '64',
                '64', '--target-class', '3', '--out', 'cam.png'], cwd=str(tmp_path))
    assert Image.open(tmp_path / 'cam.png').size == (128, 64)


@pytest.mark.parametrize('config,num', [('configs/demo/maskrcnn_transxnet_t_toy-coco.py', 2),
                                        ('configs/demo/semfpn_transxnet_t_toy-ade20k.py', 2)])
def test_browse_dataset(toy_workspace, tmp_path, config, num):
    out_dir = str(tmp_path / 'browse')
    run_python([osp.join(TOOLS, 'misc', 'browse_dataset.py'), osp.join(REPO, config), '--num',
                str(num), '--output-dir', out_dir], cwd=toy_workspace)
    files = sorted(glob.glob(osp.join(out_dir, '*.png')))
    assert len(files) == num
    drawn = np.asarray(Image.open(files[0]).convert('RGB')).astype(int)
    assert drawn.std() > 0


def test_cascade_mask_heads_are_counted_on_100_proposals():
    """As mmdet's published FLOPs (and the papers') count them: every box stage on all the
    RPN proposals, the mask heads on the first 100."""
    from mmengine.config import Config

    from mmhybrid.analysis.model_info import TensorForward, build_model
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cascade-maskrcnn_transxnet_t_1x.py'))
    cfg.model.backbone.init_cfg = None
    cfg.model.test_cfg.rpn.update(nms_pre=300, max_per_img=200)  # over 100 still, CPU-sized
    model = build_model(cfg)
    seen = {'bbox': [], 'mask': []}
    for kind in seen:
        for head in getattr(model.roi_head, f'{kind}_head'):
            head.register_forward_hook(lambda m, i, o, kind=kind: seen[kind].append(len(i[0])))
    with torch.no_grad():
        TensorForward(model, 'det', (128, 128)).eval()(torch.rand(1, 3, 128, 128))
    assert len(seen['bbox']) == len(seen['mask']) == 3
    assert min(seen['bbox']) > 100 and seen['mask'] == [100] * 3

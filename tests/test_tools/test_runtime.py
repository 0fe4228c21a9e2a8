"""What tools/train.py does before building anything: mixed precision (the recipes' GPU
fallback, --amp in bfloat16 on a CPU), pretrained checkpoint checks."""
import argparse
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmhybrid.utils import apply_common_args, check_pretrained
from tests.conftest import REPO


def _args(**kw):
    return argparse.Namespace(launcher='none', cfg_options=None, work_dir='w', config='c.py',
                              **kw)


@pytest.mark.skipif(torch.cuda.is_available(), reason='the fallback is for machines without GPU')
def test_mixed_precision_recipes_fall_back_to_fp32_without_a_gpu():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'upernet_fcaformer_l2_ade20k_160k.py'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    apply_common_args(cfg, _args())
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert cfg.optim_wrapper.constructor == 'mmhybrid.LayerDecayOptimWrapperConstructor'


def test_missing_pretrained_checkpoint_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'setr-hlg_hlg_s_ade20k_160k.py'))
    with pytest.raises(FileNotFoundError, match=r"HLG: the pretrained checkpoint "
                       r"'checkpoints/hlg_s_in1k.pth' does not exist.*Download the official "
                       r"HLG-Small ImageNet checkpoint.*model.backbone.init_cfg=None"):
        check_pretrained(cfg.model)
    (tmp_path / 'checkpoints').mkdir()
    (tmp_path / 'checkpoints' / 'hlg_s_in1k.pth').write_bytes(b'')
    check_pretrained(cfg.model)
    cfg.model.backbone.init_cfg = None
    check_pretrained(cfg.model)
    ours = Config.fromfile(osp.join(REPO, 'configs', 'maskrcnn_mixformer_b2_1x.py'))
    with pytest.raises(FileNotFoundError, match=r"No such weights were released: it is the "
                       r"ImageNet checkpoint of configs/cls_mixformer_b2_in1k.py \(python "
                       r"tools/train.py configs/cls_mixformer_b2_in1k.py"):
        check_pretrained(ours.model)


def test_other_modules_pretrained_paths_are_checked_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'setr-naive_vit-l_ade20k_160k.py'))
    with pytest.raises(FileNotFoundError, match="VisionTransformer: the pretrained checkpoint "
                       "'pretrain/vit_large_p16_384.pth' does not exist"):
        check_pretrained(cfg.model)


@pytest.mark.skipif(torch.cuda.is_available(), reason='bfloat16 autocast is the CPU --amp')
def test_amp_flag_trains_in_bfloat16_on_a_cpu():
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'upernet_fcaformer_l2_ade20k_160k.py'))
    apply_common_args(cfg, _args(amp=True))
    assert cfg.optim_wrapper.type == 'mmhybrid.AutocastOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16' and 'loss_scale' not in cfg.optim_wrapper
    model = torch.nn.Linear(4, 2)
    wrapper = build_optim_wrapper(model, dict(type='mmhybrid.AutocastOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1)))
    with wrapper.optim_context(model):
        assert model(torch.rand(3, 4)).dtype == torch.bfloat16
    assert model(torch.rand(3, 4)).dtype == torch.float32

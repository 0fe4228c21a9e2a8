"""Every config under configs/ parses and builds its model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.conftest import REPO

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


def test_configs_exist():
    assert len(CONFIGS) >= 20


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    scope = cfg.default_scope
    assert scope in ('mmdet', 'mmseg', 'mmpretrain')
    init_default_scope(scope)
    registry = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
    model = registry.build(cfg.model)
    assert type(model.backbone).__module__.startswith('mmhybrid.')
    if scope != 'mmpretrain':
        assert cfg.auto_scale_lr.base_batch_size > 0
        reader = cfg.model.get('neck') or cfg.model.decode_head
        channels = model.backbone.out_channels
        assert list(reader.in_channels) == channels, 'the neck reads exactly the returned levels'
        if cfg.model.get('auxiliary_head'):
            aux = cfg.model.auxiliary_head
            assert aux.in_channels == channels[aux.in_index]


# Detector / segmentor sizes around the official dense backbone, computed in
# ../shared/specs/transxnet.md section 7.2 (mmdet-2.x / mmseg-0.x heads, the same as ours).
@pytest.mark.parametrize('name,millions', [
    ('retinanet_transxnet_t_1x', 22.44), ('maskrcnn_transxnet_t_1x', 32.50),
    ('semfpn_transxnet_t_ade20k_80k', 16.60), ('retinanet_transxnet_s_1x', 36.60),
    ('maskrcnn_transxnet_s_1x', 46.52), ('semfpn_transxnet_s_ade20k_80k', 30.62),
    ('retinanet_transxnet_b_1x', 58.01), ('maskrcnn_transxnet_b_1x', 67.56),
    ('semfpn_transxnet_b_ade20k_80k', 51.66)])
def test_dense_model_sizes_match_the_spec(name, millions):
    cfg = Config.fromfile(osp.join(REPO, 'configs', f'{name}.py'))
    init_default_scope(cfg.default_scope)
    registry = __import__(f'{cfg.default_scope}.registry', fromlist=['MODELS']).MODELS
    model = registry.build(cfg.model)
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 2) == millions

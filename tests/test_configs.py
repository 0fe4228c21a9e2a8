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
        neck_in = cfg.model.neck.in_channels
        channels = [model.backbone.embed_dims[i] for i in model.backbone.out_indices]
        assert list(neck_in) == channels, 'the neck reads exactly the returned levels'

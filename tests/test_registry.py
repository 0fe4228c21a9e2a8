"""Both ways of naming an mmhybrid backbone from mmdet / mmseg / mmpretrain configs."""
import os.path as osp
import textwrap

import pytest

from tests.conftest import run_python

BUILD = textwrap.dedent("""
    import sys
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope, init_default_scope
    cfg = Config.fromfile(sys.argv[1])
    imported_early = 'mmhybrid' in sys.modules
    scope = sys.argv[2]
    init_default_scope(scope)
    registry = __import__(scope + '.registry', fromlist=['MODELS']).MODELS
    model = registry.build(cfg.model).eval()
    import mmhybrid.models
    assert type(model.backbone) is mmhybrid.models.TransXNet, type(model.backbone)
    with torch.no_grad():
        feats = model.extract_feat(torch.rand(1, 3, 64, 96))
    print('imported_early', imported_early, 'levels', len(feats))
""")

DET_BASE = "_base_ = ['mmdet::_base_/models/retinanet_r50_fpn.py']\n"
SEG_BASE = "_base_ = ['mmseg::_base_/models/fpn_r50.py']\n"
DET_MODEL = ("model = dict(backbone=dict(_delete_=True, type='{type}', arch='t', "
             "out_indices=(1, 2, 3)), neck=dict(in_channels=[96, 224, 448], start_level=0))\n")
SEG_MODEL = ("norm_cfg = dict(type='BN', requires_grad=True)\n"
             "model = dict(pretrained=None, backbone=dict(_delete_=True, type='{type}', "
             "arch='t'), neck=dict(in_channels=[48, 96, 224, 448]), "
             "decode_head=dict(norm_cfg=norm_cfg))\n")
IMPORTS = "custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)\n"


@pytest.mark.parametrize('scope,base,model', [('mmdet', DET_BASE, DET_MODEL),
                                              ('mmseg', SEG_BASE, SEG_MODEL)])
@pytest.mark.parametrize('way', ['scoped', 'bare'])
def test_backbone_resolves(tmp_path, scope, base, model, way):
    """'mmhybrid.TransXNet' needs no import; bare 'TransXNet' works after custom_imports."""
    text = base + (model.format(type='mmhybrid.TransXNet') if way == 'scoped' else
                   IMPORTS + model.format(type='TransXNet'))
    config = tmp_path / 'config.py'
    config.write_text(text)
    script = tmp_path / 'build.py'
    script.write_text(BUILD)
    out = run_python([str(script), str(config), scope], cwd=str(tmp_path)).stdout
    levels = 5 if scope == 'mmdet' else 4
    assert f'imported_early {way == "bare"} levels {levels}' in out


def test_bare_name_without_import_is_a_clear_error(tmp_path):
    config = tmp_path / 'config.py'
    config.write_text(DET_BASE + DET_MODEL.format(type='TransXNet'))
    script = tmp_path / 'build.py'
    script.write_text(BUILD)
    proc = run_python([str(script), str(config), 'mmdet'], cwd=str(tmp_path), check=False)
    assert proc.returncode != 0 and 'TransXNet is not in the mmdet::model registry' in proc.stdout


def test_registered_into_every_openmmlab_registry():
    from mmdet.registry import MODELS as DET
    from mmpretrain.registry import MODELS as CLS
    from mmseg.registry import MODELS as SEG

    import mmhybrid
    from mmhybrid.registry import MODELS
    assert mmhybrid.register_into_openmmlab() == ['mmdet', 'mmseg', 'mmpretrain']
    for registry in (DET, SEG, CLS):
        assert registry.get('TransXNet') is MODELS.get('TransXNet')
    assert osp.basename(osp.dirname(mmhybrid.__file__)) == 'mmhybrid'

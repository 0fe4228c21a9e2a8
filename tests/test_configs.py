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
    if osp.basename(path).split('_')[1].startswith(('vit', 'deit')):
        return  # mmseg's ViT: built and checked by test_setr_configs_follow_the_paper
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


# Sizes of the official TransXNet detectors and segmentors (the official dense backbone in the
# official object_detection/ and semantic_segmentation/ configs; their heads equal ours).
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


# SETR's auxiliary heads per decoder, as 1-based transformer layers (paper section 4 and the
# official configs): T-Large and T-Base (jx ViT-B or DeiT-B).
SETR_AUX_LAYERS = {('l', 'naive'): [10, 15, 20], ('l', 'pup'): [10, 15, 20, 24],
                   ('l', 'mla'): [6, 12, 18, 24], ('b', 'naive'): [3, 6, 9],
                   ('b', 'pup'): [5, 8, 10, 12], ('b', 'mla'): [3, 6, 9, 12]}


SETR_LR = {('ade20k', 'naive'): 0.01, ('ade20k', 'pup'): 0.001, ('ade20k', 'mla'): 0.001,
           ('cityscapes', 'naive'): 0.01, ('cityscapes', 'pup'): 0.01,
           ('cityscapes', 'mla'): 0.002, ('pascal-context', 'naive'): 0.01,
           ('pascal-context', 'pup'): 0.001, ('pascal-context', 'mla'): 0.001}
SETR_DATA = {'ade20k': (150, (512, 512), 16), 'cityscapes': (19, (768, 768), 8),
             'pascal-context': (60, (480, 480), 16)}


@pytest.mark.parametrize('path', [p for p in CONFIGS if osp.basename(p).startswith('setr-') and
                                  '_hlg_' not in p], ids=lambda p: osp.basename(p))
def test_setr_configs_follow_the_paper(path):
    name = osp.basename(path)[:-3]
    decoder, encoder = name.split('_')[0][5:], name.split('_')[1][-1]
    dataset = name.split('_')[2]
    cfg = Config.fromfile(path)
    vit = cfg.model.backbone
    assert vit.patch_bias, 'the pretrained patch bias must load'
    assert ('deit_base_distilled' in vit.init_cfg.checkpoint) == name.split('_')[1].startswith(
        'deit')
    assert vit.num_layers == {'b': 12, 'l': 24}[encoder]
    assert vit.with_cls_token == (decoder != 'mla')
    layers = [vit.out_indices[aux.in_index] + 1 for aux in cfg.model.auxiliary_head]
    assert layers == SETR_AUX_LAYERS[encoder, decoder]
    if encoder == 'b':  # ViT-L (300M parameters) is slow to build; T-Base runs the same code
        init_default_scope('mmseg')
        from mmseg.registry import MODELS
        model = MODELS.build(cfg.model)
        assert model.backbone.patch_embed.projection.bias is not None
        assert len(model.auxiliary_head) == len(layers)
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.optim_wrapper.optimizer.weight_decay == 0
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {'head': dict(lr_mult=10.)}
    assert cfg.optim_wrapper.optimizer.lr == SETR_LR[dataset, decoder]
    assert cfg.train_cfg.max_iters == int(name.split('_')[3][:-1]) * 1000
    classes, crop, batch = SETR_DATA[dataset]
    assert cfg.model.decode_head.num_classes == classes
    assert cfg.model.data_preprocessor.size == crop and cfg.model.test_cfg.crop_size == crop
    if name.endswith('_bs8'):
        batch = 8
    assert cfg.train_dataloader.batch_size * 8 == cfg.auto_scale_lr.base_batch_size == batch
    # SETR's multi-scale test: every scale's short side at least the crop size.
    resizes = cfg.tta_pipeline[1].transforms[0]
    assert [r.ratio for r in resizes] == [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    assert all(r.type == 'mmhybrid.SETRMultiScaleResize' and r.min_short == crop[0]
               for r in resizes)

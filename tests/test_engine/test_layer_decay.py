"""The layer-decay constructor on real detectors, segmentors and classifiers."""
import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from tests.conftest import REPO

OPTIM = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),
    constructor='mmhybrid.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(decay_rate=0.9, decay_type='layer_wise'))


def _build(config: str):
    cfg = Config.fromfile(f'{REPO}/configs/{config}')
    init_default_scope(cfg.default_scope)
    registry = __import__(f'{cfg.default_scope}.registry', fromlist=['MODELS']).MODELS
    return registry.build(cfg.model)


def _group_of(optim_wrapper, name):
    for group in optim_wrapper.optimizer.param_groups:
        if name in group['param_names']:
            return group
    raise KeyError(name)


@pytest.mark.parametrize('config', ['maskrcnn_transxnet_t_1x.py',
                                    'semfpn_transxnet_t_ade20k_80k.py',
                                    'cls_transxnet_t_in1k.py'])
def test_layer_wise_lrs(config):
    model = _build(config)
    wrapper = build_optim_wrapper(model, OPTIM)
    n = sum(model.backbone.depths) + 2
    stem = _group_of(wrapper, 'backbone.patch_embed.conv.weight')
    first = _group_of(wrapper, 'backbone.stages.0.0.pos_embed.weight')
    last = _group_of(wrapper, 'backbone.stages.3.2.mlp.fc1.0.weight')
    assert stem['lr'] == pytest.approx(1e-4 * 0.9**(n - 1))
    assert first['lr'] == pytest.approx(1e-4 * 0.9**(n - 2))
    assert last['lr'] == pytest.approx(1e-4 * 0.9)
    head = next(g for g in wrapper.optimizer.param_groups
                if not g['param_names'][0].startswith('backbone.'))
    assert head['lr'] == pytest.approx(1e-4)
    assert first['weight_decay'] == 0.05
    for name in ('backbone.stages.0.0.norm1.weight', 'backbone.stages.1.0.mlp.norm.weight',
                 'backbone.stages.0.0.pos_embed.bias', 'backbone.relative_pos_enc.0',
                 'backbone.stages.2.0.layer_scale_1.weight'):
        assert _group_of(wrapper, name)['weight_decay'] == 0, name
    names = [n for g in wrapper.optimizer.param_groups for n in g['param_names']]
    assert len(names) == len(set(names)) == sum(
        1 for p in model.parameters() if p.requires_grad)


def test_stage_wise_and_custom_keys():
    model = _build('maskrcnn_transxnet_t_1x.py')
    cfg = dict(OPTIM, paramwise_cfg=dict(decay_rate=0.5, decay_type='stage_wise',
                                         custom_keys={'neck': dict(lr_mult=2.0)}))
    wrapper = build_optim_wrapper(model, cfg)
    assert _group_of(wrapper, 'backbone.patch_embed.conv.weight')['lr'] == pytest.approx(
        1e-4 * 0.5**5)
    assert _group_of(wrapper, 'backbone.stages.3.0.norm1.weight')['lr'] == pytest.approx(
        1e-4 * 0.5)
    assert _group_of(wrapper, 'backbone.downsample_layers.0.conv.weight')['lr'] == \
        _group_of(wrapper, 'backbone.stages.1.2.norm1.weight')['lr']
    assert _group_of(wrapper, 'neck.fpn_convs.0.conv.weight')['lr'] == pytest.approx(2e-4)


def test_bad_paramwise_cfg():
    model = _build('maskrcnn_transxnet_t_1x.py')
    with pytest.raises(ValueError, match="no decay_type 'block'"):
        build_optim_wrapper(model, dict(OPTIM, paramwise_cfg=dict(decay_type='block')))
    with pytest.raises(ValueError, match='num_layers'):
        build_optim_wrapper(model, dict(OPTIM, paramwise_cfg=dict(num_layers=6)))

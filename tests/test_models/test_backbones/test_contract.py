"""The one backbone API (mmhybrid.models.backbones.base.HybridBackbone), checked on every
backbone: arguments, out_type, freezing, norm_eval, with_cp without side effects, lr-decay
layer ids and init / Pretrained round trips (bad arguments, sizes and values:
tests/test_bad_input.py)."""
import inspect

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from mmhybrid.models import FcaFormerPlain
from tests.conftest import STAGED

ALL = dict(STAGED, FcaFormerPlain=lambda **kw: FcaFormerPlain('l0', **kw))
COMMON = ('arch', 'in_channels', 'out_indices', 'out_type', 'frozen_stages', 'drop_path_rate',
          'with_cp', 'init_cfg')


def _input(name, batch=2, hw=(64, 64)):
    return torch.rand(batch, 3, *((224, 224) if name == 'FcaFormerPlain' else hw))


@pytest.mark.parametrize('name', sorted(ALL))
def test_same_arguments_everywhere(name):
    cls = {'FcaFormerPlain': FcaFormerPlain}.get(name) or type(STAGED[name]())
    params = inspect.signature(cls.__init__).parameters
    assert set(COMMON) <= set(params), set(COMMON) - set(params)
    if name != 'FcaFormerPlain':  # the plain ViT-like model has no BatchNorm
        assert 'norm_eval' in params
    if name in ('FcaFormer', 'MixFormer', 'HybridFormer', 'HLG'):
        assert 'window_size' in params
    for old in ('image_size', 'cls_features', 'cls_norm', 'gap_before_final_norm'):
        assert old not in params


@pytest.mark.parametrize('name', sorted(STAGED))
def test_out_indices_and_out_type(name):
    model = STAGED[name](out_indices=(1, 3)).eval()
    with torch.no_grad():
        outs = model(_input(name))
    assert [o.shape[1] for o in outs] == model.out_channels and len(outs) == 2
    cls = STAGED[name](out_type='avg_featmap').eval()
    with torch.no_grad():
        (vector, ) = cls(_input(name))
    assert vector.shape == (2, cls.out_channels[0])
    with pytest.raises(ValueError, match='out_indices'):
        STAGED[name](out_indices=(2, 3), out_type='avg_featmap')
    with pytest.raises(ValueError, match='out_type'):
        STAGED[name](out_type='raw')


@pytest.mark.parametrize('name', sorted(ALL))
def test_frozen_stages_and_norm_eval(name):
    model = ALL[name](frozen_stages=0 if name == 'FcaFormerPlain' else 1).train()
    frozen = [model.patch_embed] + ([] if name == 'FcaFormerPlain' else
                                    [model.stages[0]] + model._output_layers(0))
    for module in frozen:
        assert not any(p.requires_grad for p in module.parameters())
        assert not any(m.training for m in module.modules())
    assert all(p.requires_grad for p in model.stages[-1].parameters())
    if name != 'FcaFormerPlain':
        model = STAGED[name](norm_eval=True).train()
        bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
        assert bns and not any(m.training for m in bns)


def _buffers(model):
    return {k: v.clone() for k, v in model.named_buffers()}


@pytest.mark.parametrize('name', sorted(ALL))
def test_with_cp_has_no_side_effects(name):
    """Checkpointing changes nothing: outputs, input and parameter gradients, BatchNorm
    statistics (the recomputation does not update them again) and drop-path masks."""
    torch.manual_seed(0)
    plain = ALL[name](drop_path_rate=0.2).train()
    ckpt = ALL[name](drop_path_rate=0.2, with_cp=True).train()
    ckpt.load_state_dict(plain.state_dict())
    x = _input(name)
    results = []
    for model in (plain, ckpt):
        torch.manual_seed(1)
        inp = x.clone().requires_grad_()
        outs = model(inp)
        sum((o * torch.linspace(0, 1, o.numel()).view_as(o)).sum() for o in outs).backward()
        results.append((outs, inp.grad, {k: p.grad for k, p in model.named_parameters()},
                        _buffers(model)))
    (o1, g1, p1, b1), (o2, g2, p2, b2) = results
    for a, b in zip(o1, o2):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)
    torch.testing.assert_close(g1, g2, rtol=0, atol=1e-5)
    for k in p1:
        assert (p1[k] is None) == (p2[k] is None), k
        if p1[k] is not None:
            torch.testing.assert_close(p1[k], p2[k], rtol=0, atol=1e-5, msg=k)
    assert b1.keys() == b2.keys()
    for k in b1:
        torch.testing.assert_close(b1[k], b2[k], rtol=0, atol=1e-6, msg=k)


@pytest.mark.parametrize('name', sorted(ALL))
def test_layer_depth(name):
    model = ALL[name]()
    depths = list(model.depths)
    n = sum(depths) + 2
    for param_name, _ in model.named_parameters():
        layer, num = model.get_layer_depth('backbone.' + param_name, 'backbone.')
        assert num == n and 0 <= layer < n
        parts = param_name.split('.')
        if parts[0] == 'patch_embed':
            assert layer == 0
        elif parts[0] == 'stages':
            i, j = int(parts[1]), int(parts[2])
            assert layer == sum(depths[:i]) + j + 1, param_name
            stage_wise = model.get_layer_depth('backbone.' + param_name, 'backbone.',
                                               decay_type='stage_wise')[0]
            # FcaFormer's stage-wise grouping is its official one: cross tokens with the stem.
            cross = name == 'FcaFormer' and parts[-1] in ('s_scale_factors', 's_token_bias')
            assert stage_wise == (0 if cross else i + 1), param_name
    assert model.get_layer_depth('neck.conv.weight', 'backbone.') == (n - 1, n)
    with pytest.raises(ValueError, match='decay_type'):
        model.get_layer_depth('backbone.patch_embed.weight', 'backbone.', decay_type='x')


@pytest.mark.parametrize('name', sorted(ALL))
def test_init_and_pretrained_round_trip(name, tmp_path):
    torch.manual_seed(0)
    model = ALL[name]()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.init_weights()
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())
    path = str(tmp_path / 'ours.pth')
    torch.save(dict(state_dict={'backbone.' + k: v for k, v in model.state_dict().items()}),
               path)
    loaded = ALL[name](init_cfg=dict(type='Pretrained', checkpoint=path))
    loaded.init_weights()
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k

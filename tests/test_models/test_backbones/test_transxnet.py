import pytest
import torch
import torch.nn.functional as F

from mmhybrid.converters.transxnet import convert_transxnet
from mmhybrid.models import TransXNet
from mmhybrid.models.backbones.transxnet import DynamicConv2d
from mmhybrid.testing.seeded import seeded_input, seeded_state
from tests.conftest import assert_golden, load_golden


@pytest.fixture(scope='module')
def golden():
    return load_golden('transxnet_t.pt')


def _strip(state, prefix='backbone.'):
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def test_golden_logits(golden):
    """Seeded official weights, converted, give the official logits (mmpretrain classifier)."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS as CLS_MODELS
    official = seeded_state(golden['entries_cls'], seed=golden['seed'])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = CLS_MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='mmhybrid.TransXNet', arch='t', out_indices=(3, )),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=448))).eval()
    converted = convert_transxnet(official)
    result = model.load_state_dict(converted, strict=False)
    assert result.unexpected_keys == []
    assert all(k.endswith('num_batches_tracked') for k in result.missing_keys)
    for name in ('logits_224', 'logits_256x320'):
        shape, seed = golden['inputs'][name]
        with torch.no_grad():
            logits = model(seeded_input(shape, seed), mode='tensor')
        assert_golden(logits, golden[name], what=name)


def test_golden_dense(golden):
    """The official dense backbone (GN out-norms) equals ours after conversion."""
    official = seeded_state(golden['entries_dense'], seed=golden['seed'])
    model = TransXNet('t').eval()
    result = model.load_state_dict(_strip(convert_transxnet(official)), strict=False)
    assert result.unexpected_keys == []
    assert all(k.endswith('num_batches_tracked') for k in result.missing_keys)
    shape, seed = golden['inputs']['dense_224x288']
    with torch.no_grad():
        outs = model(seeded_input(shape, seed))
    assert len(outs) == 4
    for i, (ours, ref) in enumerate(zip(outs, golden['dense_224x288'])):
        assert_golden(ours, ref, what=f'stage {i}')


@pytest.mark.parametrize('arch,expected', [('t', 12_834_808), ('s', 26_864_068),
                                           ('b', 48_009_002)])
def test_param_counts_equal_official(arch, expected):
    """Backbone (with the GN of the classifier as norm3) plus a 1000-way head."""
    model = TransXNet(arch, out_indices=(3, ))
    head = model.embed_dims[-1] * 1000 + 1000
    assert sum(p.numel() for p in model.parameters()) + head == expected


def test_idconv_equals_per_sample_conv():
    torch.manual_seed(0)
    conv = DynamicConv2d(8, kernel_size=7, num_groups=3).eval()
    x = torch.randn(3, 8, 11, 13)
    with torch.no_grad():
        out = conv(x)
        for b in range(3):
            xb = x[b:b + 1]
            scale = conv.proj(conv.pool(xb)).reshape(3, 8, 7, 7).softmax(0)
            weight = (scale * conv.weight).sum(0).unsqueeze(1)
            bias_scale = conv.proj(xb.mean((2, 3), keepdim=True)).reshape(3, 8).softmax(0)
            bias = (bias_scale * conv.bias).sum(0)
            ref = F.conv2d(xb, weight, bias, padding=3, groups=8)
            assert torch.allclose(out[b:b + 1], ref, atol=1e-6)


def test_idconv_bn_updates_twice_per_train_forward():
    model = TransXNet('t').train()
    bn = model.stages[0][0].token_mixer.local_unit.proj[0].bn
    model(torch.rand(2, 3, 64, 64))
    assert bn.num_batches_tracked.item() == 2


def test_pos_bias_resize_cached_without_grad():
    model = TransXNet('t').eval()
    calls = []
    original = F.interpolate

    def counting(*args, **kwargs):
        calls.append(kwargs.get('size'))
        return original(*args, **kwargs)

    x = torch.rand(1, 3, 96, 128)
    with torch.no_grad():
        F.interpolate = counting
        try:
            first = model(x)
            resized = len(calls)
            second = model(x)
        finally:
            F.interpolate = original
    assert resized == 4, 'each stage resizes its bias once, not once per block'
    assert len(calls) == resized, 'a repeated input size reuses the resized biases'
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    with torch.no_grad():
        model.relative_pos_enc[0].add_(torch.randn_like(model.relative_pos_enc[0]))
        third = model(x)
    assert not torch.equal(first[0], third[0]), 'new weights invalidate the cache'


def test_pos_bias_gets_gradients_at_other_sizes():
    model = TransXNet('t', out_indices=(3, ))
    out = model(torch.rand(2, 3, 96, 128))[0]
    (out * torch.randn_like(out)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.relative_pos_enc)


def test_frozen_stages_and_norm_eval():
    model = TransXNet('t', frozen_stages=1, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.patch_embed.parameters())
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert not model.relative_pos_enc[0].requires_grad and not model.norm0.weight.requires_grad
    assert all(p.requires_grad for p in model.stages[1].parameters())
    assert all(p.requires_grad for p in model.downsample_layers[0].parameters())
    assert not model.stages[0].training
    assert not model.stages[2][0].mlp.norm.training, 'norm_eval keeps BNs in eval mode'
    assert model.stages[2][0].norm1.training, 'GroupNorms are not affected'


def test_layer_depth():
    model = TransXNet('t')
    n = sum(model.depths) + 2
    assert model.get_layer_depth('backbone.patch_embed.conv.weight', 'backbone.') == (0, n)
    assert model.get_layer_depth('backbone.stages.0.0.norm1.weight', 'backbone.') == (1, n)
    assert model.get_layer_depth('backbone.stages.3.2.mlp.fc2.0.weight', 'backbone.') == (18, n)
    assert model.get_layer_depth('backbone.downsample_layers.0.conv.weight', 'backbone.') == (4, n)
    assert model.get_layer_depth('backbone.relative_pos_enc.1', 'backbone.') == (4, n)
    assert model.get_layer_depth('neck.lateral_convs.0.conv.weight', 'backbone.') == (n - 1, n)


def test_init_weights_follow_official():
    model = TransXNet('t')
    model.init_weights()
    block = model.stages[0][0]
    assert torch.all(block.layer_scale_1.weight == 1e-5)
    assert torch.all(block.layer_scale_1.bias == 0)
    assert torch.all(model.relative_pos_enc[2] == 0)
    assert torch.all(block.token_mixer.global_unit.q.bias == 0)
    assert 0.015 < block.mlp.fc1[0].weight.std().item() < 0.025


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match=r"Unknown TransXNet arch 'x'.*\['b', 'base'"):
        TransXNet('x')
    with pytest.raises(ValueError, match='arch dict lacks'):
        TransXNet(dict(depths=[1, 1, 1, 1]))
    with pytest.raises(ValueError, match='out_indices'):
        TransXNet('t', out_indices=(4, ))
    with pytest.raises(ValueError, match='frozen_stages'):
        TransXNet('t', frozen_stages=4)
    with pytest.raises(ValueError, match='img_size'):
        TransXNet('t', img_size=8)

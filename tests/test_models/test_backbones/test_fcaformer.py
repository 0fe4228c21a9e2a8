import pytest
import torch

from mmhybrid.analysis import count_flops
from mmhybrid.converters.fcaformer import convert_fcaformer
from mmhybrid.models import FcaFormer
from mmhybrid.testing.seeded import seeded_input, seeded_state
from tests.conftest import assert_golden, load_golden


@pytest.fixture(scope='module')
def golden():
    return load_golden('fcaformer_l2.pt')


def _backbone(state):
    return {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}


def _check_load(model, state):
    result = model.load_state_dict(state, strict=False)
    assert result.unexpected_keys == []
    assert all(k.endswith('num_batches_tracked') for k in result.missing_keys)


def test_golden_logits(golden):
    """Seeded official classification weights give the official logits (mmpretrain model)."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS as CLS_MODELS
    converted = convert_fcaformer(seeded_state(golden['entries_cls'], golden['seed']))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = CLS_MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='mmhybrid.FcaFormer', arch='l2', out_indices=(3, ),
                          out_type='avg_featmap'),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=480))).eval()
    _check_load(model, converted)
    with torch.no_grad():
        logits = model(seeded_input(*golden['inputs']['logits_224']), mode='tensor')
    assert_golden(logits, golden['logits_224'])


@pytest.mark.parametrize('name', ['dense_224', 'dense_320x416'])
def test_golden_dense(golden, name):
    """The official windowed dense backbone, padding alternation included."""
    model = FcaFormer('l2').eval()
    _check_load(model, _backbone(convert_fcaformer(
        seeded_state(golden['entries_dense'], golden['seed']))))
    with torch.no_grad():
        outs = model(seeded_input(*golden['inputs'][name]))
    for ours, ref in zip(outs, golden[name]):
        assert_golden(ours, ref, what=name)


@pytest.mark.parametrize('arch,params', [('l1', 6_187_560), ('l2', 16_275_870),
                                         ('l3', 27_894_484), ('l4', 65_638_204)])
def test_param_counts_equal_official(arch, params):
    model = FcaFormer(arch, out_indices=(3, ), out_type='avg_featmap')
    head = model.embed_dims[-1] * 1000 + 1000
    assert sum(p.numel() for p in model.parameters()) + head == params


# The official model also projects queries for the cross tokens and discards them; we skip
# that work. Official fvcore MACs (README 1.38/3.62/6.68/14.54 G; the spec's per-operator sums
# below) = ours + those projections, to 0.2 M MACs.
@pytest.mark.parametrize('arch,official', [('l1', 1.3850), ('l2', 3.6202), ('l3', 6.6801),
                                           ('l4', 14.5356)])
def test_flops_equal_official_count(arch, official):
    model = FcaFormer(arch, out_indices=(3, ), out_type='avg_featmap').eval()
    ours = count_flops(model, (torch.rand(1, 3, 224, 224), )) + model.embed_dims[-1] * 1000
    skipped = 0
    for stage, dim in ((2, model.embed_dims[2]), (3, model.embed_dims[3])):
        per_block = (16, 4)[stage - 2]
        depth = model.depths[stage]
        skipped += sum(per_block * j for j in range(depth)) * dim * dim
    assert abs((ours + skipped) / 1e9 - official) <= 2e-4
    assert ours < official * 1e9


def test_frozen_stages_and_norm_eval():
    model = FcaFormer('l1', frozen_stages=2, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.stages[1].parameters())
    assert not any(p.requires_grad for p in model.downsample_layers[0].parameters())
    assert not model.proj1.weight.requires_grad
    assert all(p.requires_grad for p in model.stages[2].parameters())
    assert not model.stages[2][0].local_conv.bn.training


def test_cross_tokens_carry_gradients():
    model = FcaFormer('l1', out_indices=(2, ))
    out = model(torch.rand(1, 3, 224, 224))[0]
    (out * torch.randn_like(out)).sum().backward()
    assert model.stages[2][0].dw_conv.weight.grad.abs().sum() > 0
    assert model.stages[2][3].s_token_bias.grad is not None


def test_layer_depth_groupings():
    model = FcaFormer('l2')
    depth = model.get_layer_depth
    cab = dict(decay_type='layer_wise_cab')
    assert depth('backbone.patch_embed.0.conv.weight', 'backbone.', **cab) == (0, 8)
    assert depth('backbone.stages.2.3.s_token_bias', 'backbone.', **cab) == (0, 8)
    assert depth('backbone.downsample_layers.0.conv1.conv.weight', 'backbone.', **cab) == (0, 8)
    assert depth('backbone.stages.0.1.gamma', 'backbone.', **cab) == (1, 8)
    assert depth('backbone.downsample_layers.1.conv1.conv.weight', 'backbone.', **cab) == (2, 8)
    assert [depth(f'backbone.stages.2.{b}.qkv.weight', 'backbone.', **cab)[0]
            for b in range(7)] == [3, 3, 3, 4, 4, 4, 5]
    assert depth('backbone.stages.3.1.qkv.weight', 'backbone.', **cab) == (6, 8)
    assert depth('backbone.proj2.weight', 'backbone.', **cab) == (7, 8)
    stage = dict(decay_type='stage_wise')
    assert depth('backbone.downsample_layers.2.conv3.bn.weight', 'backbone.', **stage) == (0, 8)
    assert depth('backbone.stages.2.6.mlp.fc1.weight', 'backbone.', **stage) == (3, 8)
    assert depth('backbone.stages.2.0.qkv.weight', 'backbone.') == (5, 15)
    with pytest.raises(ValueError, match='no decay_type'):
        depth('backbone.stages.0.0.gamma', 'backbone.', decay_type='blocks')


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match=r"Unknown FcaFormer arch 'l9'"):
        FcaFormer('l9')
    with pytest.raises(ValueError, match='out_indices'):
        FcaFormer('l1', out_indices=(2, 3), out_type='avg_featmap')
    with pytest.raises(ValueError, match='window_size'):
        FcaFormer('l1', window_size=(0, 0, 0, 7))


def test_plain_l0_design():
    """L0 (our design): DeiT-Tiny + forward cross attention, 5,870,968 params as budgeted."""
    from mmhybrid.models import FcaFormerPlain
    model = FcaFormerPlain('l0')
    assert sum(p.numel() for p in model.parameters()) + 192 * 1000 + 1000 == 5_870_968
    x = torch.rand(2, 3, 224, 224)
    out = model(x)[0]
    assert out.shape == (2, 192)
    (out * torch.randn_like(out)).sum().backward()
    assert model.stages[0][0].dw_conv.weight.grad.abs().sum() > 0, 'cross tokens are used'
    assert model.stages[0][11].s_token_bias.shape == (1, 3, 1, 176)
    assert 1.40e9 < count_flops(model.eval(), (x[:1], )) < 1.46e9
    with pytest.raises(ValueError, match='patch grid'):
        model(torch.rand(1, 3, 256, 256))


@pytest.mark.parametrize('window', [3, 7, 14])
def test_window_bias_gradient_equals_the_index_gradient(window):
    from mmhybrid.models.backbones.fcaformer import FcaBlock, window_bias
    torch.manual_seed(0)
    block = FcaBlock(32, num_heads=4, window_size=window, index=0, depth=1)
    table = torch.randn(4, window**2, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(4, window**4, dtype=torch.float64).reshape(4, window**2, window**2)
    ours = window_bias(table, block.attention_bias_idxs)
    (ours_grad, ) = torch.autograd.grad(ours, table, grad)
    plain = table[:, block.attention_bias_idxs]
    (plain_grad, ) = torch.autograd.grad(plain, table, grad)
    assert torch.equal(ours, plain)
    torch.testing.assert_close(ours_grad, plain_grad, rtol=0, atol=1e-10)
    with torch.no_grad():
        assert torch.equal(window_bias(table, block.attention_bias_idxs), plain)

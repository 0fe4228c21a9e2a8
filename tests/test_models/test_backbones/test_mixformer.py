import pytest
import torch

from mmhybrid.analysis import count_flops, mixformer_readme_flops
from mmhybrid.converters.mixformer import convert_mixformer
from mmhybrid.models import MixFormer
from mmhybrid.testing.seeded import seeded_input, seeded_state
from tests.conftest import assert_golden, load_golden


@pytest.fixture(scope='module')
def golden():
    return load_golden('mixformer_b0.pt')


@pytest.mark.parametrize('tag', ['224', '192x288'])
def test_golden_logits_and_stage_tokens(golden, tag):
    """Seeded Paddle weights, converted, reproduce Paddle's logits and per-stage tokens
    (192x288 pads windows in every stage)."""
    converted = convert_mixformer(
        seeded_state(golden['entries_cls'], golden['seed'], in_dim_first=True))
    model = MixFormer('b0', out_type='avg_featmap').eval()
    result = model.load_state_dict(
        {k[9:]: v for k, v in converted.items() if k.startswith('backbone.')}, strict=False)
    assert result.unexpected_keys == []
    assert all(k.endswith('num_batches_tracked') for k in result.missing_keys)
    tokens = {}
    for i, stage in enumerate(model.stages):
        stage[-1].register_forward_hook(
            lambda module, args, out, i=i: tokens.__setitem__(i, out))
    with torch.no_grad():
        feats = model(seeded_input(*golden['inputs'][f'logits_{tag}']))[0]
    logits = feats @ converted['head.fc.weight'].t() + converted['head.fc.bias']
    assert_golden(logits, golden[f'logits_{tag}'])
    for i in range(4):
        assert_golden(tokens[i], golden[f'stage{i}_tokens_{tag}'], what=f'stage {i}')


@pytest.mark.parametrize('arch,params', [
    ('b0', 5_098_767), ('b1', 7_887_877), ('b2', 9_894_848), ('b3', 16_747_808),
    ('b4', 34_797_572), ('b5', 61_692_403), ('b6', 119_505_054)])
def test_param_counts_equal_paddle(arch, params):
    model = MixFormer(arch, out_type='avg_featmap')
    assert sum(p.numel() for p in model.parameters()) + 1280 * 1000 + 1000 == params


README_GFLOPS = dict(b0=0.4, b1=0.7, b2=0.9, b3=1.9, b4=3.6, b5=6.8, b6=12.7)


@pytest.mark.parametrize('arch', sorted(README_GFLOPS))
def test_readme_flops_convention(arch):
    """The README's counting convention reproduces its column at its printed precision."""
    gflops = mixformer_readme_flops(arch) / 1e9
    assert round(gflops, 1) == README_GFLOPS[arch]
    assert abs(gflops - README_GFLOPS[arch]) / README_GFLOPS[arch] < 0.1


@pytest.mark.parametrize('arch,gmacs', [('b0', 0.411), ('b1', 0.711)])
def test_exact_macs(arch, gmacs):
    """Exact multiply-adds (convs, linears, attention) of the classifier at 224."""
    model = MixFormer(arch, out_type='avg_featmap').eval()
    macs = count_flops(model, (torch.rand(1, 3, 224, 224), )) + 1280 * 1000
    assert abs(macs / 1e9 - gmacs) < 1e-3


def test_batch_of_one_trains_and_eval_is_unchanged():
    from mmhybrid.models.backbones.mixformer import PooledBatchNorm2d
    torch.manual_seed(0)
    model = MixFormer('b0', out_indices=(3, )).train()
    bn = model.stages[0][0].attn.channel_interaction[1]
    stats = bn.running_mean.clone()
    model(torch.rand(1, 3, 64, 64))[0].sum().backward()  # the official model raises here
    assert torch.equal(bn.running_mean, stats), 'a batch of one leaves the statistics alone'
    # Batches of several, and every eval forward, are plain BatchNorm.
    plain = torch.nn.BatchNorm2d(bn.num_features)
    plain.load_state_dict(bn.state_dict())
    pooled = torch.randn(4, bn.num_features, 1, 1)
    assert torch.equal(bn(pooled), plain(pooled))
    assert torch.equal(bn.eval()(pooled[:1]), plain.eval()(pooled[:1]))
    assert isinstance(bn, PooledBatchNorm2d)


def test_frozen_stages_and_layer_depth():
    model = MixFormer('b0', frozen_stages=2, norm_eval=True).train()
    assert not any(p.requires_grad for p in model.stages[1].parameters())
    assert not any(p.requires_grad for p in model.downsample_layers[0].parameters())
    assert all(p.requires_grad for p in model.downsample_layers[1].parameters())
    assert not model.stages[3][0].attn.conv_norm.training
    n = sum(model.arch['depths']) + 2
    depth = model.get_layer_depth
    assert depth('backbone.patch_embed.stem.0.weight', 'backbone.') == (0, n)
    assert depth('backbone.stages.1.1.attn.qkv.weight', 'backbone.') == (3, n)
    assert depth('backbone.downsample_layers.0.reduction.weight', 'backbone.') == (2, n)
    assert depth('backbone.stages.3.0.norm1.weight', 'backbone.',
                 decay_type='stage_wise') == (4, 6)

"""HybridFormer has no official code or weights: the calibrated numbers are pinned, and the two
operators (CHSA, MKCA) are checked against their definitions directly."""
import pytest
import torch
import torch.nn.functional as F

from mmhybrid.analysis import count_flops
from mmhybrid.models import HybridFormer
from mmhybrid.models.backbones.hybridformer import CrossHeadSelfAttention, MultiKernelConvAttention

README = dict(s=(21.6e6, 4.3e9), b=(29.9e6, 6.2e9), l=(38.3e6, 8.0e9), h=(55.2e6, 11.6e9))


@pytest.mark.parametrize('arch,params,flops', [
    ('s', 21_520_072, 4_258_108_672), ('b', 29_835_304, 6_063_516_416),
    ('l', 38_150_536, 7_868_924_160), ('h', 54_781_000, 11_479_739_648)])
def test_params_and_flops_calibrated_to_readme(arch, params, flops):
    """Classifier (BN -> GAP -> Linear 1000) at 224, fvcore convention (one per multiply-add,
    attention matmuls and the head mixing included), within 3% of the README."""
    model = HybridFormer(arch, out_type='avg_featmap').eval()
    ours_params = sum(p.numel() for p in model.parameters()) + 512 * 1000 + 1000
    ours_flops = count_flops(model, (torch.rand(1, 3, 224, 224), )) + 512 * 1000
    assert (ours_params, ours_flops) == (params, flops)
    assert abs(ours_params / README[arch][0] - 1) < 0.03
    assert abs(ours_flops / README[arch][1] - 1) < 0.03


def _reference_chsa(attn: CrossHeadSelfAttention, x: torch.Tensor) -> torch.Tensor:
    """CHSA written as in its definition: logits, head axis last, Linear-GELU-Linear, back."""
    B, N, C = x.shape
    h = attn.num_heads
    q, k, v = attn.qkv(x).view(B, N, 3, h, C // h).permute(2, 0, 3, 1, 4)
    logits = (q @ k.transpose(-2, -1)) * (C // h)**-0.5
    mixed = attn.head_fc2(F.gelu(attn.head_fc1(logits.permute(0, 2, 3, 1)))).permute(0, 3, 1, 2)
    out = (mixed.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C)
    return attn.proj(out)


def test_chsa_equals_its_definition_and_mixes_heads():
    torch.manual_seed(0)
    attn = CrossHeadSelfAttention(32, num_heads=4, mix_ratio=4).eval()
    assert (attn.head_fc1.in_features, attn.head_fc1.out_features) == (4, 16)
    x = torch.randn(2, 10, 32)
    assert torch.allclose(attn(x), _reference_chsa(attn, x), atol=1e-6)
    attn.max_hidden_elements = 2 * 16 * 10 * 3  # queries in chunks of 3 rows: same result
    assert torch.allclose(attn(x), _reference_chsa(attn, x), atol=1e-6)
    del attn.max_hidden_elements
    # Only the head mixing lets the keys of one head change another head's output: perturb the
    # key channels of head 0 and look at the value-path channels of head 1.
    captured = {}
    attn.proj.register_forward_hook(lambda m, args, out: captured.setdefault('in', []).append(
        args[0]))
    x2 = x.clone()
    with torch.no_grad():
        base = attn.qkv(x)
        attn.qkv.bias[32:40] += 1.0  # key bias of head 0
        attn(x2)
        attn.qkv.bias[32:40] -= 1.0
        attn(x)
    changed = (captured['in'][0] - captured['in'][1]).abs()
    assert changed[..., 8:16].max() > 1e-4, 'head 1 must see head 0 through the mixing'
    assert base.shape == (2, 10, 96)


def test_mkca_branches_and_split():
    mkca = MultiKernelConvAttention(64)
    assert [c.kernel_size[0] for c in mkca.branches] == [3, 5, 7, 9]
    assert all(c.in_channels == c.groups == 16 for c in mkca.branches)
    x = torch.randn(2, 64, 9, 11)
    assert mkca(x).shape == x.shape
    # Channel group g only goes through kernel g: with zero biases, an impulse in group 1
    # reaches the output through the 5x5 branch alone, so its footprint is 5x5.
    with torch.no_grad():
        for conv in mkca.branches:
            conv.bias.zero_()
        only1 = torch.zeros_like(x)
        only1[:, 16:32, 4, 5] = 1.0
        out = mkca(only1) - mkca.proj.bias.view(1, -1, 1, 1)
    rows, cols = (out.abs().sum((0, 1)) > 1e-6).nonzero(as_tuple=True)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 6, 3, 7)
    full = MultiKernelConvAttention(64, split=False, pre_proj=True)
    assert full.proj.in_channels == 256 and full.pre_proj is not None
    assert full(x).shape == x.shape
    with pytest.raises(ValueError, match='divisible by 4'):
        MultiKernelConvAttention(66)


def test_windows_covering_the_map_equal_global_attention():
    """At 224, stage 3 is 14x14: one 14x14 window is the global attention; 7x7 windows are
    not, and only the windowed blocks use them."""
    torch.manual_seed(0)
    glob = HybridFormer('s', out_indices=(2, )).eval()
    win14 = HybridFormer('s', out_indices=(2, ), window_size=(0, 0, 14, 0)).eval()
    win7 = HybridFormer('s', out_indices=(2, ), window_size=(0, 0, 7, 0)).eval()
    win14.load_state_dict(glob.state_dict())
    win7.load_state_dict(glob.state_dict())
    assert [b.window_size for b in win7.stages[2]] == [7, 7, 7, 0, 7, 7, 7, 0]
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        ref = glob(x)[0]
        assert torch.allclose(win14(x)[0], ref, atol=1e-5)
        assert not torch.allclose(win7(x)[0], ref, atol=1e-3)


def test_arch_options_and_errors():
    arch = dict(embed_dims=[64, 128, 320, 512], depths=[1, 1, 1, 1], num_heads=[0, 0, 16, 16],
                mix_ratio=2, mkca_pre_proj=True, conv_stem=True)
    model = HybridFormer(arch)
    assert model.stages[2][0].attn.head_fc1.out_features == 32
    assert model.stages[0][0].attn.pre_proj is not None
    assert len(model.patch_embed) == 5
    with pytest.raises(ValueError, match="Unknown HybridFormer arch 'xl'"):
        HybridFormer('xl')
    with pytest.raises(ValueError, match='window_size'):
        HybridFormer('s', window_size=(14, 0, 7))
    with pytest.raises(ValueError, match='frozen_stages'):
        HybridFormer('s', frozen_stages=4)


def test_frozen_stages_and_layer_depth():
    model = HybridFormer('s', frozen_stages=1, norm_eval=True).train()
    assert not any(p.requires_grad for p in model.patch_embed.parameters())
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert all(p.requires_grad for p in model.downsample_layers[0].parameters())
    assert not model.stages[1][0].norm1.training
    n = sum(model.depths) + 2
    depth = model.get_layer_depth
    assert depth('backbone.patch_embed.0.weight', 'backbone.') == (0, n)
    assert depth('backbone.stages.1.2.attn.proj.weight', 'backbone.') == (6, n)
    assert depth('backbone.downsample_layers.1.0.weight', 'backbone.') == (8, n)
    assert depth('backbone.norm3.weight', 'backbone.') == (n - 1, n)
    assert depth('backbone.stages.3.0.mlp.fc1.weight', 'backbone.',
                 decay_type='stage_wise') == (4, 6)

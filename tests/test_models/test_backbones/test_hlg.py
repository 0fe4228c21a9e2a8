"""HLG: the official code does not run, so the resolved design is pinned (parameter
calibration, FLOPs) and its pieces are checked against their definitions."""
import pytest
import torch

from mmhybrid.analysis import count_flops
from mmhybrid.models import HLG
from mmhybrid.models.backbones.hlg import LocalGlobalAttention

from tests.conftest import assert_with_cp_matches

README_PARAMS = dict(t=11e6, s=24e6, m=43e6, l=84e6)


@pytest.mark.parametrize('arch,params,flops', [
    ('t', 11_030_864, 2_669_920_400), ('s', 24_261_724, 5_809_068_912),
    ('m', 43_893_484, 9_455_686_032), ('l', 84_335_480, 17_855_065_696)])
def test_params_match_the_calibration(arch, params, flops):
    """With the 1000-way classifier: the spec's analytic counts (T 11.0M, S 24.3M, M with
    depths 2-2-16-2 43.9M, L 84.4M) within 3% of the README. FLOPs (fvcore) are pinned; the
    README's (2.1/4.7/9.0/15.9 G) come from an unknown counter and are 14-27% lower."""
    model = HLG(arch, out_indices=(3, )).eval()
    dim = model.embed_dims[-1]
    assert sum(p.numel() for p in model.parameters()) + dim * 1000 + 1000 == params
    assert abs(params / README_PARAMS[arch] - 1) < 0.03
    assert count_flops(model, (torch.rand(1, 3, 224, 224), )) + dim * 1000 == flops


def test_grid_and_interval_dilation_agree_at_224():
    torch.manual_seed(0)
    grid = HLG('t', dilation='grid').eval()
    interval = HLG('t', dilation='interval').eval()
    interval.load_state_dict(grid.state_dict())
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        for a, b in zip(grid(x), interval(x)):
            assert torch.allclose(a, b, atol=1e-5)
        # Elsewhere they are different partitions.
        y = torch.rand(1, 3, 320, 320)
        assert not torch.allclose(grid(y)[0], interval(y)[0], atol=1e-3)


@pytest.mark.parametrize('dilated', [False, True])
def test_position_biases_equal_their_definition(dilated):
    """Local bias = DPB(token offset inside a window); global bias = DPB((token - window
    centre) / window side), computed here pair by pair."""
    torch.manual_seed(0)
    attn = LocalGlobalAttention(64, 2, window=7, dilated=dilated).eval()
    Hp, Wp = 14, 21
    local, glob = attn._biases(Hp, Wp, torch.device('cpu'))
    coords = torch.stack(torch.meshgrid(torch.arange(Hp), torch.arange(Wp), indexing='ij'))
    windows = attn.partition(coords[None].float())  # (nW, 49, 2)
    inner = torch.stack(torch.meshgrid(torch.arange(7), torch.arange(7), indexing='ij'), -1)
    inner = inner.reshape(-1, 2).float()
    expected_local = attn.pos_local(inner[:, None] - inner[None]).permute(2, 0, 1)
    tokens = coords.reshape(2, -1).t().float()
    centres = windows.mean(1)
    expected_global = attn.pos_global((tokens[:, None] - centres[None]) / 7).permute(2, 0, 1)
    with torch.no_grad():
        assert torch.allclose(local, expected_local, atol=1e-6)
        assert torch.allclose(glob, expected_global, atol=1e-5)
    if dilated:  # a dilated window's tokens are strided across the whole map
        assert windows[0, 1].tolist() == [0., 3.] and windows[0, 7].tolist() == [2., 0.]


@pytest.mark.parametrize('hw', [(224, 224), (97, 131), (33, 65)])
def test_any_input_size(hw):
    model = HLG('t').eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, *hw))
    h, w = -(-hw[0] // 4), -(-hw[1] // 4)
    for i, out in enumerate(outs):
        assert out.shape == (1, model.embed_dims[i], h, w)
        h, w = -(-h // 2), -(-w // 2)


def test_setr_hlg_head_fuses_all_stages_at_stride_4():
    from mmhybrid.models import SETRHLGHead
    head = SETRHLGHead(in_channels=[64, 128, 256, 512], in_index=[0, 1, 2, 3], channels=64,
                       num_heads=2, num_classes=5, norm_cfg=dict(type='BN'))
    assert head.fuse.conv.in_channels == 64 + 128 + 256 + 512
    assert [layer.dilated for layer in head.layers] == [False, True]
    feats = [torch.rand(2, c, 40 // s, 48 // s) for c, s in zip([64, 128, 256, 512],
                                                               [1, 2, 4, 8])]
    assert head(feats).shape == (2, 5, 160, 192)


def test_frozen_stages_layer_depth_and_with_cp():
    model = HLG('t', frozen_stages=1, norm_eval=True).train()
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert all(p.requires_grad for p in model.stages[1].parameters())
    assert not model.stages[1][0].mlp[0][1].training
    n = sum(model.depths) + 2
    depth = model.get_layer_depth
    assert depth('backbone.patch_embed.0.0.weight', 'backbone.') == (0, n)
    assert depth('backbone.stages.2.3.attn.q.weight', 'backbone.') == (8, n)
    assert depth('backbone.norm1.weight', 'backbone.') == (4, n)
    assert depth('backbone.stages.3.0.mlp.2.weight', 'backbone.',
                 decay_type='stage_wise') == (4, 6)
    assert_with_cp_matches(lambda cp: HLG('t', out_indices=(3, ), with_cp=cp))

"""HLG follows the classification code of the released checkpoints
(``hlg-classification/models/hlg.py``), which does not run as released. The checks: a state
dict with that file's module names and shapes converts key for key; our model then computes
what that file's forward computes at 224 (a functional transcription of it below, with the
missing modules resolved as the model docstring says); parameter counts and the pieces."""
import math
import re

import pytest
import torch
import torch.nn.functional as F

from mmhybrid.analysis import count_flops
from mmhybrid.converters import convert_hlg
from mmhybrid.models import HLG
from mmhybrid.models.backbones.hlg import DynamicPosBias, HLGBlock


def official_entries(arch: str, num_classes: int = 1000, stage4_local: bool = False):
    """(key, shape) of the official classifier's state dict, written from the module
    definitions of ``hlg-classification/models/hlg.py`` (``HLGTransformer``, ``HLGLayers``,
    ``DWMlp``, ``InnerPatchEmbed``, ``DynamicPosBias``), plus the modules its forward uses
    but ``__init__`` lacks (``norm0``, ``h0_norm``, ``pos_local``, ``aux_q``), in stages 1-3,
    or in all stages with ``stage4_local``."""
    cfg = HLG.arch_zoo[arch]
    dims, depths, heads = cfg['embed_dims'], cfg['depths'], cfg['num_heads']
    out = []

    def conv(name, cin, cout, k, groups=1, bias=True):
        out.append((f'{name}.weight', (cout, cin // groups, k, k)))
        if bias:
            out.append((f'{name}.bias', (cout, )))

    def bn(name, c):
        stats = ('weight', 'bias', 'running_mean', 'running_var')
        out.extend((f'{name}.{p}', (c, )) for p in stats)
        out.append((f'{name}.num_batches_tracked', ()))

    def norm(name, c):
        out.extend([(f'{name}.weight', (c, )), (f'{name}.bias', (c, ))])

    def linear(name, cin, cout):
        out.extend([(f'{name}.weight', (cout, cin)), (f'{name}.bias', (cout, ))])

    def dpb(name, dim, h):
        d = dim // 4 // 4
        linear(f'{name}.pos_proj', 2, d)
        for i in (1, 2, 3):
            norm(f'{name}.pos{i}.0', d)
            linear(f'{name}.pos{i}.2', d, h if i == 3 else d)

    conv('s0_conv.0.0', 3, dims[0], 3, bias=False)
    bn('s0_conv.0.1', dims[0])
    conv('s0_conv.1.0', dims[0], dims[0], 3, bias=False)
    bn('s0_conv.1.1', dims[0])
    for s in range(4):
        for j in range(depths[s]):
            p, dim = f'block{s + 1}.{j}', dims[s]
            cin = dims[max(s - 1, 0)] if j == 0 else dim
            norm(f'{p}.norm1', dim)
            if j == 0:
                conv(f'{p}.down_proj.proj.0', cin, dim, 3, groups=cin)
                bn(f'{p}.down_proj.proj.1', dim)
            for n in 'qkv':
                linear(f'{p}.{n}', dim, dim)
            dpb(f'{p}.pos_global', dim, heads[s])
            linear(f'{p}.global_attn.proj', dim, dim)
            norm(f'{p}.norm2', dim)
            conv(f'{p}.mlp.fc1', cin, 4 * dim, 1)
            bn(f'{p}.mlp.norm1', 4 * dim)
            conv(f'{p}.mlp.fc2', 4 * dim, 4 * dim, 3, groups=4 * dim)
            bn(f'{p}.mlp.norm2', 4 * dim)
            conv(f'{p}.mlp.fc3', 4 * dim, dim, 1)
            smooth = ((dim, dim // 4, 1), (dim // 4, dim // 4, 3), (dim // 4, dim, 1))
            for i, (a, b, k) in zip((0, 3, 6), smooth):
                conv(f'{p}.spatial_smooth.0.{i}', a, b, k)
                bn(f'{p}.spatial_smooth.0.{i + 1}', b)
            if s < 3 or stage4_local:
                conv(f'{p}.aux_q', dim, dim, 3, groups=dim)
                norm(f'{p}.norm0', dim)
                norm(f'{p}.h0_norm', dim)
                dpb(f'{p}.pos_local', dim, heads[s])
    norm('norm', dims[3])
    linear('head', dims[3], num_classes)
    return out


def seeded_official_state(entries, seed=0):
    g = torch.Generator().manual_seed(seed)
    state = {}
    for key, shape in entries:
        if key.endswith('num_batches_tracked'):
            state[key] = torch.tensor(0)
        elif key.endswith('running_var'):
            state[key] = torch.rand(shape, generator=g) + 0.5
        elif re.search(r'norm\d?\.weight$|\.pos\d\.0\.weight$', key):
            state[key] = 1 + 0.1 * torch.randn(shape, generator=g)
        else:
            fan_in = math.prod(shape[1:]) if len(shape) > 1 else 16
            state[key] = torch.randn(shape, generator=g) / math.sqrt(fan_in)
    return state


def official_forward(sd, arch, x, eps=1e-5):
    """The classifier's forward at 224 (no padding), token layout, from the official keys:
    a transcription of ``HLGTransformer.forward_features`` / ``HLGLayers.forward`` (dense
    mode 'mean') in functional form."""
    cfg = HLG.arch_zoo[arch]

    def bn(t, p):
        return F.batch_norm(t, sd[p + '.running_mean'], sd[p + '.running_var'], sd[p + '.weight'],
                            sd[p + '.bias'], False, 0., 1e-5)

    def conv(t, p, stride=1, groups=1):
        w = sd[p + '.weight']
        return F.conv2d(t, w, sd.get(p + '.bias'), stride, w.shape[-1] // 2, 1, groups)

    def ln(t, p, e=eps):
        return F.layer_norm(t, t.shape[-1:], sd[p + '.weight'], sd[p + '.bias'], e)

    def lin(t, p):
        return F.linear(t, sd[p + '.weight'], sd[p + '.bias'])

    def dpb(offsets, p):
        t = lin(offsets, p + '.pos_proj')
        for i in (1, 2, 3):
            t = lin(F.relu(ln(t, f'{p}.pos{i}.0', 1e-5)), f'{p}.pos{i}.2')
        return t

    def table_bias(p, g0, g1):
        """group_size (g0, g1): the pairwise bias over a g0 x g0 grid, first g1^2 columns."""
        r = torch.arange(1 - g0, g0)
        biases = torch.stack(torch.meshgrid(r, r, indexing='ij')).flatten(1).t().float()
        c = torch.stack(torch.meshgrid(torch.arange(g0), torch.arange(g0), indexing='ij'))
        c = c.flatten(1)
        rel = (c[:, :, None] - c[:, None, :]).permute(1, 2, 0) + g0 - 1
        index = rel[..., 0] * (2 * g0 - 1) + rel[..., 1]
        bias = dpb(biases, p)[index.view(-1)].view(g0 * g0, g0 * g0, -1)
        if g0 != g1:
            bias = bias[:, :g1 * g1]
        return bias.permute(2, 0, 1)

    def attend(q, k, v, heads, bias):
        B, N, C = q.shape
        q, k, v = (t.reshape(B, -1, heads, C // heads).permute(0, 2, 1, 3) for t in (q, k, v))
        attn = (q @ k.transpose(-2, -1)) * (C // heads)**-0.5 + bias[None]
        return (attn.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C)

    x = F.gelu(bn(conv(x, 's0_conv.0.0', 2), 's0_conv.0.1'))
    x = F.gelu(bn(conv(x, 's0_conv.1.0'), 's0_conv.1.1'))
    B, C, H, W = x.shape
    x = x.flatten(2).transpose(1, 2)
    for s in range(4):
        heads = cfg['num_heads'][s]
        for j in range(cfg['depths'][s]):
            p = f'block{s + 1}.{j}'
            m = x.transpose(1, 2).reshape(B, -1, H, W)
            h = F.gelu(bn(conv(m, p + '.mlp.fc1'), p + '.mlp.norm1'))
            h = F.gelu(bn(conv(h, p + '.mlp.fc2', 2 if j == 0 else 1, h.shape[1]),
                          p + '.mlp.norm2'))
            h = conv(h, p + '.mlp.fc3').flatten(2).transpose(1, 2)
            if j == 0:
                m = F.gelu(bn(conv(m, p + '.down_proj.proj.0', 2, m.shape[1]),
                              p + '.down_proj.proj.1'))
                H, W = H // 2, W // 2
                m = m.flatten(2).transpose(1, 2)
            else:
                m = x
            x = m + ln(h, p + '.norm2')
            c = x.shape[-1]
            if s == 3:
                out = lin(attend(lin(x, p + '.q'), lin(x, p + '.k'), lin(x, p + '.v'), heads,
                                 table_bias(p + '.pos_global', 7, 7)), p + '.global_attn.proj')
                x = x + ln(out, p + '.norm1')
                continue
            n = H // 7
            g = x.transpose(1, 2).reshape(B, c, H, W)
            sm = F.gelu(bn(conv(g, p + '.spatial_smooth.0.0'), p + '.spatial_smooth.0.1'))
            sm = F.gelu(bn(conv(sm, p + '.spatial_smooth.0.3'), p + '.spatial_smooth.0.4'))
            sm = bn(conv(sm, p + '.spatial_smooth.0.6'), p + '.spatial_smooth.0.7')
            g = F.gelu(g + sm).permute(0, 2, 3, 1)
            if j % 2 == 0:
                g = g.reshape(B, n, 7, n, 7, c).permute(0, 1, 3, 2, 4, 5)
            else:
                g = g.reshape(B, 7, n, 7, n, c).permute(0, 2, 4, 1, 3, 5)
            g = g.reshape(B * n * n, 49, c)
            q = lin(ln(g, p + '.norm0'), p + '.q')
            local = attend(q, q, lin(ln(g, p + '.norm0'), p + '.v'), heads,
                           table_bias(p + '.pos_local', 7, 7))
            g = g + local
            tok = ln(g.mean(1).reshape(B, n * n, c), p + '.h0_norm')
            t = torch.cat([g, q, local]).reshape(3 * B, n, n, 7, 7, c)
            if j % 2 == 0:
                t = t.permute(0, 5, 1, 3, 2, 4)
            else:
                t = t.permute(0, 5, 3, 1, 4, 2)
            g, q, local = t.reshape(3, B, c, H * W).transpose(2, 3)
            aux = ln(local, p + '.norm1').transpose(1, 2).reshape(B, c, H, W)
            aux = conv(aux, p + '.aux_q', groups=c).flatten(2).transpose(1, 2)
            out = attend(q + aux, lin(tok, p + '.k'), lin(tok, p + '.v'), heads,
                         table_bias(p + '.pos_global', H, H // 7))
            x = g + lin(out, p + '.global_attn.proj')
    return lin(ln(x, 'norm').mean(1), 'head')


@pytest.mark.parametrize('arch', ['t', 's', 'm', 'l'])
def test_official_classifier_layout_converts_key_for_key(arch):
    entries = official_entries(arch, stage4_local=arch == 'l')
    converted = convert_hlg({k: torch.zeros(s) for k, s in entries})
    backbone = {k[len('backbone.'):]: v for k, v in converted.items()
                if k.startswith('backbone.')}
    model = HLG(arch, out_indices=(3, ), dense_norms=False)
    expected = model.state_dict()
    assert set(backbone) == set(expected)
    assert all(backbone[k].shape == expected[k].shape for k in expected)
    assert converted['head.fc.weight'].shape == (1000, model.embed_dims[-1])


def test_unknown_official_keys_fail_clearly():
    state = {k: torch.zeros(s) for k, s in official_entries('t')}
    state['block2.0.mystery.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match=r"Unknown official HLG keys.*block2\.0\.mystery"):
        convert_hlg(state)


def test_converted_official_weights_give_the_official_logits():
    """At 224 (the only size the official classifier runs at) and in eval mode."""
    official = seeded_official_state(official_entries('t'))
    converted = convert_hlg(official)
    model = HLG('t', out_indices=(3, ), dense_norms=False, norm_eps=1e-5).eval()
    model.load_state_dict({k[len('backbone.'):]: v for k, v in converted.items()
                           if k.startswith('backbone.')})
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = official_forward(official, 't', x)
        feats = model(x)[0]
        ours = F.linear(feats.mean((2, 3)), converted['head.fc.weight'],
                        converted['head.fc.bias'])
    assert (ours - expected).abs().max() < 1e-4
    assert expected.std() > 0.1  # the comparison is not between near-constant outputs


@pytest.mark.parametrize('arch,params,unused,flops', [
    ('t', 12_094_896, 561_664, 2_906_042_864), ('s', 26_635_756, 1_260_288, 6_336_851_544),
    ('m', 42_341_164, 1_260_288, 9_252_740_760), ('l', 74_638_520, 2_237_440, 16_219_863_392)])
def test_params_and_flops_with_the_official_depths(arch, params, unused, flops):
    """With the 1000-way classifier and the official depths (Medium and Large 2-2-14-2).

    The official classifier also builds smoothing convs in stage 4 that its forward never
    uses (``unused``); with them it has T 12.66 / S 27.90 / M 43.60 / L 76.88 M. The README's
    11 / 24 / 43 / 84 M follow from neither count: only M agrees. The segmentation code's
    DWMlp (4 x the input width) would give T 11.0 / S 24.3 M, and 18 stage-3 blocks (one
    Cityscapes config) L 84 M, but the released checkpoints have neither. FLOPs (fvcore)
    2.91 / 6.34 / 9.25 / 16.22 G against the README's 2.1 / 4.7 / 9.0 / 15.9 G (unknown
    counter)."""
    model = HLG(arch, out_indices=(3, ), dense_norms=False).eval()
    dim = model.embed_dims[-1]
    assert sum(p.numel() for p in model.parameters()) + dim * 1000 + 1000 == params
    smooth = HLGBlock(dim, dim, 2, downsample=False, local_global=True,
                      dilated=False).spatial_smooth
    assert sum(p.numel() for p in smooth.parameters()) * model.depths[3] == unused
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


def test_pairwise_bias_equals_its_definition():
    torch.manual_seed(0)
    dpb = DynamicPosBias(64, 2)
    queries = torch.tensor([[0, 0], [3, 5], [6, 1]])
    keys = torch.tensor([[0, 0], [0, 1], [9, 2], [1, 0]])
    with torch.no_grad():
        bias = dpb.pairwise(queries, keys)
        expected = dpb((queries[:, None] - keys[None]).float()).permute(2, 0, 1)
    assert torch.allclose(bias, expected, atol=1e-6)


@pytest.mark.parametrize('dilated', [False, True])
def test_block_biases_follow_the_official_indexing(dilated):
    """Local: window coordinates; global: window m sits at row-major position m of the map."""
    torch.manual_seed(0)
    block = HLGBlock(64, 64, 2, downsample=False, local_global=True, dilated=dilated).eval()
    H, W = 10, 16  # padded to 14 x 21: 2 x 3 windows
    with torch.no_grad():
        local, glob = block._biases(H, W, 14, 21, torch.device('cpu'))
        tokens = torch.tensor([[i, j] for i in range(H) for j in range(W)])
        anchors = torch.tensor([[m // W, m % W] for m in range(6)])
        expected = block.pos_global((tokens[:, None] - anchors[None]).float())
        assert torch.allclose(glob, expected.permute(2, 0, 1), atol=1e-6)
        inner = torch.tensor([[i, j] for i in range(7) for j in range(7)])
        expected = block.pos_local((inner[:, None] - inner[None]).float())
        assert torch.allclose(local, expected.permute(2, 0, 1), atol=1e-6)


def test_setr_hlg_head_fuses_all_stages_at_stride_4():
    from mmhybrid.models import SETRHLGHead
    head = SETRHLGHead(in_channels=[64, 128, 256, 512], in_index=[0, 1, 2, 3], channels=64,
                       num_heads=2, num_classes=5, norm_cfg=dict(type='BN'))
    assert head.fuse.conv.in_channels == 64 + 128 + 256 + 512
    assert [layer.dilated for layer in head.layers] == [False, True]
    feats = [torch.rand(2, c, 40 // s, 48 // s)
             for c, s in zip([64, 128, 256, 512], [1, 2, 4, 8])]
    assert head(feats).shape == (2, 5, 160, 192)


def test_frozen_stages_and_layer_depth():
    model = HLG('t', frozen_stages=1, norm_eval=True).train()
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert all(p.requires_grad for p in model.stages[1].parameters())
    assert not model.stages[1][0].mlp.norm1.training
    n = sum(model.depths) + 2
    depth = model.get_layer_depth
    assert depth('backbone.patch_embed.0.0.weight', 'backbone.') == (0, n)
    assert depth('backbone.stages.2.3.q.weight', 'backbone.') == (8, n)
    assert depth('backbone.norm1.weight', 'backbone.') == (4, n)
    assert depth('backbone.stages.3.0.mlp.fc3.weight', 'backbone.',
                 decay_type='stage_wise') == (4, 6)

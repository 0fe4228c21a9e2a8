"""timm ViT / DeiT / BEiT -> mmseg VisionTransformer: converted weights give the encoder output
that the timm-layout math gives with the original weights."""
import pytest
import torch
import torch.nn.functional as F

from mmhybrid.converters.vit import convert_vit

DIM, HEADS, DEPTH, PATCH = 32, 4, 2, 8


def _timm_state(style: str, grid: int = 4) -> dict:
    g = torch.Generator().manual_seed(0)

    def rand(*shape):
        return torch.randn(*shape, generator=g) * 0.2

    prefix = 2 if style == 'deit' else 1
    state = {'cls_token': rand(1, 1, DIM), 'patch_embed.proj.weight': rand(DIM, 3, PATCH, PATCH),
             'patch_embed.proj.bias': rand(DIM), 'norm.weight': rand(DIM),
             'norm.bias': rand(DIM), 'head.weight': rand(10, DIM), 'head.bias': rand(10)}
    if style != 'beit':
        state['pos_embed'] = rand(1, prefix + grid * grid, DIM)
    if style == 'deit':
        state.update({'dist_token': rand(1, 1, DIM), 'head_dist.weight': rand(10, DIM),
                      'head_dist.bias': rand(10)})
    for i in range(DEPTH):
        b = f'blocks.{i}.'
        state.update({
            b + 'norm1.weight': 1 + rand(DIM), b + 'norm1.bias': rand(DIM),
            b + 'attn.qkv.weight': rand(3 * DIM, DIM), b + 'attn.proj.weight': rand(DIM, DIM),
            b + 'attn.proj.bias': rand(DIM), b + 'norm2.weight': 1 + rand(DIM),
            b + 'norm2.bias': rand(DIM), b + 'mlp.fc1.weight': rand(4 * DIM, DIM),
            b + 'mlp.fc1.bias': rand(4 * DIM), b + 'mlp.fc2.weight': rand(DIM, 4 * DIM),
            b + 'mlp.fc2.bias': rand(DIM)})
        if style == 'beit':
            state.update({b + 'attn.q_bias': rand(DIM), b + 'attn.v_bias': rand(DIM),
                          b + 'gamma_1': rand(DIM), b + 'gamma_2': rand(DIM),
                          b + 'attn.relative_position_bias_table': torch.zeros(4, HEADS)})
        else:
            state[b + 'attn.qkv.bias'] = rand(3 * DIM)
    return state


def _reference(state: dict, x: torch.Tensor, style: str) -> torch.Tensor:
    """The timm ViT forward, as SETR uses it (class token only, no final norm)."""
    t = F.conv2d(x, state['patch_embed.proj.weight'], state['patch_embed.proj.bias'], PATCH)
    B, C, H, W = t.shape
    t = torch.cat([state['cls_token'].expand(B, -1, -1), t.flatten(2).transpose(1, 2)], 1)
    if 'pos_embed' in state:
        pos = state['pos_embed']
        t = t + torch.cat([pos[:, :1], pos[:, -H * W:]], 1)
    for i in range(DEPTH):
        b = f'blocks.{i}.'
        if style == 'beit':
            q_bias = state[b + 'attn.q_bias']
            qkv_bias = torch.cat([q_bias, torch.zeros_like(q_bias), state[b + 'attn.v_bias']])
        else:
            qkv_bias = state[b + 'attn.qkv.bias']
        h = F.layer_norm(t, (C, ), state[b + 'norm1.weight'], state[b + 'norm1.bias'], 1e-6)
        q, k, v = F.linear(h, state[b + 'attn.qkv.weight'], qkv_bias).view(
            B, -1, 3, HEADS, C // HEADS).permute(2, 0, 3, 1, 4)
        a = ((q @ k.transpose(-2, -1)) * (C // HEADS)**-0.5).softmax(-1) @ v
        a = F.linear(a.transpose(1, 2).reshape(B, -1, C), state[b + 'attn.proj.weight'],
                     state[b + 'attn.proj.bias'])
        t = t + (state[b + 'gamma_1'] * a if style == 'beit' else a)
        h = F.layer_norm(t, (C, ), state[b + 'norm2.weight'], state[b + 'norm2.bias'], 1e-6)
        m = F.linear(F.gelu(F.linear(h, state[b + 'mlp.fc1.weight'], state[b + 'mlp.fc1.bias'])),
                     state[b + 'mlp.fc2.weight'], state[b + 'mlp.fc2.bias'])
        t = t + (state[b + 'gamma_2'] * m if style == 'beit' else m)
    return t[:, 1:].transpose(1, 2).reshape(B, C, H, W)


def _mmseg_vit(img: int):
    from mmseg.models.backbones import VisionTransformer
    model = VisionTransformer(img_size=img, patch_size=PATCH, embed_dims=DIM, num_layers=DEPTH,
                              num_heads=HEADS, out_indices=(DEPTH - 1, ), patch_bias=True,
                              norm_cfg=dict(type='LN', eps=1e-6), with_cls_token=True,
                              interpolate_mode='bilinear')
    model.eval()  # mmseg's ViT.train() does not return the module
    return model


@pytest.mark.parametrize('style', ['vit', 'deit', 'beit'])
def test_converted_encoder_equals_timm_math(style):
    state = _timm_state(style)
    converted, dropped = convert_vit(state, grid=(4, 4))
    model = _mmseg_vit(32)
    result = model.load_state_dict(converted, strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert 'head.weight' in dropped and 'norm.weight' in dropped
    if style == 'deit':
        assert {'dist_token', 'head_dist.weight'} <= set(dropped)
    if style == 'beit':
        assert 'blocks.0.attn.relative_position_bias_table' in dropped
        assert not converted['pos_embed'].any()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ours = model(x)[0]
    assert (ours - _reference(state, x, style)).abs().max() < 1e-5


def test_position_grid_is_resized_bilinearly():
    state = _timm_state('deit', grid=4)
    converted, _ = convert_vit(state, grid=(6, 5))
    pos = converted['pos_embed']
    assert pos.shape == (1, 1 + 30, DIM)
    assert torch.equal(pos[:, :1], state['pos_embed'][:, :1])
    grid = state['pos_embed'][:, 2:].reshape(1, 4, 4, DIM).permute(0, 3, 1, 2)
    expected = F.interpolate(grid, size=(6, 5), mode='bilinear', align_corners=False)
    assert torch.allclose(pos[:, 1:], expected.flatten(2).transpose(1, 2))
    # The model runs at the new size with the converted weights.
    model = _mmseg_vit((48, 40))
    model.load_state_dict(convert_vit(_timm_state('vit'), grid=(6, 5))[0])
    assert model(torch.randn(1, 3, 48, 40))[0].shape == (1, DIM, 6, 5)


def test_unknown_keys_and_beit_without_grid():
    with pytest.raises(KeyError, match='not ViT'):
        convert_vit({'stem.conv.weight': torch.zeros(1)})
    with pytest.raises(ValueError, match='no absolute position embedding'):
        convert_vit(_timm_state('beit'))

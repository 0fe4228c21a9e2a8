"""``PointwiseConv2d``: small 1x1 convolutions as batched GEMMs equal ``nn.Conv2d``."""
import pytest
import torch
import torch.nn as nn

from mmhybrid.models.layers import PointwiseConv2d, pointwise_conv2d
from mmhybrid.models.layers.pointwise import SMALL_MACS


@pytest.mark.parametrize('bias', [True, False])
def test_outputs_and_gradients_equal_conv2d(bias):
    torch.manual_seed(0)
    fast = PointwiseConv2d(12, 20, 1, bias=bias)
    plain = nn.Conv2d(12, 20, 1, bias=bias)
    plain.load_state_dict(fast.state_dict())
    assert fast._fast
    results, data = [], torch.randn(3, 12, 9, 7)
    for conv in (fast, plain):
        x = data.clone().requires_grad_()
        out = conv(x)
        out.backward(torch.linspace(-1, 1, out.numel()).view_as(out))
        results.append([out.detach(), x.grad, *(p.grad for p in conv.parameters())])
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    assert results[0][0].is_contiguous()


def test_large_forms_and_layouts_are_plain_convolutions(monkeypatch):
    calls = []
    baddbmm, bmm = torch.baddbmm, torch.bmm
    monkeypatch.setattr(torch, 'baddbmm', lambda *a, **k: calls.append(1) or baddbmm(*a, **k))
    monkeypatch.setattr(torch, 'bmm', lambda *a, **k: calls.append(1) or bmm(*a, **k))
    x = torch.randn(2, 8, 6, 6)
    assert not PointwiseConv2d(8, 8, 3, padding=1)._fast
    assert not PointwiseConv2d(8, 8, 1, stride=2)._fast
    assert not PointwiseConv2d(8, 8, 1, groups=2)._fast
    w = torch.randn(4, 8, 1, 1)
    cl = x.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(pointwise_conv2d(cl, w), torch.conv2d(x, w))
    # At and above SMALL_MACS multiply-adds oneDNN's convolution is as fast or faster.
    big = torch.randn(2, 64, 32, SMALL_MACS // (2 * 64 * 32 * 32) + 1)
    torch.testing.assert_close(pointwise_conv2d(big, torch.randn(32, 64, 1, 1)).shape,
                               (2, 32, 32, big.shape[-1]))
    traced = torch.jit.trace(lambda t: pointwise_conv2d(t, w), x, check_trace=False).graph
    assert 'aten::_convolution' in str(traced)
    assert not calls
    pointwise_conv2d(x, w)
    pointwise_conv2d(x, w, torch.randn(4))
    assert len(calls) == 2
    # Channel counts off multiples of 8 take the GEMM at any size: the input's always, the
    # output's when the input gradient is computed.
    odd = torch.randn(2, 76, 64, 64)
    assert odd.numel() * 16 >= SMALL_MACS
    torch.testing.assert_close(pointwise_conv2d(odd, torch.randn(16, 76, 1, 1)).shape,
                               (2, 16, 64, 64))
    assert len(calls) == 3
    wide = torch.randn(2, 64, 64, 64)
    pointwise_conv2d(wide, torch.randn(76, 64, 1, 1))
    assert len(calls) == 3
    pointwise_conv2d(wide, torch.randn(76, 64, 1, 1, requires_grad=True))
    assert len(calls) == 4
    # A channel slice of a map (as torch.chunk gives) is viewed, not copied.
    half = torch.randn(2, 16, 6, 6)[:, 8:]
    torch.testing.assert_close(pointwise_conv2d(half, w), torch.conv2d(half, w))
    assert len(calls) == 5

"""``PointwiseConv2d``: small 1x1 convolutions as batched GEMMs equal ``nn.Conv2d``."""
import collections

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.models.layers import PointwiseConv2d, gemm, pointwise, pointwise_conv2d
from mmhybrid.models.layers.pointwise import PRODUCT_MACS, SMALL_MACS


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


def test_each_form_takes_its_path(monkeypatch):
    calls = collections.Counter()

    def counted(name, fn):
        return lambda *args, **kwargs: calls.update([name]) or fn(*args, **kwargs)

    monkeypatch.setattr(torch, 'baddbmm', counted('gemm', torch.baddbmm))
    monkeypatch.setattr(torch, 'bmm', counted('gemm', torch.bmm))
    monkeypatch.setattr(pointwise, '_product', counted('products', pointwise._product))
    monkeypatch.setattr(F, 'conv2d', counted('conv', F.conv2d))

    def path(x, out_channels, bias=False, grad=False):
        calls.clear()
        w = torch.randn(out_channels, x.shape[1], 1, 1, dtype=x.dtype, requires_grad=grad)
        b = torch.randn(out_channels, dtype=x.dtype) if bias else None
        torch.testing.assert_close(pointwise_conv2d(x, w, b), torch.conv2d(x, w, b))
        assert len(calls) == 1 or set(calls) == {'products'}
        return next(iter(calls))

    assert not PointwiseConv2d(8, 8, 3, padding=1)._fast
    assert not PointwiseConv2d(8, 8, 1, stride=2)._fast
    assert not PointwiseConv2d(8, 8, 1, groups=2)._fast
    products = 'products' if gemm._ONEDNN else 'conv'
    x = torch.randn(2, 8, 6, 6)
    # Small products: the GEMM, with or without autograd.
    assert path(x, 4) == path(x, 4, bias=True) == path(x, 4, grad=True) == 'gemm'
    assert path(x.contiguous(memory_format=torch.channels_last), 4) == 'conv'
    traced = torch.jit.trace(lambda t: pointwise_conv2d(t, torch.ones(4, 8, 1, 1)), x,
                             check_trace=False).graph
    assert 'aten::_convolution' in str(traced)
    # Large ones: oneDNN's inner product per image at inference (float32), its convolution
    # in training (and in other dtypes).
    big = torch.randn(2, 64, 32, 64)
    assert big.numel() * 32 >= SMALL_MACS and big[0].numel() * 32 >= PRODUCT_MACS
    assert path(big, 32) == path(big, 32, bias=True) == path(big[:1], 32, bias=True) == products
    assert path(big, 32, grad=True) == path(big.double(), 32) == 'conv'
    calls.clear()
    pointwise_conv2d(big, torch.randn(32, 64, 1, 1), inference=False)  # a training forward
    assert calls == {'conv': 1}
    # Channel counts off multiples of 8 slow oneDNN's convolution down: the GEMM takes them
    # in training (the input's always, the output's for the input gradient).
    odd = torch.randn(2, 76, 64, 64)
    assert path(odd, 16) == products and path(odd, 16, grad=True) == 'gemm'
    wide = torch.randn(2, 64, 64, 64)
    assert path(wide, 76) == products and path(wide, 76, grad=True) == 'gemm'
    w = torch.randn(4, 8, 1, 1)
    calls.clear()
    # A channel slice of a map (as torch.chunk gives) is viewed, not copied.
    half = torch.randn(2, 16, 6, 6)[:, 8:]
    torch.testing.assert_close(pointwise_conv2d(half, w), torch.conv2d(half, w))
    assert calls == {'gemm': 1}

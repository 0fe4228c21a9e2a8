"""``Linear`` / ``linear`` / ``linear_gelu``: oneDNN's product equals ``F.linear``, forward and
backward."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.models.layers import Linear, gemm, linear, linear_gelu
from mmhybrid.models.layers.gemm import _ONEDNN, LARGE_MACS

needs_onednn = pytest.mark.skipif(not _ONEDNN, reason='oneDNN path is for x86 CPUs')


@needs_onednn
@pytest.mark.parametrize('shape,out_features,bias', [
    ((300, 40), 96, True), ((4, 19, 23, 96), 48, True), ((640, 64), 32, False),
    ((9, 7, 130), 200, True)])
def test_outputs_and_gradients_equal_f_linear(shape, out_features, bias, monkeypatch):
    calls = []
    product = gemm._product
    monkeypatch.setattr(gemm, '_product', lambda *a: calls.append(1) or product(*a))
    torch.manual_seed(0)
    x = torch.randn(*shape, requires_grad=True)
    w = torch.randn(out_features, shape[-1], requires_grad=True)
    b = torch.randn(out_features, requires_grad=True) if bias else None
    assert x.numel() * out_features >= LARGE_MACS
    out = linear(x, w, b)
    ref = F.linear(x, w, b)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-4)
    g = torch.randn_like(ref)
    inputs = (x, w) if b is None else (x, w, b)
    for ours, theirs in zip(torch.autograd.grad(out, inputs, g),
                            torch.autograd.grad(ref, inputs, g)):
        assert ours.shape == theirs.shape and ours.is_contiguous()
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-3)
    assert len(calls) == 3  # the forward and both gradients ran on oneDNN
    with torch.no_grad():
        torch.testing.assert_close(linear(x, w, b), ref, rtol=1e-5, atol=1e-4)


def test_small_products_other_dtypes_and_graphs_take_f_linear(monkeypatch):
    calls = []
    product = gemm._product
    monkeypatch.setattr(gemm, '_product', lambda *a: calls.append(1) or product(*a))
    w, b = torch.randn(16, 8), torch.randn(16)
    linear(torch.randn(4, 8), w, b)  # under LARGE_MACS
    big = torch.randn(LARGE_MACS // 16 + 1, 8)
    linear(big.double(), w.double(), b.double())
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert linear(big, w, b).dtype == torch.bfloat16
    graph = torch.jit.trace(lambda t: linear(t, w, b), big, check_trace=False).graph
    assert 'aten::linear' in str(graph)
    assert not calls
    if _ONEDNN:
        linear(big, w, b)
        assert calls


def test_module_is_a_drop_in_linear():
    torch.manual_seed(0)
    fast, plain = Linear(64, 300), nn.Linear(64, 300)
    plain.load_state_dict(fast.state_dict())
    assert isinstance(fast, nn.Linear) and list(fast.state_dict()) == ['weight', 'bias']
    x = torch.randn(3, 70, 64)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    fast(x1).square().sum().backward()
    plain(x2).square().sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-5, atol=1e-3)
    torch.testing.assert_close(fast.weight.grad, plain.weight.grad, rtol=1e-5, atol=1e-2)
    torch.testing.assert_close(fast.bias.grad, plain.bias.grad, rtol=1e-5, atol=1e-3)


@needs_onednn
def test_linear_gelu_fuses_at_inference_and_trains_as_gelu_of_linear(monkeypatch):
    activations = []
    product = gemm._product
    monkeypatch.setattr(gemm, '_product',
                        lambda *a: activations.append(a[3] if len(a) > 3 else 'none')
                        or product(*a))
    torch.manual_seed(0)
    x = torch.randn(3, 50, 96, requires_grad=True)
    w = torch.randn(400, 96, requires_grad=True)
    b = torch.randn(400, requires_grad=True)
    ref = F.gelu(F.linear(x, w, b))
    with torch.no_grad():
        torch.testing.assert_close(linear_gelu(x, w, b), ref, rtol=1e-5, atol=1e-4)
    assert activations == ['gelu']
    out = linear_gelu(x, w, b)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-4)
    g = torch.randn_like(ref)
    for ours, theirs in zip(torch.autograd.grad(out, (x, w, b), g),
                            torch.autograd.grad(ref, (x, w, b), g)):
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-3)
    assert activations == ['gelu', 'none', 'none', 'none']


def test_gelu_module_returns_the_activation_and_keeps_the_state_dict():
    torch.manual_seed(0)
    fused = Linear(64, 300, gelu=True)
    assert list(fused.state_dict()) == ['weight', 'bias'] and 'gelu=True' in repr(fused)
    x = torch.randn(3, 70, 64)
    with torch.no_grad():
        torch.testing.assert_close(fused(x), F.gelu(F.linear(x, fused.weight, fused.bias)),
                                   rtol=1e-5, atol=1e-4)

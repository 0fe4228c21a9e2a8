"""``biased_attention``: the explicit training form equals SDPA in outputs and gradients."""
import pytest
import torch
import torch.nn.functional as F

from mmhybrid.models.layers import biased_attention


def _inputs(bias_shape):
    torch.manual_seed(0)
    q, k, v = (torch.randn(3, 4, n, 8, requires_grad=True) for n in (10, 13, 13))
    return q, k, v, torch.randn(*bias_shape, requires_grad=True)


@pytest.mark.parametrize('bias_shape', [(1, 4, 10, 13), (4, 10, 13), (3, 4, 10, 13)])
def test_trained_bias_matches_sdpa(bias_shape):
    results = []
    for fn in (biased_attention, lambda q, k, v, b: F.scaled_dot_product_attention(
            q, k, v, attn_mask=b)):
        q, k, v, bias = _inputs(bias_shape)
        out = fn(q, k, v, bias)
        out.backward(torch.linspace(-1, 1, out.numel()).view_as(out))
        results.append([out.detach(), q.grad, k.grad, v.grad, bias.grad])
    for a, b in zip(*results):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_explicit_form_only_when_the_bias_needs_a_gradient(monkeypatch):
    calls = []
    sdpa = F.scaled_dot_product_attention
    monkeypatch.setattr(F, 'scaled_dot_product_attention',
                        lambda *args, **kwargs: calls.append(1) or sdpa(*args, **kwargs))
    q, k, v, bias = _inputs((4, 10, 13))
    out = biased_attention(q, k, v, bias)
    assert not calls
    with torch.no_grad():
        fused = biased_attention(q, k, v, bias)
    biased_attention(q, k, v, bias.detach())
    biased_attention(q, k, v, None)
    assert len(calls) == 3
    torch.testing.assert_close(out.detach(), fused, rtol=1e-5, atol=1e-5)


def test_bfloat16_autocast_keeps_a_float32_softmax():
    q, k, v, bias = _inputs((4, 10, 13))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = biased_attention(q * 100, k * 100, v, bias)
    assert out.dtype == torch.bfloat16 and torch.isfinite(out).all()
    out.float().sum().backward()
    assert torch.isfinite(bias.grad).all()

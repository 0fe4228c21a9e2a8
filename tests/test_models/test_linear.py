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


def _assert_same_gradients(out, ref, inputs) -> None:
    """``out`` and ``ref`` have the same gradients for the ``inputs`` (None: absent)."""
    g = torch.randn_like(ref)
    inputs = [t for t in inputs if t is not None]
    for ours, theirs in zip(torch.autograd.grad(out, inputs, g),
                            torch.autograd.grad(ref, inputs, g)):
        assert ours.shape == theirs.shape
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-3)


@needs_onednn
@pytest.mark.parametrize('shape,bias', [((300, 40), True), ((2, 16, 30, 30), False)])
def test_mlp_keeps_no_pre_activation_and_equals_f_linear(shape, bias):
    """Also on HybridFormer's head axis: a permuted (B, N, M, heads) view of the logits."""
    torch.manual_seed(0)
    leaf = torch.randn(*shape, requires_grad=True)
    x = leaf if len(shape) == 2 else leaf.permute(0, 2, 3, 1)
    dim = x.shape[-1]
    assert x.numel() * 4 * dim >= LARGE_MACS
    w1 = torch.randn(4 * dim, dim, requires_grad=True)
    b1 = torch.randn(4 * dim, requires_grad=True) if bias else None
    w2 = torch.randn(dim, 4 * dim, requires_grad=True)
    b2 = torch.randn(dim, requires_grad=True) if bias else None
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = gemm.linear_gelu_linear(x, w1, b1, w2, b2)
    # x and the hidden activation: no hidden-width map besides the activation.
    hidden = x.numel() * 4
    assert sorted(t.numel() for t in saved if t.numel() >= x.numel()) == [x.numel(), hidden]
    ref = F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-4)
    _assert_same_gradients(out, ref, [leaf, w1, b1, w2, b2])


def test_mlp_module_trains_through_the_function_and_infers_through_its_layers(monkeypatch):
    from mmhybrid.models.layers import Mlp
    torch.manual_seed(0)
    mlp = Mlp(32, 128)
    x = torch.randn(2, 300, 32)
    calls = []
    for layer in (mlp.fc1, mlp.fc2):
        layer.register_forward_hook(lambda *args: calls.append(1))
    ref = F.linear(F.gelu(F.linear(x, mlp.fc1.weight, mlp.fc1.bias)), mlp.fc2.weight,
                   mlp.fc2.bias)
    out = mlp(x)
    out.sum().backward()
    assert not calls or not _ONEDNN  # training: one function, the layers' hooks do not run
    with torch.no_grad():
        torch.testing.assert_close(mlp(x), ref, rtol=1e-5, atol=1e-4)
    assert len(calls) == (2 if _ONEDNN else 4)  # inference: the layers (FLOP counters)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-4)


def _channel_mlp_reference(x, w1, b1, w2, b2):
    return F.linear(F.gelu(F.linear(x.movedim(1, -1), w1, b1)), w2, b2).movedim(-1, 1)


@needs_onednn
@pytest.mark.parametrize('bias', [True, False])
def test_channel_mlp_runs_in_chunks_keeps_only_x_and_equals_f_linear(bias, monkeypatch):
    """HybridFormer's head mixing: an MLP over the heads of (B, heads, N, M) logits, in chunks
    of positions that do not divide a map (3 per image here)."""
    monkeypatch.setattr(gemm, 'CHUNK_POSITIONS', 1000)
    calls = []
    product = gemm._product
    monkeypatch.setattr(gemm, '_product', lambda *a: calls.append(1) or product(*a))
    torch.manual_seed(0)
    x = torch.randn(2, 16, 30, 90, requires_grad=True)
    w1 = torch.randn(64, 16, requires_grad=True)
    b1 = torch.randn(64, requires_grad=True) if bias else None
    w2 = torch.randn(16, 64, requires_grad=True)
    b2 = torch.randn(16, requires_grad=True) if bias else None
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = gemm.channel_mlp(x, w1, b1, w2, b2)
    assert [t.numel() for t in saved if t.numel() >= x.numel()] == [x.numel()]
    assert out.shape == x.shape and out.is_contiguous() and len(calls) == 2 * 2 * 3
    ref = _channel_mlp_reference(x, w1, b1, w2, b2)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-4)
    _assert_same_gradients(out, ref, [x, w1, b1, w2, b2])
    with torch.no_grad():
        torch.testing.assert_close(gemm.channel_mlp(x, w1, b1, w2, b2), ref, rtol=1e-5,
                                   atol=1e-4)


def test_channel_mlp_elsewhere_is_the_mlp_over_the_channel_axis(monkeypatch):
    calls = []
    product = gemm._product
    monkeypatch.setattr(gemm, '_product', lambda *a: calls.append(1) or product(*a))
    torch.manual_seed(0)
    x = torch.randn(2, 8, 70, 70, dtype=torch.float64, requires_grad=True)
    w1, b1 = torch.randn(32, 8, dtype=torch.float64), torch.randn(32, dtype=torch.float64)
    w2, b2 = torch.randn(8, 32, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    out = gemm.channel_mlp(x, w1, b1, w2, b2)
    torch.testing.assert_close(out, _channel_mlp_reference(x, w1, b1, w2, b2))
    assert torch.autograd.gradcheck(lambda t: gemm.channel_mlp(t, w1, b1, w2, b2),
                                    x[:1, :, :3, :4].detach().requires_grad_())
    assert not calls  # float64: torch's own layers

"""Inference with BatchNorms, layer scales and shortcuts folded into the convolutions gives the
outputs of the plain modules, runs only where it may, and follows the weights."""
import pytest
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from torch.nn.modules.batchnorm import _BatchNorm

from mmhybrid.models import FcaFormer, TransXNet
from mmhybrid.models.backbones.transxnet import TransXNetBlock
from mmhybrid.models.layers.reparam import FoldedConvModule


def _randomise(model: nn.Module) -> nn.Module:
    """Non-trivial BatchNorm statistics and layer scales, so that every fold matters."""
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.5, 0.5)
    for name, p in model.named_parameters():
        if 'layer_scale' in name or 'gamma' in name:
            nn.init.uniform_(p, -1, 1)
    return model.eval()


def _plain(model: nn.Module, x: torch.Tensor):
    with torch.enable_grad():  # autograd on: the unfolded modules run
        return [o.detach() for o in model(x)]


def _folded(model: nn.Module, x: torch.Tensor):
    with torch.no_grad():
        return list(model(x))


def _bn_calls(model: nn.Module, x: torch.Tensor, run) -> int:
    calls = []
    hooks = [m.register_forward_hook(lambda *_: calls.append(1))
             for m in model.modules() if isinstance(m, _BatchNorm)]
    run(model, x)
    for h in hooks:
        h.remove()
    return len(calls)


@pytest.mark.parametrize('build, size', [
    (lambda: TransXNet('t'), (72, 104)),
    (lambda: TransXNet('t', img_size=64), (64, 64)),
    (lambda: FcaFormer('l1'), (80, 72)),
    (lambda: FcaFormer('l1', out_type='avg_featmap'), (64, 64)),
])
def test_folded_inference_equals_the_plain_modules(build, size):
    model = _randomise(build())
    x = torch.randn(2, 3, *size)
    plain, folded = _plain(model, x), _folded(model, x)
    for a, b in zip(folded, plain):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    # The folded path really ran: (almost) no BatchNorm is called any more.
    assert _bn_calls(model, x, _folded) < _bn_calls(model, x, _plain) // 4


def test_folded_tensors_follow_the_weights():
    model = _randomise(TransXNet('t', img_size=64))
    x = torch.randn(1, 3, 64, 64)
    before = _folded(model, x)
    bn = model.stages[1][0].mlp.fc2[1]
    with torch.no_grad():
        bn.running_mean.add_(0.5)  # e.g. a loaded checkpoint or a BN-recalibration step
    after = _folded(model, x)
    assert not torch.allclose(before[1], after[1])
    for a, b in zip(after, _plain(model, x)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('build', [lambda: TransXNet('t', img_size=64), lambda: FcaFormer('l1')])
def test_folded_tensors_follow_training_and_ema_swaps(build):
    """Changes no version counter sees: BatchNorm statistics updated in a training forward,
    weights swapped through ``.data`` (mmengine's EMAHook); both come before ``eval()``."""
    model = _randomise(build())
    x = torch.randn(2, 3, 64, 64)
    before = _folded(model, x)
    model.train()
    for _ in range(3):
        model(x * 3 + 1)  # shifted statistics
    model.eval()
    after = _folded(model, x)
    assert not torch.allclose(before[-1], after[-1], atol=1e-3)
    for a, b in zip(after, _plain(model, x)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    with torch.no_grad():
        for t in [*model.parameters(), *model.buffers()]:
            if t.is_floating_point():
                t.data.copy_(t.data * 0.9)
    model.eval()
    swapped = _folded(model, x)
    assert not torch.allclose(after[-1], swapped[-1], atol=1e-3)
    for a, b in zip(swapped, _plain(model, x)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_no_folding_in_training_or_with_other_norms():
    model = _randomise(TransXNet('t', img_size=64))
    x = torch.randn(2, 3, 64, 64)
    model.train()
    with torch.no_grad():  # e.g. a no-grad forward in train mode: BN statistics update
        n_train = _bn_calls(model, x, lambda m, x: m(x))
    model.eval()
    assert n_train == _bn_calls(model, x, _plain)
    gn = TransXNet('t', img_size=64, norm_cfg=dict(type='GN', num_groups=1)).eval()
    blocks = [b for b in gn.stages.modules() if isinstance(b, TransXNetBlock)]
    assert blocks and not any(b._foldable for b in blocks)
    for a, b in zip(_folded(gn, x), _plain(gn, x)):
        torch.testing.assert_close(a, b)


def test_folded_conv_module_is_a_conv_module():
    torch.manual_seed(0)
    args = dict(in_channels=8, out_channels=16, kernel_size=3, stride=2, padding=1,
                norm_cfg=dict(type='BN'), act_cfg=dict(type='GELU'))
    plain, folded = ConvModule(**args), FoldedConvModule(**args)
    assert plain.state_dict().keys() == folded.state_dict().keys()
    folded.load_state_dict(_randomise(plain).state_dict())
    folded.eval()
    x = torch.randn(2, 8, 15, 15)
    with torch.no_grad():
        expected = plain(x)
        assert _bn_calls(folded, x, lambda m, x: m(x)) == 0
        torch.testing.assert_close(folded(x), expected, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(folded(x, activate=False), plain(x, activate=False))


def test_attention_takes_the_fused_kernel_at_inference():
    """A position bias that requires grad sends scaled_dot_product_attention to its unfused
    math path even without autograd; the inference path passes it detached."""
    model = TransXNet('t', img_size=64).eval()
    with torch.profiler.profile() as prof, torch.no_grad():
        model(torch.randn(1, 3, 64, 64))
    names = {e.key for e in prof.key_averages()}
    assert 'aten::_scaled_dot_product_attention_math' not in names
    assert 'aten::_scaled_dot_product_flash_attention_for_cpu' in names


def test_unfolded_runs_the_plain_modules():
    """Module-hook counters (the mmcv-1.x FLOP convention) need every conv called as a module."""
    from mmhybrid.models.layers.reparam import unfolded
    model = _randomise(TransXNet('t', img_size=64))
    x = torch.randn(1, 3, 64, 64)
    with unfolded():
        assert _bn_calls(model, x, _folded) == _bn_calls(model, x, _plain)
    assert _bn_calls(model, x, _folded) < _bn_calls(model, x, _plain)

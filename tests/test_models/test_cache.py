"""Parameter-derived tensors (attention biases) are cached only when nothing can change them."""
import pytest
import torch

from mmhybrid.models.utils import ParameterCache
from tests.conftest import STAGED


def test_entries_follow_the_parameters_and_autograd():
    cache, p = ParameterCache(), torch.nn.Parameter(torch.ones(3))
    calls = []

    def compute():
        calls.append(1)
        return p * 2

    with torch.no_grad():
        a = cache.get('x', [p], compute)
        assert cache.get('x', [p], compute) is a and len(calls) == 1
        assert cache.get('x', [p], compute, variant=(5, 5)) is not a and len(calls) == 2
        p.add_(1)  # an optimizer step: the version changes
        assert cache.get('x', [p], compute, variant=(5, 5))[0] == 4 and len(calls) == 3
    out = cache.get('x', [p], compute)  # autograd records: recomputed, with its graph
    assert out.grad_fn is not None and len(calls) == 4
    p.requires_grad_(False)  # frozen parameters: cached even with grad mode on
    cache.get('y', [p], compute)
    cache.get('y', [p], compute)
    assert len(calls) == 5


def test_backbones_give_the_same_outputs_with_cached_biases():
    for name in ('TransXNet', 'FcaFormer', 'MixFormer', 'HLG'):
        torch.manual_seed(0)
        model = STAGED[name]().eval()
        x = torch.randn(1, 3, 64, 96)
        with torch.no_grad():
            first, second = model(x), model(x)
        caches = [m for m in model.modules() for v in vars(m).values()
                  if isinstance(v, ParameterCache) and v._entries]
        assert caches, name
        for a, b in zip(first, second):
            torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize('name', ['TransXNet', 'HLG'])
def test_loading_weights_empties_the_caches(name):
    """``load_state_dict(assign=True)`` replaces the parameter objects a cache listed."""
    torch.manual_seed(0)
    model = STAGED[name]().eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        model(x)
        state = {k: v * 0.9 if v.is_floating_point() else v
                 for k, v in model.state_dict().items()}
        model.load_state_dict(state, assign=True)
        cached = model(x)
    fresh = STAGED[name]().eval()
    fresh.load_state_dict(state)
    with torch.no_grad():
        for a, b in zip(cached, fresh(x)):
            torch.testing.assert_close(a, b)

"""demo/image_demo.py on the photograph demo/demo.jpg, one config per task: pictures come out,
and official weights are converted on load (no key left unmatched)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from PIL import Image

from mmhybrid.testing.seeded import seeded_state
from tests.conftest import REPO, load_golden, run_python

DEMO = osp.join(REPO, 'demo', 'image_demo.py')


def _our_weights(config: str, path: str) -> None:
    """A randomly initialised model of ``config`` saved as an mmhybrid checkpoint."""
    from mmengine.registry import MODELS, DefaultScope
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict()), path)


@pytest.mark.parametrize('leaf,official', [
    ('maskrcnn_transxnet_t_1x.py', False), ('semfpn_transxnet_t_ade20k_80k.py', False),
    ('cls_transxnet_t_in1k.py', True)])
def test_demo_draws_predictions(tmp_path, leaf, official):
    config = osp.join(REPO, 'configs', leaf)
    weights = str(tmp_path / 'weights.pth')
    if official:  # the official classifier's keys, seeded values
        entries = load_golden('transxnet_t.pt')['entries_cls']
        torch.save({'state_dict': seeded_state(entries)}, weights)
    else:
        _our_weights(config, weights)
    out_dir = str(tmp_path / 'out')
    out = run_python([DEMO, osp.join(REPO, 'demo', 'demo.jpg'), config, '--weights', weights,
                      '--out-dir', out_dir, '--score-thr', '0'], cwd=str(tmp_path)).stdout
    assert f'pictures with the predictions drawn: {osp.join(out_dir, "vis")}' in out
    assert 'unexpected key in source state_dict' not in out
    for line in out.splitlines():  # official files have no integer buffers
        if 'missing keys in source state_dict:' in line:
            missing = line.split('state_dict:')[1].strip().split(', ')
            assert all(k.endswith('num_batches_tracked') for k in missing), missing
    (picture, ) = glob.glob(osp.join(out_dir, 'vis', '*'))
    assert Image.open(picture).size[0] >= 256

"""The package as users install it: ``mmhybrid::`` config paths, and a wheel that ships its
configs and serves them from an unrelated folder."""
import os
import os.path as osp
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import pytest

from tests.conftest import REPO


def _user_config(folder, base: str) -> str:
    path = osp.join(folder, 'my_config.py')
    with open(path, 'w') as f:
        f.write(textwrap.dedent(f"""\
            _base_ = '{base}'
            model = dict(backbone=dict(drop_path_rate=0.3))
            """))
    return path


def test_mmhybrid_paths_resolve_in_a_source_checkout(tmp_path):
    import mmengine.hub
    from mmengine.config import Config

    import mmhybrid  # noqa: F401 (installs the resolver)
    cfg = Config.fromfile(_user_config(tmp_path, 'mmhybrid::maskrcnn_transxnet_t_1x.py'))
    assert cfg.model.backbone.type == 'mmhybrid.TransXNet'
    assert cfg.model.backbone.drop_path_rate == 0.3
    assert cfg.default_scope == 'mmdet'
    # Read as a local base: the dicts keep the scope they were written for, not 'mmhybrid'.
    assert cfg.model.get('_scope_') in (None, 'mmdet')
    assert cfg.train_dataloader.dataset.get('_scope_') != 'mmhybrid'

    base = Config.fromfile(_user_config(tmp_path, 'mmhybrid::_base_/transxnet/transxnet_t.py'))
    assert base.backbone.arch == 't'

    cfg = mmengine.hub.get_config('mmhybrid::semfpn_transxnet_t_ade20k_40k.py')
    assert cfg.model.decode_head.type == 'FPNHead'
    with pytest.raises(ValueError, match='releases no weights'):
        mmengine.hub.get_config('mmhybrid::semfpn_transxnet_t_ade20k_40k.py', pretrained=True)
    wrong = _user_config(tmp_path, 'mmhybrid::maskrcnn_transxnet_z_1x.py')
    with pytest.raises(FileNotFoundError, match='did you mean .*::maskrcnn_transxnet_s_1x.py'):
        Config.fromfile(wrong)
    # Other packages' paths still go to mmengine.
    mmdet_cfg = mmengine.hub.get_config('mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py')
    assert 'roi_head' in mmdet_cfg.model


def test_other_packages_bases_skip_the_metafile_search(monkeypatch):
    """``mmdet::_base_/...`` resolves where mmengine's own lookup ends, without reading mmdet's
    100 metafiles first (0.4 s a base: 2 s of every config parse)."""
    import mmengine.config.utils as utils
    from mmengine.config import Config
    from mmengine.utils import get_installed_path

    import mmhybrid  # noqa: F401 (installs the resolver)
    expected = utils._get_external_cfg_base_path(
        get_installed_path('mmdet'), '_base_/models/retinanet_r50_fpn.py')

    def searched(*args):
        raise AssertionError('the metafiles were searched')

    monkeypatch.setattr(utils, '_get_cfg_metainfo', searched)
    path, scope = Config._get_cfg_path('mmdet::_base_/models/retinanet_r50_fpn.py', __file__)
    assert (path, scope) == (expected, 'mmdet')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'retinanet_transxnet_t_1x.py'))
    assert cfg.model.bbox_head.type == 'RetinaHead'
    with pytest.raises(AssertionError, match='searched'):  # leaf names still go through them
        Config._get_cfg_path('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', __file__)


# Run in the fresh environment, from an unrelated folder, with nothing imported beforehand.
USER_SCRIPT = """\
import sys

from mmengine.config import Config

# The packaged configs' custom_imports would import mmhybrid after parsing: not yet here.
cfg = Config.fromfile('my_config.py', import_custom_modules=False)
assert 'mmhybrid' not in sys.modules and 'torch' not in sys.modules, 'parsing imported them'

import torch
import mmengine.hub
from mmengine.registry import init_default_scope

import mmhybrid
print('mmhybrid from', mmhybrid.__file__)
init_default_scope(cfg.default_scope)
from mmseg.registry import MODELS
model = MODELS.build(cfg.model).eval()
with torch.no_grad():
    out = model(torch.rand(1, 3, 64, 64), mode='tensor')
print('segmentation logits', tuple(out.shape), 'drop path', cfg.model.backbone.drop_path_rate)

classifier = mmengine.hub.get_model('mmhybrid::cls_fcaformer_l1_in1k.py')
print('classifier', type(classifier).__name__, type(classifier.backbone).__name__)
"""


@pytest.mark.timeout(600)
def test_wheel_installs_and_serves_its_configs(tmp_path):
    """python -m build -> a fresh venv that reuses the stack -> a packaged config from an
    unrelated folder, parsed before anything imported mmhybrid."""
    dist = tmp_path / 'dist'
    subprocess.run([sys.executable, '-m', 'build', '--wheel', '--no-isolation', '--outdir',
                    str(dist), REPO], check=True, capture_output=True, text=True)
    [wheel] = list(dist.glob('mmhybrid-*-py3-none-any.whl'))
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ('mmhybrid/.mim/configs/maskrcnn_transxnet_s_1x.py',
                    'mmhybrid/.mim/configs/_base_/det/maskrcnn_1x.py',
                    'mmhybrid/.mim/configs/_metafiles/transxnet/metafile.yml',
                    'mmhybrid/.mim/model-index.yml', 'mmhybrid/.mim/tools/train.py',
                    'mmhybrid/.mim/demo/image_demo.py', 'mmhybrid-configs.pth',
                    '_mmhybrid_configs.py', 'mmhybrid/models/backbones/transxnet.py'):
        assert shipped in names, shipped
    assert not any(n.startswith('tests/') or n.endswith('bootstrap.sh') for n in names)

    venv = tmp_path / 'venv'
    # Without pip and setuptools of its own: the stack's (found through stack.pth) are used.
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], check=True)
    python = str(venv / 'bin' / 'python')
    site = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
                          check=True, capture_output=True, text=True).stdout.strip()
    # Reuse the pinned stack (a plain path entry: the editable mmhybrid's .pth there is not run).
    with open(osp.join(site, 'stack.pth'), 'w') as f:
        f.write(sysconfig.get_path('purelib') + '\n')
    # --no-index: every dependency must already be satisfied by the stack's versions.
    install = subprocess.run([python, '-m', 'pip', 'install', '--no-index', str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr

    user = tmp_path / 'elsewhere'
    user.mkdir()
    _user_config(user, 'mmhybrid::semfpn_transxnet_t_ade20k_40k.py')
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    run = subprocess.run([python, '-c', USER_SCRIPT], cwd=user, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f'mmhybrid from {site}' in run.stdout
    assert 'segmentation logits (1, 150, 16, 16) drop path 0.3' in run.stdout
    assert 'classifier ImageClassifier FcaFormer' in run.stdout

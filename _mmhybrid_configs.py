"""``mmhybrid::NAME`` config paths for mmengine: bases and ``get_config`` from mmhybrid's configs.

mmengine 0.10 resolves ``package::path`` only for the packages listed in its
``MODULE2PACKAGE``, only for paths inside a folder (``mmdet::faster_rcnn/x.py``), and tags
every dict of such a base with ``_scope_=package``. mmhybrid's leaf configs lie directly in
``configs/`` and are written for the scope they declare (``default_scope``, e.g. ``mmdet``),
naming mmhybrid's own modules ``mmhybrid.X``; so an ``mmhybrid::`` base is read as a local
file is: found among the configs shipped with the package (``mmhybrid/.mim/configs`` in a
wheel, ``configs/`` beside the package in a source checkout), without a scope tag.

This module is deliberately light (no torch, no mmhybrid import): an installed wheel runs
:func:`install` at interpreter start through ``mmhybrid-configs.pth``, so that a config is
resolved even when the program parsing it (mmdet's ``tools/train.py``) has not imported
mmhybrid yet. mmengine itself is patched only when, and if, its config module is imported.
"""
import difflib
import glob
import importlib.abc
import importlib.util
import os.path as osp
import sys
from typing import Callable, Dict, Optional, Tuple

PREFIX = 'mmhybrid::'
# Non-Python bases mmengine can read.
SUFFIXES = ('.py', '.yml', '.yaml', '.json')


def config_root() -> str:
    """The folder of mmhybrid's configs: ``.mim/configs`` of an installed package, else the
    ``configs/`` of the source checkout that holds the package."""
    spec = importlib.util.find_spec('mmhybrid')
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError('mmhybrid:: configs need mmhybrid: pip install mmhybrid')
    package = list(spec.submodule_search_locations)[0]
    for root in (osp.join(package, '.mim', 'configs'), osp.join(osp.dirname(package), 'configs')):
        if osp.isdir(root):
            return root
    raise FileNotFoundError(
        f'mmhybrid at {package} has no configs: install it from a wheel or a source checkout '
        '(pip install .), which ship them')


def resolve(path: str) -> str:
    """The file an ``mmhybrid::NAME`` path names (NAME relative to ``configs/``; ``.py`` may be
    left out), or a ``FileNotFoundError`` suggesting the closest config names."""
    name = path[len(PREFIX):] if path.startswith(PREFIX) else path
    if not name.endswith(SUFFIXES):
        name += '.py'
    root = config_root()
    full = osp.join(root, name)
    if osp.isfile(full):
        return full
    known = [osp.relpath(p, root) for p in glob.glob(osp.join(root, '**', '*.py'), recursive=True)]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(PREFIX + c for c in close)}?" if close else ''
    raise FileNotFoundError(
        f'{path}: mmhybrid has no such config (leaf configs lie directly in {root}, e.g. '
        f'{PREFIX}maskrcnn_transxnet_s_1x.py; bases under _base_/){hint}')


def weights_of(path: str) -> Optional[str]:
    """The released weights that mmhybrid's metafiles give for the config ``path``, if any."""
    import yaml

    root = config_root()
    target = osp.normpath(resolve(path))
    index = osp.join(osp.dirname(root), 'model-index.yml')
    with open(index, encoding='utf-8') as f:
        metafiles = yaml.safe_load(f)['Import']
    for metafile in metafiles:
        with open(osp.join(osp.dirname(root), metafile), encoding='utf-8') as f:
            for model in yaml.safe_load(f).get('Models', []):
                if osp.normpath(osp.join(osp.dirname(root), model['Config'])) == target:
                    return model.get('Weights')
    return None


def _patch_utils(module) -> None:
    # For tools that check the table before asking for a path (mim, get_installed_path users).
    module.MODULE2PACKAGE.setdefault('mmhybrid', 'mmhybrid')


def _external_base(cfg_path: str) -> Optional[Tuple[str, str]]:
    """Where mmengine finds ``package::_base_/...``, found without its detour: it first looks
    every ``package::`` path up in all of the package's metafiles (100 YAML files, 0.4 s for
    mmdet), which never name a ``_base_`` config. None for other paths, or when mmengine
    should say that the package is missing."""
    scope, _, name = cfg_path.partition('::')
    if not name.startswith('_base_/'):
        return None
    from mmengine.config.utils import _get_external_cfg_base_path, _get_package_and_cfg_path
    from mmengine.utils import get_installed_path, is_installed
    package, name = _get_package_and_cfg_path(cfg_path)
    if not is_installed(package):
        return None
    return _get_external_cfg_base_path(get_installed_path(package), name), scope


def _patch_config(module) -> None:
    config = module.Config
    original = config._get_cfg_path
    if getattr(original, '_mmhybrid', False):
        return

    found: Dict[str, Tuple[str, Optional[str]]] = {}

    def _get_cfg_path(cfg_path: str, filename: str) -> Tuple[str, Optional[str]]:
        if cfg_path.startswith(PREFIX):
            return resolve(cfg_path), None
        if '::' not in cfg_path:
            return original(cfg_path, filename)
        # Another package's path does not depend on the file naming it.
        if cfg_path not in found:
            found[cfg_path] = _external_base(cfg_path) or original(cfg_path, filename)
        return found[cfg_path]

    _get_cfg_path._mmhybrid = True
    config._get_cfg_path = staticmethod(_get_cfg_path)


def get_config(cfg_path: str, pretrained: bool = False):
    """``mmengine.hub.get_config`` for ``mmhybrid::`` paths (others go to mmengine's).

    With ``pretrained`` the metafile's weights are put into ``cfg.model_path``.
    """
    from mmengine.config import Config

    if not cfg_path.startswith(PREFIX):
        return _ORIGINAL_HUB['get_config'](cfg_path, pretrained)
    cfg = Config.fromfile(resolve(cfg_path))
    if pretrained:
        weights = weights_of(cfg_path)
        if weights is None:
            raise ValueError(
                f'{cfg_path}: mmhybrid releases no weights for this config; convert the '
                "official ones (tools/model_converters) and load them with cfg.load_from")
        cfg.model_path = weights
    return cfg


def get_model(cfg_path: str, pretrained: bool = False, **kwargs):
    """``mmengine.hub.get_model`` for ``mmhybrid::`` paths: built in the config's own
    ``default_scope`` (mmdet, mmseg or mmpretrain), as its training tools build it."""
    if not cfg_path.startswith(PREFIX):
        return _ORIGINAL_HUB['get_model'](cfg_path, pretrained, **kwargs)
    from mmengine.registry import MODELS, DefaultScope
    from mmengine.runner import load_checkpoint

    import mmhybrid  # noqa: F401 (fills the registries, ours and the frameworks')

    cfg = get_config(cfg_path, pretrained)
    if 'data_preprocessor' in cfg:
        cfg.model.data_preprocessor = cfg.data_preprocessor
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmhybrid')):
        model = MODELS.build(cfg.model, default_args=kwargs)
    if pretrained:
        load_checkpoint(model, cfg.model_path)
        model._is_init = True
    return model


_ORIGINAL_HUB: Dict[str, Callable] = {}


def _patch_hub(module) -> None:
    for name, ours in (('get_config', get_config), ('get_model', get_model)):
        current = getattr(module, name, None)
        if current is None or current is ours:
            continue
        _ORIGINAL_HUB.setdefault(name, current)
        setattr(module, name, ours)


PATCHES = {
    'mmengine.config.utils': _patch_utils,
    'mmengine.config.config': _patch_config,
    'mmengine.hub.hub': _patch_hub,
    'mmengine.hub': _patch_hub,
}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; gives the modules in ``PATCHES`` a loader that patches them right
    after they execute (before the modules importing them bind their names)."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, 'exec_module'):
            return spec
        execute = loader.exec_module

        def exec_module(module):
            execute(module)
            PATCHES[fullname](module)

        loader.exec_module = exec_module
        return spec


def install() -> None:
    """Make mmengine resolve ``mmhybrid::`` paths: now for its modules already imported,
    on import for the others. Idempotent."""
    for name, patch in PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])
    if not any(isinstance(f, _PatchAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchAfterImport())

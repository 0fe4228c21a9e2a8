"""The facts behind the model zoo, in one structured place, and the naming of leaf configs.

``docs/paper_results.yml`` (what the sources report, numeric metrics), ``docs/model_params.yml``
(our measured parameter counts) and ``docs/model_complexity.yml`` (our measured FLOPs) are the
facts; ``tools/misc/gen_model_zoo.py`` renders ``docs/model_zoo.md``, the metafiles and
``model-index.yml`` from them and from the config names, never the other way round.
"""
import glob
import os.path as osp
from typing import Dict, List

import yaml

FRAMEWORKS = {
    'cls': ('classification', 'ImageNet-1k classifier'),
    'maskrcnn': ('detection', 'Mask R-CNN'),
    'cascade-maskrcnn': ('detection', 'Cascade Mask R-CNN'),
    'retinanet': ('detection', 'RetinaNet'),
    'semfpn': ('segmentation', 'Semantic FPN'),
    'upernet': ('segmentation', 'UperNet'),
    'setr-naive': ('segmentation', 'SETR-Naive'),
    'setr-pup': ('segmentation', 'SETR-PUP'),
    'setr-mla': ('segmentation', 'SETR-MLA'),
    'setr-hlg': ('segmentation', 'SETR-HLG'),
}
DATASETS = {'in1k': 'ImageNet-1k', 'ade20k': 'ADE20K', 'cityscapes': 'Cityscapes',
            'pascal-context': 'Pascal Context'}
# Metafile metric names, and how the zoo table abbreviates them.
METRICS = {'Top 1 Accuracy': 'top-1', 'box AP': 'AP^b', 'mask AP': 'AP^m', 'mIoU': 'mIoU',
           'mIoU (multi-scale)': 'mIoU (ms)'}


def leaf_configs(root: str) -> List[str]:
    """Config names (without .py) directly under ``root``/configs."""
    return sorted(osp.splitext(osp.basename(p))[0]
                  for p in glob.glob(osp.join(root, 'configs', '*.py')))


def describe(name: str) -> Dict[str, str]:
    """Split ``<framework>_<backbone>_<variant>_<schedule>[_<dataset>_<iters>]`` (SETR:
    ``<framework>_<backbone>-<variant>_<dataset>_<iters>``), optionally ending in ``_bs<N>``
    for a batch size other than the schedule's usual one."""
    framework, backbone, *rest = name.split('_')
    batch = ''
    if rest and rest[-1].startswith('bs') and rest[-1][2:].isdigit():
        batch = f', batch {rest.pop()[2:]}'
    if '-' in backbone:
        backbone, variant = backbone.split('-', 1)
    else:
        variant, *rest = rest
    if framework not in FRAMEWORKS:
        raise ValueError(f'config {name}: unknown framework {framework!r}')
    task, title = FRAMEWORKS[framework]
    if rest == ['in1k']:
        dataset, schedule = 'ImageNet-1k', '300 epochs'
    elif len(rest) == 1:
        dataset, schedule = 'COCO', rest[0]
    elif len(rest) == 2 and rest[0] in DATASETS:
        dataset, schedule = DATASETS[rest[0]], rest[1]
    else:
        raise ValueError(f'config {name} does not follow the naming scheme')
    return dict(task=task, framework=title, family=backbone, backbone=f'{backbone}-{variant}',
                dataset=dataset, schedule=schedule + batch)


def load_facts(path: str, names: List[str] = None) -> Dict[str, dict]:
    """A facts YAML file ({} when absent); with ``names``, every key must be a config and
    every metric a known name with a number."""
    if not osp.exists(path):
        return {}
    with open(path) as f:
        facts = yaml.safe_load(f) or {}
    if names is not None:
        unknown = sorted(set(facts) - set(names))
        if unknown:
            raise KeyError(f'{path} has entries for configs that do not exist: {unknown}')
        for name, entry in facts.items():
            metrics = (entry.get('metrics') or {}) if isinstance(entry, dict) else {}
            for metric, value in metrics.items():
                if metric not in METRICS or not isinstance(value, (int, float)):
                    raise ValueError(f'{path}: {name} has metric {metric}: {value!r}; metrics '
                                     f'are numbers named one of {sorted(METRICS)}')
    return facts


def format_metrics(metrics: Dict[str, float]) -> str:
    """{'box AP': 44.5, 'mask AP': 40.7} -> 'AP^b 44.5 / AP^m 40.7' (a lone box AP: 'AP')."""
    if list(metrics) == ['box AP']:
        return f'AP {metrics["box AP"]}'
    return ' / '.join(f'{METRICS[k]} {v}' for k, v in metrics.items())

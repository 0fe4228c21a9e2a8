"""Write model-index.yml and one OpenMMLab metafile per backbone family
(configs/_metafiles/<family>/metafile.yml), so that `mim search mmhybrid` lists our models.

    python tools/misc/gen_metafiles.py            # rewrite them
    python tools/misc/gen_metafiles.py --check    # exit 1 if they are out of date

Rows come from docs/model_zoo.md (regenerate it first: tools/misc/gen_model_zoo.py) and the
papers' results from docs/paper_results.yml; results are the papers' reported numbers, since
no mmhybrid training run on the full datasets has been made.
"""
import os.path as osp
import re
from typing import Dict, List, Tuple

import yaml

from mmhybrid.utils.docgen import generate_main

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ZOO = osp.join(ROOT, 'docs', 'model_zoo.md')
PAPER = osp.join(ROOT, 'docs', 'paper_results.yml')
INDEX = osp.join(ROOT, 'model-index.yml')
METAFILE = 'configs/_metafiles/{}/metafile.yml'

FAMILIES = {
    'transxnet': ('TransXNet', 'https://arxiv.org/abs/2310.19380',
                  'TransXNet: Learning Both Global and Local Dynamics with a Dual Dynamic Token '
                  'Mixer for Visual Recognition'),
    'fcaformer': ('FcaFormer', 'https://arxiv.org/abs/2211.07198',
                  'Fcaformer: Forward Cross Attention in Hybrid Vision Transformer'),
    'mixformer': ('MixFormer', 'https://arxiv.org/abs/2204.02557',
                  'MixFormer: Mixing Features across Windows and Dimensions'),
    'vit': ('SETR', 'https://arxiv.org/abs/2012.15840',
            'Rethinking Semantic Segmentation from a Sequence-to-Sequence Perspective with '
            'Transformers'),
    'hlg': ('HLG', 'https://github.com/fudan-zvg/SETR',
            'HLG Transformer (README and code in the SETR repository, hlg branch)'),
    'hybridformer': ('HybridFormer', 'https://github.com/QingbeiGuo/HybridFormer',
                     'HybridFormer (README only; mmhybrid\'s reconstruction)'),
}
# SETR's DeiT-B encoder belongs to the SETR (vit) collection.
FAMILY_OF_ENCODER = {'deit': 'vit'}
TASKS = {'classification': 'Image Classification', 'detection': 'Object Detection',
         'segmentation': 'Semantic Segmentation'}
METRIC_NAMES = {'top-1': 'Top 1 Accuracy', 'AP^b': 'box AP', 'AP^m': 'mask AP', 'AP': 'box AP',
                'mIoU': 'mIoU'}


def zoo_rows() -> List[Dict[str, str]]:
    """The rows of docs/model_zoo.md as dicts keyed by its header."""
    with open(ZOO) as f:
        lines = [line.rstrip('\n') for line in f if line.startswith('|')]
    header = [h.strip() for h in lines[0].strip('|').split('|')]
    rows = []
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip('|').split('|')]
        rows.append(dict(zip(header, cells)))
    return rows


def parse_metrics(text: str) -> Dict[str, float]:
    """'AP^b 44.5 / AP^m 40.7' -> {'box AP': 44.5, 'mask AP': 40.7}; a bare second value
    marked '(ms)' or '(multi-scale)' becomes '<name> (multi-scale)'."""
    metrics: Dict[str, float] = {}
    last = None
    for part in text.split('/'):
        match = re.match(
            r'\s*([A-Za-z][A-Za-z^\-0-9]*)?\s*(\d+(?:\.\d+)?)\s*(\((ms|multi-scale)\))?', part)
        if not match:
            continue
        name = METRIC_NAMES.get(match.group(1) or '', last)
        if name is None:
            continue
        key = f'{name} (multi-scale)' if match.group(3) else name
        metrics[key] = float(match.group(2))
        last = name
    return metrics


def model_entry(row: Dict[str, str], paper: Dict[str, dict]) -> Tuple[str, dict]:
    name = row['config'].strip('`')
    family = name.split('_')[1].split('-')[0]
    family = FAMILY_OF_ENCODER.get(family, family)
    entry = dict(Name=name, **{'In Collection': FAMILIES[family][0]},
                 Config=f'configs/{name}.py',
                 Metadata={'Training Data': row['dataset'],
                           'Parameters': row['params'],
                           'Architecture': [row['framework'], FAMILIES[family][0]]})
    if row.get('FLOPs (convention, input)'):
        entry['Metadata']['FLOPs'] = row['FLOPs (convention, input)']
    reported = paper.get(name, {})
    metrics = parse_metrics(reported.get('metric', ''))
    if metrics:
        task = TASKS[row['task']]
        results = [dict(Task=task, Dataset=row['dataset'],
                        Metrics={k: v for k, v in metrics.items() if k != 'mask AP'})]
        if 'mask AP' in metrics:
            results.append(dict(Task='Instance Segmentation', Dataset=row['dataset'],
                                Metrics={'mask AP': metrics['mask AP']}))
        entry['Results'] = results
        entry['Metadata']['Results Source'] = f'reported by {reported.get("source", "the paper")}'
    return family, entry


def render() -> Dict[str, str]:
    """File path (relative to the repo) -> content."""
    with open(PAPER) as f:
        paper = yaml.safe_load(f)
    models: Dict[str, list] = {key: [] for key in FAMILIES}
    for row in zoo_rows():
        family, entry = model_entry(row, paper)
        models[family].append(entry)
    files = {}
    for family, (title, url, paper_title) in FAMILIES.items():
        collection = dict(Name=title, Metadata={'Architecture': [title]},
                          Paper=dict(URL=url, Title=paper_title), README='README.md')
        content = dict(Collections=[collection], Models=models[family])
        files[METAFILE.format(family)] = '# Generated by tools/misc/gen_metafiles.py.\n' + \
            yaml.safe_dump(content, sort_keys=False, width=100)
    index = dict(Import=[METAFILE.format(family) for family in FAMILIES])
    files['model-index.yml'] = '# Generated by tools/misc/gen_metafiles.py.\n' + \
        yaml.safe_dump(index, sort_keys=False)
    return files


if __name__ == '__main__':
    generate_main(__doc__, lambda: {osp.join(ROOT, k): v for k, v in render().items()},
                  'python tools/misc/gen_metafiles.py')

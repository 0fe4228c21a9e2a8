"""Write the compact golden references of tests/data/golden from full reference files.

The full files hold the outputs of an official implementation on seeded weights and inputs
(see tests/data/golden/README.md); this keeps their metadata and state-dict entry lists and
replaces every large output tensor by :func:`mmhybrid.testing.golden.compact`.

    python tools/misc/compact_golden.py FULL_DIR [--out tests/data/golden]
"""
import argparse
import glob
import os
import os.path as osp

import torch

from mmhybrid.testing.golden import compact


def compact_value(value: object, seed: int) -> object:
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return compact(value, seed)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], torch.Tensor):
        return [compact(v, seed + i) for i, v in enumerate(value)]
    if isinstance(value, list) and value and isinstance(value[0], dict) and 'key' in value[0]:
        return [dict(key=e['key'], shape=list(e['shape']), dtype=str(e['dtype']))
                for e in value]  # state-dict entries without the extras
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('full_dir')
    parser.add_argument('--out', default=osp.join(osp.dirname(__file__), '..', '..', 'tests',
                                                  'data', 'golden'))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for path in sorted(glob.glob(osp.join(args.full_dir, '*.pt'))):
        full = torch.load(path, map_location='cpu', weights_only=False)
        small = {k: compact_value(v, seed=i * 100) for i, (k, v) in enumerate(full.items())}
        target = osp.join(args.out, osp.basename(path))
        torch.save(small, target)
        print(f'{target}: {osp.getsize(target) / 1e3:.0f} kB')


if __name__ == '__main__':
    main()

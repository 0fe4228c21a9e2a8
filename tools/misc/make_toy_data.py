"""Write the toy COCO / ADE20K / Cityscapes datasets that configs/demo/ configs read."""
import argparse

from mmhybrid.testing import make_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--root', default='data/toy', help='output folder')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    for name, root in make_all(args.root, args.seed).items():
        print(f'{name}: {root}')


if __name__ == '__main__':
    main()

"""What the converter tools share: naming an arch from a checkpoint's tensor shapes."""
from typing import Callable


def arch_from_zoo(backbone_cls: type, what: str, matches: Callable[[dict], bool]) -> str:
    """The first name in ``backbone_cls.arch_zoo`` whose entry ``matches``, or one error
    naming ``what`` was seen and the archs there are."""
    for name, arch in backbone_cls.arch_zoo.items():
        if matches(arch):
            return name
    raise ValueError(f'{what} matches no {backbone_cls.__name__} arch '
                     f'({sorted(backbone_cls.arch_zoo)})')

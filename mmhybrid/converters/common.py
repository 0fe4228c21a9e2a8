"""What the converter tools share: naming an arch from a checkpoint's tensor shapes."""
import re
from typing import Callable, List

from mmhybrid.models.utils.convert import StateDict


def arch_from_zoo(backbone_cls: type, what: str, matches: Callable[[dict], bool]) -> str:
    """The first name in ``backbone_cls.arch_zoo`` whose entry ``matches``, or one error
    naming ``what`` was seen and the archs there are."""
    for name, arch in backbone_cls.arch_zoo.items():
        if matches(arch):
            return name
    raise ValueError(f'{what} matches no {backbone_cls.__name__} arch '
                     f'({sorted(backbone_cls.arch_zoo)})')


def stage_depths(converted: StateDict, num_stages: int = 4) -> List[int]:
    """Blocks per stage of a converted checkpoint (keys ``backbone.stages.{i}.{j}.*``)."""
    blocks = [set() for _ in range(num_stages)]
    for key in converted:
        m = re.match(r'backbone\.stages\.(\d+)\.(\d+)\.', key)
        if m and int(m.group(1)) < num_stages:
            blocks[int(m.group(1))].add(int(m.group(2)))
    return [len(b) for b in blocks]

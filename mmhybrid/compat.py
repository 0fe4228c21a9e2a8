"""Bare-name registration of mmhybrid's models into mmdet's, mmseg's and mmpretrain's MODELS.

This lets an unmodified config of those packages say ``type='TransXNet'`` once
``custom_imports=dict(imports=['mmhybrid'])`` has imported us. mmhybrid's own registry stays
the single source of truth; a name that a package already owns is left to it.
"""
import importlib
import importlib.util
from typing import List

from mmengine.logging import print_log

from mmhybrid.registry import MODELS

PACKAGES = ('mmdet', 'mmseg', 'mmpretrain')


def register_into_openmmlab() -> List[str]:
    """Register every mmhybrid model into each importable package's MODELS registry.

    Returns:
        list[str]: The packages registered into.
    """
    done = []
    for package in PACKAGES:
        if importlib.util.find_spec(package) is None:
            continue
        registry = importlib.import_module(f'{package}.registry').MODELS
        for name, cls in MODELS.module_dict.items():
            owner = registry.module_dict.get(name)
            if owner is None:
                registry.register_module(name=name, module=cls)
            elif owner is not cls:
                print_log(f'{package} already has a model named {name}; use '
                          f"type='mmhybrid.{name}' for mmhybrid's", logger='current', level=30)
        done.append(package)
    return done

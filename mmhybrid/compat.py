"""Bare-name registration of mmhybrid's models, optimizer constructors and transforms into
mmdet's, mmseg's and mmpretrain's registries.

This lets an unmodified config of those packages say ``type='TransXNet'`` once
``custom_imports=dict(imports=['mmhybrid'])`` has imported us. mmhybrid's own registries stay
the single source of truth; a name that a package already owns is left to it.
"""
import importlib
import importlib.util
from typing import List

from mmengine.logging import print_log

from mmhybrid import registry as own

PACKAGES = ('mmdet', 'mmseg', 'mmpretrain')
REGISTRIES = ('MODELS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'TRANSFORMS')


def register_into_openmmlab() -> List[str]:
    """Register every mmhybrid model and optimizer constructor into each importable package.

    Returns:
        list[str]: The packages registered into.
    """
    done = []
    for package in PACKAGES:
        if importlib.util.find_spec(package) is None:
            continue
        target = importlib.import_module(f'{package}.registry')
        for registry_name in REGISTRIES:
            registry = getattr(target, registry_name)
            for name, cls in getattr(own, registry_name).module_dict.items():
                owner = registry.module_dict.get(name)
                if owner is None:
                    registry.register_module(name=name, module=cls)
                elif owner is not cls:
                    print_log(f'{package} already has a {registry.name} named {name}; use '
                              f"type='mmhybrid.{name}' for mmhybrid's", logger='current',
                              level=30)
        done.append(package)
    return done

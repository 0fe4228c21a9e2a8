"""Registries of mmhybrid: children of mmengine's root registries under the scope ``mmhybrid``.

Because the scope equals the import name and ``locations`` names the modules that register
into them, ``type='mmhybrid.TransXNet'`` resolves from any mmdet/mmseg/mmpretrain config
without an explicit import.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='mmhybrid', locations=['mmhybrid.models'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='mmhybrid',
    locations=['mmhybrid.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='mmhybrid',
    locations=['mmhybrid.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmhybrid', locations=['mmhybrid.engine'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, scope='mmhybrid', locations=['mmhybrid.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, scope='mmhybrid',
    locations=['mmhybrid.datasets'])

from typing import Sequence

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmhybrid.registry import HOOKS


@HOOKS.register_module()
class CompileModulesHook(Hook):
    """``torch.compile`` the model's backbone (and neck) in place before training.

    mmengine's ``compile`` runner option compiles the whole ``train_step``, optimizer step
    included, which torch 2.14's dynamo fails to trace (in ``Adam.step``, whatever the model);
    the tools turn that option into this hook. ``nn.Module.compile`` keeps the module and its
    state-dict keys, so checkpoints are those of an uncompiled run; validation and testing
    use the compiled modules too.

    Args:
        modules (Sequence[str]): Attributes of the model to compile; missing ones are skipped.
        **compile_kwargs: ``torch.compile`` arguments (``backend``, ``mode``, ``fullgraph``...).
    """

    priority = 'VERY_LOW'

    def __init__(self, modules: Sequence[str] = ('backbone', 'neck'), **compile_kwargs) -> None:
        self.modules = tuple(modules)
        self.compile_kwargs = compile_kwargs

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        done = []
        for name in self.modules:
            module = getattr(model, name, None)
            if module is not None:
                module.compile(**self.compile_kwargs)
                done.append(name)
        options = ', '.join(f'{k}={v!r}' for k, v in self.compile_kwargs.items())
        print_log(f'torch.compile({options}) of {", ".join(done) or "nothing"}',
                  logger='current')

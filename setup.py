import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

# Shipped inside the package under .mim, as OpenMMLab packages ship theirs, for mmhybrid::
# config paths, mim and the tools of an installed copy.
MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')


def version() -> str:
    scope = {}
    with open('mmhybrid/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


# Tested with mmdet 3.3.0, mmsegmentation 1.2.2 and mmpretrain 1.2.0 (tools/bootstrap.sh).
DET = ['mmdet>=3.1.0,<3.4.0', 'pycocotools']
SEG = ['mmsegmentation>=1.1.0,<1.3.0', 'ftfy', 'regex', 'cityscapesscripts']
CLS = ['mmpretrain>=1.1.0,<1.3.0']


class BuildPyWithConfigs(build_py):
    """build_py that adds configs, tools, demo and model-index.yml as ``mmhybrid/.mim`` and
    ``mmhybrid-configs.pth`` (mmhybrid:: paths resolve before mmhybrid is imported)."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # a source checkout finds configs/ beside the package
        mim = os.path.join(self.build_lib, 'mmhybrid', '.mim')
        ignore = shutil.ignore_patterns('__pycache__', '*.pyc', 'bootstrap.sh')
        for name in MIM_FILES:
            target = os.path.join(mim, name)
            if os.path.isdir(name):
                shutil.copytree(name, target, ignore=ignore, dirs_exist_ok=True)
            else:
                os.makedirs(mim, exist_ok=True)
                shutil.copyfile(name, target)
        pth = 'mmhybrid-configs.pth'
        shutil.copyfile(pth, os.path.join(self.build_lib, pth))


setup(
    name='mmhybrid',
    version=version(),
    description='Hybrid CNN-Transformer backbones (TransXNet, HybridFormer, MixFormer, FcaFormer, '
    'HLG, SETR) for MMDetection, MMSegmentation and MMPretrain',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    keywords='computer vision, backbone, object detection, semantic segmentation, openmmlab',
    classifiers=[
        'Development Status :: 4 - Beta',
        'Operating System :: OS Independent',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.8',
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
    packages=find_packages(include=['mmhybrid', 'mmhybrid.*']),
    py_modules=['_mmhybrid_configs'],
    cmdclass={'build_py': BuildPyWithConfigs},
    python_requires='>=3.8',
    # Ranges, not CI pins: bring your own CUDA build of torch and mmcv with ops. torch 2.3 for
    # torch.compiler.is_compiling; mmcv < 2.2 as mmdet 3.x requires.
    install_requires=[
        'torch>=2.3',
        'torchvision>=0.18',
        'mmengine>=0.10.0,<1.0.0',
        'mmcv>=2.0.0,<2.2.0',
        'numpy',
        'pillow',
        'pyyaml',
        'matplotlib',
    ],
    extras_require={
        'det': DET,
        'seg': SEG,
        'cls': CLS,
        'all': DET + SEG + CLS,
        'tests': ['pytest', 'pytest-timeout', 'pytest-xdist', 'onnx', 'onnxruntime', 'build'],
    },
    zip_safe=False,
)

from setuptools import find_packages, setup


def version() -> str:
    scope = {}
    with open('mmhybrid/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmhybrid',
    version=version(),
    description='Hybrid CNN-Transformer backbones (TransXNet, HybridFormer, MixFormer, FcaFormer, '
    'HLG, SETR) for MMDetection, MMSegmentation and MMPretrain',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(include=['mmhybrid', 'mmhybrid.*']),
    python_requires='>=3.8',
    # Ranges, not CI pins: bring your own CUDA build of torch and mmcv with ops.
    install_requires=[
        'torch>=1.13',
        'torchvision',
        'mmengine>=0.10.0,<1.0.0',
        'mmcv>=2.0.0,<2.2.0',
        'numpy',
    ],
    extras_require={
        'det': ['mmdet>=3.1.0,<3.4.0', 'pycocotools'],
        'seg': ['mmsegmentation>=1.1.0,<1.3.0', 'ftfy', 'regex', 'cityscapesscripts'],
        'cls': ['mmpretrain>=1.1.0,<1.3.0'],
        'all': [
            'mmdet>=3.1.0,<3.4.0', 'pycocotools', 'mmsegmentation>=1.1.0,<1.3.0', 'ftfy', 'regex',
            'cityscapesscripts', 'mmpretrain>=1.1.0,<1.3.0'
        ],
        'tests': ['pytest', 'pytest-timeout', 'pytest-xdist', 'onnx', 'onnxruntime'],
    },
    zip_safe=False,
)

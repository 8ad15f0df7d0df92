"""resnetgen: the static site generator of the ResNetSLT tweetchat blog."""

__version__ = "0.1.0"

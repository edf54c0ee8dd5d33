"""The math of the product: TensorFlow computations and their NumPy oracles.

Nothing in this package imports the web framework; routers call into it.
"""
